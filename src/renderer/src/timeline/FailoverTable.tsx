import { formatDuration, formatTime } from '../app/format'
import { useStore } from '../app/store'
import { timelineModel } from './timeline-store'

/**
 * Every measured failover of a task, as a table: the accessible counterpart of the gaps the chart
 * draws, and what a user copies into a write-up.
 */
export function FailoverTable({ task }: { task: string }) {
  useStore((s) => s.timelineVersion)
  const t = timelineModel.tasks.get(task)
  const failovers = t?.failovers ?? []
  // Faults on a primary whose takeover has not completed yet.
  const pending = (t?.faults ?? []).filter(
    (f) => f.wasPrimary && !f.teardown && (f.action === 'kill' || f.action === 'stop' || f.action === 'partition') && !failovers.some((fo) => fo.from === f.worker && Math.abs(fo.faultTime - f.time) < 2000),
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
            {gaps.length} measured · gap min {formatDuration(Math.min(...gaps))} · median {formatDuration(median(gaps))} · max {formatDuration(Math.max(...gaps))}
          </span>
        )}
      </header>
      {failovers.length === 0 && pending.length === 0 ? (
        <p className="empty small">No failovers yet. Stop or kill the primary to measure one.</p>
      ) : (
        <table className="table mono" aria-label={`Failovers of ${task}`}>
          <thead>
            <tr>
              <th scope="col">#</th>
              <th scope="col">fault</th>
              <th scope="col">at</th>
              <th scope="col">from</th>
              <th scope="col">to</th>
              <th scope="col" className="num">
                new primary after
              </th>
              <th scope="col" className="num">
                gap (first commit)
              </th>
              <th scope="col" className="num">
                lastCommit → first id
              </th>
            </tr>
          </thead>
          <tbody>
            {failovers.map((f, i) => (
              <tr key={f.seq} data-testid="failover-row">
                <td>{i + 1}</td>
                <td>
                  <span className="tag tag-bad">{f.fault}</span>
                </td>
                <td>{formatTime(f.faultTime)}</td>
                <td>{f.from}</td>
                <td>{f.to ?? '—'}</td>
                <td className="num">{f.newPrimaryMs !== undefined ? formatDuration(f.newPrimaryMs) : '—'}</td>
                <td className="num strong">{f.firstCommitMs !== undefined ? formatDuration(f.firstCommitMs) : '—'}</td>
                <td className="num">
                  {f.lastCommitBefore ?? '—'} → {f.firstCommitId ?? '—'}
                  {f.lastCommitBefore !== undefined && f.firstCommitId !== undefined && f.firstCommitId !== f.lastCommitBefore + 1 && (
                    <span className="tag tag-warn" title="The new primary did not continue at lastCommit + 1">
                      {f.firstCommitId <= f.lastCommitBefore ? 'repeat' : 'skip'}
                    </span>
                  )}
                </td>
              </tr>
            ))}
            {pending.map((f) => (
              <tr key={`pending-${f.time}`} className="pending" data-testid="failover-pending">
                <td>…</td>
                <td>
                  <span className="tag tag-bad">{f.action}</span>
                </td>
                <td>{formatTime(f.time)}</td>
                <td>{f.worker}</td>
                <td colSpan={4} className="muted">
                  waiting for a new primary to commit…
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  )
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
}
