import type { ReactNode } from 'react'
import type { GapStats, SessionComparison } from '../../../shared/api.js'
import { formatDateTime, formatDuration } from '../app/format.js'
import { useStore } from '../app/store.js'
import { INVARIANTS } from '../../../shared/checker-report.js'
import { formatStepMs, verdictTag } from '../experiments/checker-model.js'
import { relativeTimeline } from '../timeline/chart-option.js'
import { StaticTimelineChart } from '../timeline/StaticTimelineChart.js'
import type { TaskTimeline } from '../timeline/timeline-model.js'

const GAPS: Array<{ key: 'newPrimaryMs' | 'firstCommitMs'; label: string; hint: string }> = [
  { key: 'newPrimaryMs', label: 'new primary', hint: 'From the fault to the new primary taking the role' },
  {
    key: 'firstCommitMs',
    label: 'first commit',
    hint: 'From the fault to the new primary’s first commit: the failover gap',
  },
]
const STATS: Array<keyof Omit<GapStats, 'count'>> = ['p50', 'p95', 'max']

/**
 * Sessions side by side (seed against recipe, say): one column each, the checker's verdicts and the
 * failover gap percentiles in one table, then each session's leadership lanes stacked on one scale.
 */
export function ComparePanel() {
  const comparison = useStore((s) => s.comparison)
  const back = () => useStore.getState().setLibraryView('list')
  return (
    <>
      <section className="card" aria-labelledby="compare-title">
        <header className="card-head">
          <button type="button" className="btn btn-small btn-ghost" onClick={back}>
            ← Back to the list
          </button>
          <h2 className="card-title" id="compare-title">
            Comparison
          </h2>
          {comparison && (
            <span className="muted small">{comparison.dirs.length} sessions · graded by the same checker</span>
          )}
        </header>
        {!comparison || comparison.loading ? (
          <p className="empty small" role="status">
            Grading and reading the sessions…
          </p>
        ) : comparison.error ? (
          <p className="field-error" role="alert">
            Could not compare: {comparison.error}
          </p>
        ) : (
          comparison.results && <CompareTable results={comparison.results} />
        )}
      </section>
      {comparison?.results && comparison.timelines && (
        <StackedTimelines results={comparison.results} timelines={comparison.timelines} />
      )}
    </>
  )
}

function CompareTable({ results }: { results: SessionComparison[] }) {
  const tasks = new Set(results.flatMap((r) => r.verdicts.map((v) => v.task)))
  // Every (invariant, task) any session was graded on, in the CLI's order.
  const keys = new Map<string, { invariant: string; task: string }>()
  for (const r of results)
    for (const v of r.verdicts) keys.set(`${v.invariant}\u0000${v.task}`, { invariant: v.invariant, task: v.task })
  const rank = (inv: string) => {
    const i = (INVARIANTS as readonly string[]).indexOf(inv)
    return i < 0 ? INVARIANTS.length : i
  }
  const verdictRows = [...keys.values()].sort(
    (a, b) =>
      rank(a.invariant) - rank(b.invariant) || a.invariant.localeCompare(b.invariant) || a.task.localeCompare(b.task),
  )
  const row = (label: ReactNode, cells: ReactNode[], props: { hint?: string; testId?: string } = {}) => (
    <tr data-testid={props.testId}>
      <th scope="row" title={props.hint}>
        {label}
      </th>
      {cells.map((c, i) => (
        <td key={i}>{c}</td>
      ))}
    </tr>
  )
  return (
    <div className="compare-scroll">
      <table className="table compare-table" aria-label="Session comparison">
        <thead>
          <tr>
            <th scope="col">
              <span className="sr-only">measure</span>
            </th>
            {results.map((r) => (
              <th scope="col" key={r.summary.dir} data-testid="compare-session" data-session-dir={r.summary.dir}>
                <div className="strong">{r.summary.name}</div>
                <div className="mono small muted truncate" title={r.summary.dir}>
                  {r.summary.dir.split(/[\\/]/).pop()}
                </div>
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {row(
            'result',
            results.map((r) => (
              <span className={`tag ${r.ok ? 'tag-ok' : 'tag-bad'}`} data-testid="compare-result">
                {r.ok ? 'PASSED' : 'FAILED'}
              </span>
            )),
          )}
          {row(
            'scenario',
            results.map((r) => <span className="mono">{r.summary.scenario ?? 'by hand'}</span>),
          )}
          {row(
            'strategy',
            results.map((r) => <span className="mono">{r.summary.strategies.join(', ') || '—'}</span>),
          )}
          {row(
            'created',
            results.map((r) => (
              <span className="mono">{formatDateTime(Date.parse(r.summary.createdAt)).slice(0, 19)}</span>
            )),
          )}
          {row(
            'duration',
            results.map((r) => (
              <span className="mono">
                {r.summary.durationMs !== undefined ? formatDuration(r.summary.durationMs) : '—'}
              </span>
            )),
          )}
          <tr className="group-row">
            <th scope="rowgroup" colSpan={results.length + 1}>
              verdicts
            </th>
          </tr>
          {verdictRows.map(({ invariant, task }) =>
            row(
              <span className="mono">
                {invariant}
                {tasks.size > 1 && <span className="muted"> · {task}</span>}
              </span>,
              results.map((r) => {
                const v = r.verdicts.find((x) => x.invariant === invariant && x.task === task)
                if (!v) return <span className="muted">—</span>
                const tag = verdictTag(v)
                return (
                  <span className={`tag ${tag.className}`} title={v.summary} data-state={tag.state}>
                    {tag.state === 'fail' ? `FAIL · ${v.violations}` : tag.text}
                  </span>
                )
              }),
              { testId: `compare-verdict-${invariant}` },
            ),
          )}
          <tr className="group-row">
            <th scope="rowgroup" colSpan={results.length + 1}>
              failovers
            </th>
          </tr>
          {row(
            'measured',
            results.map((r) => <span className="mono">{r.failovers}</span>),
          )}
          {GAPS.flatMap((gap) =>
            STATS.map((stat) => {
              const values = results.map((r) => r[gap.key][stat])
              const best = Math.min(...values.filter((v): v is number => v !== null))
              return row(
                <span className="mono">
                  {gap.label} <span className="muted">{stat}</span>
                </span>,
                values.map((v) => (
                  <span className={`mono ${v !== null && v === best && results.length > 1 ? 'best' : ''}`}>
                    {formatStepMs(v)}
                  </span>
                )),
                { hint: gap.hint, testId: `compare-${gap.key}-${stat}` },
              )
            }),
          )}
        </tbody>
      </table>
    </div>
  )
}

function StackedTimelines({
  results,
  timelines,
}: {
  results: SessionComparison[]
  timelines: Record<string, TaskTimeline[]>
}) {
  // One scale for the stack: every chart spans the longest session, from its first worker's start.
  const relative = results.map((r) => (timelines[r.summary.dir] ?? []).map((t) => relativeTimeline(t, t.firstTime)))
  const span = Math.max(1000, ...relative.flat().map((t) => t.lastTime))
  return (
    <section className="card" aria-labelledby="stacked-title">
      <header className="card-head">
        <h2 className="card-title" id="stacked-title">
          Leadership timelines
        </h2>
        <span className="muted small">stacked on one scale: seconds since each task’s first worker started</span>
      </header>
      <div className="stacked-timelines">
        {results.map((r, i) => (
          <div key={r.summary.dir} className="stacked-session" data-testid="compare-timeline">
            <h3 className="stacked-title">
              <span className="strong">{r.summary.name}</span>
              <span className="tag mono">{r.summary.strategies.join(', ') || '—'}</span>
              <span className={`tag ${r.ok ? 'tag-ok' : 'tag-bad'}`}>{r.ok ? 'PASSED' : 'FAILED'}</span>
              <span className="mono small muted">{r.summary.dir.split(/[\\/]/).pop()}</span>
            </h3>
            {relative[i].length === 0 ? (
              <p className="empty small">No workers ran in this session.</p>
            ) : (
              relative[i].map((t) => (
                <div key={t.task}>
                  {relative[i].length > 1 && <div className="mono small muted">{t.task}</div>}
                  <StaticTimelineChart
                    timeline={t}
                    span={span}
                    label={`Leadership lanes and lastCommit of ${t.task} in ${r.summary.name}`}
                  />
                </div>
              ))
            )}
          </div>
        ))}
      </div>
    </section>
  )
}
