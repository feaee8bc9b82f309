import { useClock } from '../app/clock.js'
import { formatDuration, formatTime } from '../app/format.js'
import { useStore } from '../app/store.js'

const KIND_LABEL: Record<string, string> = {
  'status-stopped': 'status stopped',
  'no-instance': 'no instance',
  'commit-stalled': 'commits stalled',
}

/** The monitor's open alerts: what is wrong right now, and for how long. */
export function AlertsList() {
  const alerts = useStore((s) => s.alerts)
  const clock = useClock()
  // In a closed session an alert stayed open until the end, not until now.
  const closedAt = useStore((s) => s.sessionClosedAt)
  const now = closedAt ?? clock
  return (
    <section className={`card alerts ${alerts.length ? 'has-alerts' : ''}`} aria-labelledby="alerts-title">
      <header className="card-head">
        <h2 className="card-title" id="alerts-title">
          Alerts
        </h2>
        <span className={`count ${alerts.length ? 'count-bad' : ''}`} aria-label={`${alerts.length} open alerts`}>
          {alerts.length}
        </span>
        <span className="muted small">from the monitor</span>
      </header>
      {alerts.length === 0 ? (
        <p className="empty small">No open alerts.</p>
      ) : (
        <ul className="alert-list" aria-label="Open alerts">
          {alerts.map((a) => (
            <li key={`${a.task}:${a.kind}`} className="alert-item" data-kind={a.kind}>
              <span className="alert-kind">{KIND_LABEL[a.kind] ?? a.kind}</span>
              <span className="mono">{a.task}</span>
              <span className="alert-msg">{a.message}</span>
              <span className="muted small mono" title={`since ${formatTime(a.since)}`}>
                {formatDuration(Math.max(0, now - a.since))}
              </span>
            </li>
          ))}
        </ul>
      )}
    </section>
  )
}
