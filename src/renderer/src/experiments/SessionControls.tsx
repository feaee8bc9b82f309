import { useCallback } from 'react'
import { useStore } from '../app/store.js'
import { lab } from '../lab/connection.js'
import { useLabAction } from '../lab/actions.js'

/**
 * The session's state next to its folder in the header: closing while its processes stop and the
 * checker grades it, then closed, with "New session" to go on experimenting.
 */
export function SessionControls() {
  const phase = useStore((s) => s.sessionPhase)
  const hasSession = useStore((s) => s.session !== undefined)
  const loaded = useStore((s) => s.loaded)
  const pending = useStore((s) => s.pendingRun !== undefined)
  const replaying = useStore((s) => s.replay !== undefined)
  const create = useCallback(() => lab().createSession({ name: 'lab' }), [])
  const { run, busy } = useLabAction('New session', create)
  // A replay is read-only: the session shown is a past one, and the live one is out of view.
  if (!loaded || pending || replaying) return null
  if (hasSession && phase === 'closing') {
    return (
      <span className="tag tag-warn" role="status">
        closing…
      </span>
    )
  }
  if (hasSession && phase === 'open') return null
  return (
    <>
      {hasSession && (
        <span className="tag tag-muted" role="status" data-testid="session-closed">
          closed
        </span>
      )}
      <button
        type="button"
        className="btn btn-small btn-primary"
        disabled={busy}
        title="Open a new session folder; the lab starts from nothing (no ZooKeeper, no workers)"
        onClick={() => void run()}
      >
        {busy ? 'Opening…' : 'New session'}
      </button>
    </>
  )
}
