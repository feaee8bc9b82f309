import { formatDuration, formatTime } from '../app/format.js'
import { useStore } from '../app/store.js'
import { timelineModel } from './timeline-store.js'
import type { FailoverMark } from './timeline-model.js'
import { Table, type Column } from '../ui/Table.js'
import { herdOfFailover, type FailoverBreakdownView } from '../experiments/checker-model.js'
import type { FailoverHerd } from '../../../shared/checker-report.js'
import { HERD_ROW_PX, herdScale, herdStripHeight, herdStripRows } from '../../../shared/charts/herd-strip.js'

/**
 * Every measured failover of a task, as a table: the accessible counterpart of the gaps the chart
 * draws, and what a user copies into a write-up.
 */
export function FailoverTable({ task }: { task: string }) {
  useStore((s) => s.timelineVersion)
  const breakdowns = useStore((s) => s.checkFailovers)
  const t = timelineModel.tasks.get(task)
  const failovers = t?.failovers ?? []
  // Faults on a primary whose takeover has not completed yet.
  const pending = (t?.faults ?? []).filter(
    (f) =>
      f.wasPrimary &&
      !f.teardown &&
      (f.action === 'kill' || f.action === 'stop' || f.action === 'partition') &&
      !failovers.some((fo) => fo.from === f.worker && Math.abs(fo.faultTime - f.time) < 2000),
  )
  const gaps = failovers.map((f) => f.firstCommitMs).filter((g): g is number => g !== undefined)
  return (
    <section className="failovers" aria-labelledby={`failovers-${task}`}>
      <header className="card-head">
        <h3 className="subhead" id={`failovers-${task}`}>
          Failovers of {task}
        </h3>
        {gaps.length > 0 && (
          <span className="muted small mono">
            {gaps.length} measured · gap min {formatDuration(Math.min(...gaps))} · median {formatDuration(median(gaps))}{' '}
            · max {formatDuration(Math.max(...gaps))}
          </span>
        )}
      </header>
      <Table
        label={`Failovers of ${task}`}
        className="mono"
        columns={[
          ...FAILOVER_COLUMNS,
          herdColumn(breakdowns, herdScale(failovers.map((f) => herdOfFailover(f, breakdowns)))),
        ]}
        rows={failovers}
        rowKey={(f) => f.seq}
        rowAttributes={() => ({ 'data-testid': 'failover-row' })}
        trailingRows={
          pending.length > 0 &&
          pending.map((f) => (
            <tr key={`pending-${f.time}`} className="pending" data-testid="failover-pending">
              <td>…</td>
              <td>
                <span className="tag tag-bad">{f.action}</span>
              </td>
              <td>{formatTime(f.time)}</td>
              <td>{f.worker}</td>
              <td colSpan={5} className="muted">
                waiting for a new primary to commit…
              </td>
            </tr>
          ))
        }
        empty="No failovers yet. Stop or kill the primary to measure one."
      />
    </section>
  )
}

const FAILOVER_COLUMNS: Column<FailoverMark>[] = [
  { header: '#', cell: (_f, i) => i + 1 },
  { header: 'fault', cell: (f) => <span className="tag tag-bad">{f.fault}</span> },
  { header: 'at', cell: (f) => formatTime(f.faultTime) },
  { header: 'from', cell: (f) => f.from },
  { header: 'to', cell: (f) => f.to ?? '—' },
  {
    header: 'new primary after',
    numeric: true,
    cell: (f) => (f.newPrimaryMs !== undefined ? formatDuration(f.newPrimaryMs) : '—'),
  },
  {
    header: 'gap (first commit)',
    numeric: true,
    className: 'strong',
    cell: (f) => (f.firstCommitMs !== undefined ? formatDuration(f.firstCommitMs) : '—'),
  },
  {
    header: 'lastCommit → first id',
    numeric: true,
    cell: (f) => (
      <>
        {f.lastCommitBefore ?? '—'} → {f.firstCommitId ?? '—'}
        {f.lastCommitBefore !== undefined &&
          f.firstCommitId !== undefined &&
          f.firstCommitId !== f.lastCommitBefore + 1 && (
            <span className="tag tag-warn" title="The new primary did not continue at lastCommit + 1">
              {f.firstCommitId <= f.lastCommitBefore ? 'repeat' : 'skip'}
            </span>
          )}
      </>
    ),
  },
]

/** The workers the failover's watch woke (from the checker's report): a strip on the task's scale, listed when opened. */
function herdColumn(breakdowns: readonly FailoverBreakdownView[] | undefined, scale: number): Column<FailoverMark> {
  return {
    header: 'herd',
    hint: 'Workers a watch on the election woke in this failover (from the checker report, once the session is graded)',
    className: 'herd-cell',
    cell: (f) => {
      const herd = herdOfFailover(f, breakdowns)
      return herd ? <HerdDetails herd={herd} scale={scale} /> : '—'
    },
  }
}

function HerdDetails({ herd, scale }: { herd: FailoverHerd; scale: number }) {
  const lines = herd.workers.map(
    (w) =>
      `${w.worker}: watch ${w.watchAt < 0 ? 'not seen' : `+${formatDuration(w.watchAt)}`}` +
      `${w.reactedMs !== undefined ? `, reacted in ${formatDuration(w.reactedMs)}` : ''}${w.did ? ` → ${w.did}` : ''}`,
  )
  const how = herd.source === 'graph' ? 'read off the watch graph before the fault' : 'as the workers reported'
  return (
    <details className="herd" data-testid="failover-herd">
      <summary title={[`${herd.woken} woken, ${how}`, ...lines].join('\n')}>
        woken {herd.woken}
        <HerdStrip herd={herd} scale={scale} />
      </summary>
      <ul className="herd-workers">
        {herd.workers.map((w, i) => (
          <li key={w.worker} title={w.path}>
            {lines[i]}
          </li>
        ))}
      </ul>
    </details>
  )
}

/** A row per woken worker from the herd's first watch: the dot when its watch fired, the line to its reaction. */
function HerdStrip({ herd, scale }: { herd: FailoverHerd; scale: number }) {
  return (
    <span className="herd-strip" style={{ height: herdStripHeight(herd) + 4 }} data-testid="herd-strip">
      {herdStripRows(herd, scale).map((r, i) =>
        r.watch === null ? null : (
          <span
            key={r.worker}
            className={`herd-strip-row${r.tookOver ? ' took-over' : ''}`}
            style={{ top: i * HERD_ROW_PX + 3, left: `${r.watch}%`, width: `${(r.reacted ?? r.watch) - r.watch}%` }}
          />
        ),
      )}
    </span>
  )
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
}
