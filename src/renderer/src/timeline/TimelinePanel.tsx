import { useState } from 'react'
import { useShallow } from 'zustand/react/shallow'
import { useStore } from '../app/store.js'
import { BackupLagChart } from './BackupLagChart.js'
import { FailoverTable } from './FailoverTable.js'
import { TimelineChart } from './TimelineChart.js'
import { LANE_STATES } from './timeline-model.js'
import { timelineModel } from './timeline-store.js'

const WINDOWS: Array<{ label: string; ms: number | undefined }> = [
  { label: '1 min', ms: 60_000 },
  { label: '5 min', ms: 300_000 },
  { label: '15 min', ms: 900_000 },
  { label: 'all', ms: undefined },
]

export function TimelinePanel() {
  const tasks = useStore(useShallow((s) => (s.timelineVersion >= 0 ? [...timelineModel.tasks.keys()].sort() : [])))
  const selected = useStore((s) => s.timelineTask)
  const follow = useStore((s) => s.timelineFollow)
  const replaying = useStore((s) => s.replay !== undefined)
  const { setTimelineTask, setTimelineFollow } = useStore.getState()
  const [windowMs, setWindowMs] = useState<number | undefined>(60_000)
  const task = selected && tasks.includes(selected) ? selected : tasks[0]
  // A binlog task's lag, measured once the session is graded (the backup-lag verdict).
  const lag = useStore((s) => s.verdicts?.verdicts.find((v) => v.invariant === 'backup-lag' && v.task === task))
  if (!task) {
    return (
      <div className="pane">
        <p className="empty">No workers yet. Each task gets a lane per worker once workers start.</p>
      </div>
    )
  }
  return (
    <div className="pane timeline-pane">
      <div className="toolbar">
        <div className="chips" role="tablist" aria-label="Task">
          {tasks.map((t) => (
            <button
              key={t}
              type="button"
              role="tab"
              aria-selected={t === task}
              className="chip mono"
              onClick={() => setTimelineTask(t)}
            >
              {t}
            </button>
          ))}
        </div>
        <span className="spacer" />
        <Legend />
        {replaying ? (
          // A past session has no live edge: the chart spans it whole, the cursor marks the replay's position.
          <button type="button" className="btn btn-small" disabled={follow} onClick={() => setTimelineFollow(true)}>
            Show whole session
          </button>
        ) : (
          <LiveWindow windowMs={windowMs} follow={follow} onWindow={setWindowMs} />
        )}
      </div>
      <div className="timeline-body">
        <TimelineChart task={task} windowMs={replaying ? undefined : windowMs} />
        <p className="hint small">
          {replaying
            ? 'Click the chart to move the replay there; the line is the moment shown. Scroll to zoom, drag to pan.'
            : 'Scroll to zoom, drag to pan, or use the slider; the window stops following live time until you go back to live.'}
        </p>
        {lag?.lagSeries && lag.lagSeries.points.length > 0 && (
          <BackupLagChart task={task} series={lag.lagSeries} summary={lag.summary} />
        )}
        <FailoverTable task={task} />
      </div>
    </div>
  )
}

/** The live chart's window, and whether it follows live time. */
function LiveWindow({
  windowMs,
  follow,
  onWindow,
}: {
  windowMs: number | undefined
  follow: boolean
  onWindow(ms: number | undefined): void
}) {
  const { setTimelineFollow } = useStore.getState()
  return (
    <>
      <div className="chips" role="group" aria-label="Window">
        {WINDOWS.map((w) => (
          <button
            key={w.label}
            type="button"
            className="chip"
            aria-pressed={follow && windowMs === w.ms}
            onClick={() => {
              onWindow(w.ms)
              setTimelineFollow(true)
            }}
          >
            {w.label}
          </button>
        ))}
      </div>
      {follow ? (
        <span className="pill live-pill" role="status">
          <span className="dot" aria-hidden="true" /> live
        </span>
      ) : (
        <button type="button" className="btn btn-small btn-primary" onClick={() => setTimelineFollow(true)}>
          ⇥ Back to live
        </button>
      )}
    </>
  )
}

function Legend() {
  return (
    <ul className="legend small" aria-label="Legend">
      {LANE_STATES.map((s) => (
        <li key={s}>
          <span className={`swatch swatch-${s}`} aria-hidden="true" />
          {s}
        </li>
      ))}
      <li>
        <span className="marker-kill" aria-hidden="true">
          ▼
        </span>
        kill
      </li>
      <li>
        <span className="marker-stop" aria-hidden="true">
          ◆
        </span>
        stop
      </li>
      <li>
        <span className="swatch swatch-gap" aria-hidden="true" />
        failover gap
      </li>
      <li title="Once the session is graded: a dot on each worker the failover's watch woke, when it fired (green: took over)">
        <span className="marker-herd" aria-hidden="true">
          ●
        </span>
        woken (herd)
      </li>
    </ul>
  )
}
