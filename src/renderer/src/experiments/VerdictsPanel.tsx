import { useCallback, type ReactNode } from 'react'
import { useStore } from '../app/store.js'
import { lab } from '../lab/connection.js'
import { useLabAction } from '../lab/actions.js'
import {
  FAILOVER_STEPS,
  afterSessionEnd,
  backupRows,
  barPercent,
  barSegments,
  breakdownScale,
  countByInvariant,
  formatShortMs,
  formatStepMs,
  median,
  plural,
  serverBarSteps,
  shortWorker,
  sinceStart,
  sortVerdicts,
  verdictTag,
  verdictsLine,
  type BackupRow,
  type FailoverBreakdownView,
} from './checker-model.js'
import type { VerdictView } from '../../../shared/lab-state.js'
import type { FailoverSteps } from '../../../shared/checker-report.js'
import { Table, type Column } from '../ui/Table.js'

/**
 * The checker: violations as it finds them while the session runs, then the final verdicts (graded
 * from the sinks when the session closes) and every failover broken down into its steps.
 */
export function VerdictsPanel() {
  const verdicts = useStore((s) => s.verdicts)
  const phase = useStore((s) => s.sessionPhase)
  const hasSession = useStore((s) => s.session !== undefined)
  const replaying = useStore((s) => s.replay !== undefined)
  return (
    <div className="pane verdicts-pane">
      <div className="toolbar">
        <span className="toolbar-title">checker</span>
        <span className="small muted" role="status">
          {replaying && !verdicts
            ? 'Replay: the violations the checker had found by the moment shown; the final verdicts come at the end of the session.'
            : verdicts
              ? 'Final: graded from the sinks when the session closed.'
              : phase === 'closing'
                ? 'The session is closing; grading from the sinks…'
                : hasSession
                  ? 'Live: judged from what the workers report, re-checked every half second. Final verdicts come when the session closes.'
                  : 'No session.'}
        </span>
      </div>
      <div className="pane-body">
        <InvariantTiles />
        <LiveViolations />
        <FinalVerdicts />
        <FailoverBreakdown />
      </div>
    </div>
  )
}

/** One tile per invariant: how many violations so far, and the final word once there is one. */
function InvariantTiles() {
  const violations = useStore((s) => s.violations)
  const verdicts = useStore((s) => s.verdicts)
  const counts = countByInvariant(violations, verdicts?.verdicts)
  return (
    <ul className="invariant-tiles" aria-label="Violations per invariant">
      {counts.map(({ invariant, count }) => {
        const final = verdicts?.verdicts.filter((v) => v.invariant === invariant)
        const failed = final?.some((v) => v.state === 'fail')
        const finalCount = final?.reduce((sum, v) => sum + (Number(v.violations) || 0), 0)
        // Across tasks: one failed task fails the tile; else one the check could not judge; else "not judged" only when no task was judged.
        const word = failed
          ? undefined
          : (final?.find((v) => v.state === 'unknown') ??
            (final?.every((v) => v.state === 'not-judged') ? final[0] : undefined))
        const tone = failed || count > 0 ? 'bad' : final && final.length > 0 && !word ? 'ok' : 'idle'
        return (
          <li key={invariant} className={`invariant-tile tile-${tone}`} data-invariant={invariant} data-count={count}>
            <span className="mono strong">{invariant}</span>
            <span className="tile-count" aria-label={`${plural(count, 'violation')} found live`}>
              {count}
            </span>
            <span className="small">
              {final && final.length > 0 && word ? (
                <span
                  className={`tag ${verdictTag(word).className}`}
                  title={verdictTag(word).title}
                  data-state={word.state}
                >
                  {verdictTag(word).text}
                </span>
              ) : final && final.length > 0 ? (
                <span className={`tag ${failed ? 'tag-bad' : 'tag-ok'}`}>
                  {failed ? `FAIL · ${finalCount} final` : 'ok'}
                </span>
              ) : (
                <span className="muted">{count === 0 ? 'none so far' : 'found live'}</span>
              )}
            </span>
          </li>
        )
      })}
    </ul>
  )
}

function LiveViolations() {
  const violations = useStore((s) => s.violations)
  const start = useStore((s) => s.session?.createdAt)
  const newest = [...violations].reverse()
  return (
    <section className="card" aria-labelledby="violations-title">
      <header className="card-head">
        <h2 className="card-title" id="violations-title">
          Violations found live
        </h2>
        <span className={`count ${violations.length ? 'count-bad' : ''}`}>{violations.length}</span>
        <span className="muted small">newest first · times since the session began</span>
      </header>
      {violations.length === 0 ? (
        <p className="empty small">None so far.</p>
      ) : (
        <ul className="violation-list" aria-label="Violations">
          {newest.map((v, i) => (
            <li
              key={`${v.invariant}-${v.task}-${v.at}-${i}`}
              className="violation"
              data-testid="violation"
              data-invariant={v.invariant}
            >
              <div className="violation-head">
                <span className="tag tag-bad mono">{v.invariant}</span>
                <span className="mono strong">{v.kind}</span>
                <span className="mono">{v.task}</span>
                <span className="mono muted" title="When it happened, since the session began">
                  {sinceStart(v.at, start)}
                </span>
                <span className="spacer" />
                {v.workers?.map((w) => (
                  <span key={w} className="tag mono">
                    {w}
                  </span>
                ))}
              </div>
              <p className="violation-msg">{v.message}</p>
            </li>
          ))}
        </ul>
      )}
    </section>
  )
}

function FinalVerdicts() {
  const verdicts = useStore((s) => s.verdicts)
  const phase = useStore((s) => s.sessionPhase)
  const hasSession = useStore((s) => s.session !== undefined)
  const running = useStore((s) => s.scenario?.running === true)
  const replaying = useStore((s) => s.replay !== undefined)
  const close = useCallback(() => lab().closeSession(), [])
  const closing = useLabAction('Close session', close)
  return (
    <section className="card" aria-labelledby="verdicts-title">
      <header className="card-head">
        <h2 className="card-title" id="verdicts-title">
          Final verdicts
        </h2>
        {verdicts && (
          <span className={`tag ${verdicts.ok ? 'tag-ok' : 'tag-bad'}`} data-testid="verdicts-ok">
            {verdictsLine(verdicts.verdicts)}
          </span>
        )}
      </header>
      {!verdicts ? (
        <div className="empty-row">
          <span className="muted small">
            {phase === 'closing'
              ? 'Grading from the sinks…'
              : running
                ? 'The scenario closes its session when it ends; the verdicts follow.'
                : 'Given when the session closes: its processes stop and the checker reads the sinks, the ground truth.'}
          </span>
          {hasSession && phase === 'open' && !running && !replaying && (
            <button
              type="button"
              className="btn btn-small"
              disabled={closing.busy}
              title="Stops ZooKeeper and every worker, then grades the session; start a new session to go on"
              onClick={() => void closing.run()}
            >
              {closing.busy ? 'Closing…' : 'Close session and grade'}
            </button>
          )}
        </div>
      ) : (
        <>
          <Table
            label="Final verdicts"
            className="verdict-table"
            columns={VERDICT_COLUMNS}
            rows={sortVerdicts(verdicts.verdicts)}
            rowKey={(v) => `${v.task}:${v.invariant}`}
            rowAttributes={(v) => ({
              'data-testid': 'verdict-row',
              'data-ok': v.ok,
              'data-state': v.state,
              'data-invariant': v.invariant,
              className: v.ok ? '' : 'is-failed',
            })}
          />
          <Backups verdicts={verdicts.verdicts} />
        </>
      )}
    </section>
  )
}

const VERDICT_COLUMNS: Column<VerdictView>[] = [
  {
    header: 'result',
    cell: (v) => {
      const tag = verdictTag(v)
      return (
        <span className={`tag ${tag.className}`} title={tag.title}>
          {tag.text}
        </span>
      )
    },
  },
  { header: 'invariant', className: 'mono strong', cell: (v) => v.invariant },
  { header: 'task', className: 'mono', cell: (v) => v.task },
  { header: 'violations', numeric: true, className: 'mono', cell: (v) => v.violations },
  { header: 'summary', className: 'wrap', cell: (v) => v.summary },
]

/** Each binlog task's backup under the verdicts: the last GTID it holds, lastCommit, and its lag. */
function Backups({ verdicts }: { verdicts: readonly VerdictView[] }) {
  const rows = backupRows(verdicts)
  if (rows.length === 0) return null
  return (
    <>
      <h3 className="small strong">Binlog backups · lag is source commit → first backup write</h3>
      <Table
        label="Binlog backups"
        className="verdict-table"
        columns={BACKUP_COLUMNS}
        rows={rows}
        rowKey={(r) => r.task}
        rowAttributes={(r) => ({ 'data-testid': 'backup-row', 'data-state': r.state })}
      />
    </>
  )
}

const BACKUP_COLUMNS: Column<BackupRow>[] = [
  {
    header: 'backup',
    cell: (r) => {
      const tag = verdictTag({ ok: r.state === 'ok', state: r.state })
      return <span className={`tag ${tag.className}`}>{tag.text}</span>
    },
  },
  { header: 'task', className: 'mono', cell: (r) => r.task },
  { header: 'last in sink', className: 'mono', cell: (r) => r.sinkGtid ?? '—' },
  { header: 'lastCommit', className: 'mono', cell: (r) => r.lastCommit ?? '—' },
  { header: 'lag p50', numeric: true, className: 'mono', cell: (r) => (r.lag ? formatStepMs(r.lag.p50) : '—') },
  { header: 'lag p99', numeric: true, className: 'mono', cell: (r) => (r.lag ? formatStepMs(r.lag.p99) : '—') },
  { header: 'lag max', numeric: true, className: 'mono', cell: (r) => (r.lag ? formatStepMs(r.lag.max) : '—') },
  { header: 'transactions', numeric: true, className: 'mono', cell: (r) => r.lag?.transactions ?? '—' },
]

/** Each failover, step by step, in ms after the fault, with a bar on a scale shared by every row. */
function FailoverBreakdown() {
  const failovers = useStore((s) => s.checkFailovers)
  const verdicts = useStore((s) => s.verdicts)
  if (!verdicts && !failovers) return null
  const list = failovers ?? []
  const scale = breakdownScale(list)
  const newPrimary = median(list.map((f) => f.steps.newPrimary))
  const firstCommit = median(list.map((f) => f.steps.firstCommit))
  // The transaction log's first commit, the same measurement for every program, where the lab kept the log.
  const logged = list.filter((f) => f.server)
  const serverFirstCommit = median(logged.map((f) => f.server!.steps.firstCommit))
  return (
    <section className="card" aria-labelledby="breakdown-title">
      <header className="card-head">
        <h2 className="card-title" id="breakdown-title">
          Failover breakdown
        </h2>
        <span className="muted small mono">
          {list.length === 0
            ? 'no fault hit a primary'
            : `${plural(list.length, 'failover')} · median ${logged.length > 0 ? `first commit ${formatStepMs(serverFirstCommit)} (server) · ` : ''}new primary ${formatStepMs(newPrimary)} · first commit ${formatStepMs(firstCommit)}${logged.length > 0 ? ' (reported)' : ''}`}
        </span>
      </header>
      {list.length > 0 && (
        <>
          <ul className="legend small step-legend" aria-label="Steps">
            {FAILOVER_STEPS.map((st) => (
              <li key={st.key}>
                <span className={`step-mark step-${st.key}`} aria-hidden="true" />
                {st.label}
              </li>
            ))}
          </ul>
          <table className="table mono breakdown-table" aria-label="Failover breakdown">
            <thead>
              <tr>
                <th scope="col">#</th>
                <th scope="col">task</th>
                <th scope="col">fault</th>
                <th scope="col">from → to</th>
                <th scope="col">measured by</th>
                {FAILOVER_STEPS.map((st) => (
                  <th key={st.key} scope="col" className="num step-head">
                    {st.label}
                  </th>
                ))}
                <th scope="col" className="num step-head" title="server-side: first commit less the old session's end">
                  after session end
                </th>
                <th scope="col" className="bar-head">
                  <span>0</span>
                  <span>{formatShortMs(scale)}</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {list.map((f, i) => (
                <BreakdownRow key={`${f.task}-${f.faultTime}-${i}`} index={i} failover={f} scale={scale} />
              ))}
            </tbody>
          </table>
          <p className="hint small">
            ms after the fault; — when the step did not happen before the next fault or the end. Each bar is split by
            the step that ends each stretch, on one scale for every row.
            {logged.length > 0 &&
              " Where a failover has two rows, the first is read off ZooKeeper's transaction log: the server's own times, on this machine's clock (whole ms), the same for every program; the second is what the workers reported, or the observer saw for programs that report nothing. After session end: the server's first commit less the old session's end, the handover proper after an expiry."}
          </p>
        </>
      )}
    </section>
  )
}

function BreakdownRow({
  index,
  failover: f,
  scale,
}: {
  index: number
  failover: FailoverBreakdownView
  scale: number
}) {
  // With the transaction log, the failover takes two rows: the server's times first, the workers' second.
  const span = f.server ? 2 : undefined
  const shared = (
    <>
      <td rowSpan={span}>{index + 1}</td>
      <td rowSpan={span}>{f.task}</td>
      <td rowSpan={span}>
        <span className="tag tag-bad">{f.fault}</span>
      </td>
      <td rowSpan={span} title={`${f.from} → ${f.to ?? 'nobody'}`}>
        {shortWorker(f.from, f.task)} → {shortWorker(f.to, f.task)}
      </td>
    </>
  )
  const sessionEnd = f.server?.sessionEnd ?? f.sessionEnd
  const endTag = sessionEnd && (
    <span
      className={`tag session-end ${sessionEnd === 'closed' ? 'tag-ok' : 'tag-warn'}`}
      title={
        sessionEnd === 'closed'
          ? 'The old primary closed its session itself'
          : 'The old session expired after its timeout'
      }
    >
      {sessionEnd}
    </span>
  )
  const reported = (
    <>
      <td className="small" title="what the workers reported, or the observer saw for programs that report nothing">
        workers
      </td>
      <StepCells steps={f.steps} endTag={endTag} strong={!f.server} />
      <td className="num">—</td>
      <StepBar steps={f.steps} scale={scale} />
    </>
  )
  if (!f.server)
    return (
      <tr
        data-testid="breakdown-row"
        data-new-primary-ms={f.steps.newPrimary ?? ''}
        data-first-commit-ms={f.steps.firstCommit ?? ''}
      >
        {shared}
        {reported}
      </tr>
    )
  const server = serverBarSteps(f.server.steps)
  return (
    <>
      <tr data-testid="breakdown-server-row" data-first-commit-ms={f.server.steps.firstCommit ?? ''}>
        {shared}
        <td
          className="small"
          title="server-side times from ZooKeeper's transaction log; the server's clock is this machine's"
        >
          ZooKeeper log (server clock)
        </td>
        <StepCells steps={server} endTag={endTag} strong />
        <td className="num strong">{formatStepMs(afterSessionEnd(f.server.steps))}</td>
        <StepBar steps={server} scale={scale} />
      </tr>
      <tr
        data-testid="breakdown-row"
        data-new-primary-ms={f.steps.newPrimary ?? ''}
        data-first-commit-ms={f.steps.firstCommit ?? ''}
      >
        {reported}
      </tr>
    </>
  )
}

function StepCells({ steps, endTag, strong }: { steps: FailoverSteps; endTag: ReactNode; strong: boolean }) {
  return (
    <>
      {FAILOVER_STEPS.map((st) => (
        <td
          key={st.key}
          className={`num ${strong && (st.key === 'newPrimary' || st.key === 'firstCommit') ? 'strong' : ''}`}
          data-step={st.key}
        >
          {formatStepMs(steps[st.key])}
          {st.key === 'sessionEnded' && endTag}
        </td>
      ))}
    </>
  )
}

function StepBar({ steps, scale }: { steps: FailoverSteps; scale: number }) {
  return (
    <td className="bar-cell">
      <div
        className="step-bar"
        role="img"
        aria-label={`first commit ${formatStepMs(steps.firstCommit)} after the fault`}
      >
        {barSegments(steps, scale).map((seg) => (
          <span
            key={seg.key}
            className={`step-seg step-${seg.key}`}
            style={{ left: `${seg.from}%`, width: `${seg.to - seg.from}%` }}
          />
        ))}
        {FAILOVER_STEPS.map((st) => {
          const pct = barPercent(steps[st.key], scale)
          return pct === null ? null : (
            <span
              key={st.key}
              className={`step-tick step-${st.key}`}
              style={{ left: `${pct}%` }}
              title={`${st.label}: ${formatStepMs(steps[st.key])}`}
            />
          )
        })}
      </div>
    </td>
  )
}
