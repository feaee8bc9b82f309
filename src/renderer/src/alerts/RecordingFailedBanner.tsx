import { formatTime } from '../app/format.js'
import { useStore } from '../app/store.js'

/**
 * The session's journal could not be written and the lab stopped every process. Stays on screen as
 * long as that session is shown: nothing after the failure is recorded, so the user must know.
 */
export function RecordingFailedBanner() {
  const session = useStore((s) => s.session)
  const replaying = useStore((s) => s.replay !== undefined)
  const failed = session?.recordingFailed
  if (!failed || replaying) return null
  return (
    <div className="recording-failed" role="alert" data-testid="recording-failed">
      <strong>Recording failed</strong> at {formatTime(failed.time)}: {failed.reason}. The lab stopped every process of
      this session. Its journal in <span className="mono">{session.dir}</span> is whole up to event #
      {failed.lastRecordedSeq}; nothing after it was recorded. Free some space (or fix the folder) and start a new
      session.
    </div>
  )
}
