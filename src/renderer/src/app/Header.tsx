import { useStore } from './store.js'
import { chooseTheme } from './theme.js'
import { SessionControls } from '../experiments/SessionControls.js'
import { ViolationsBadge } from '../experiments/ViolationsBadge.js'
import { RecordingFailedBanner } from '../alerts/RecordingFailedBanner.js'

const CONNECTION_LABEL = { connecting: 'connecting…', open: 'connected', closed: 'disconnected, retrying' } as const

export function Header() {
  const shell = useStore((s) => s.shell)
  const connection = useStore((s) => s.connection)
  const theme = useStore((s) => s.theme)
  const loadError = useStore((s) => s.loadError)
  const replaying = useStore((s) => s.replay !== undefined)
  // A replay shows the folder it was read from (the journal names where it was written, maybe elsewhere).
  const dir = useStore((s) => s.replay?.dir ?? s.session?.dir)
  const next = theme === 'dark' ? 'light' : 'dark'
  return (
    <>
      <header className="topbar">
        <div className="brand">
          <span className="brand-mark" aria-hidden="true" />
          <span className="brand-name">ZooKeeper Failover Lab</span>
        </div>
        <div className="topbar-session" title={dir}>
          <span className="label">{replaying ? 'replaying' : 'session'}</span>
          <span className="mono truncate" data-testid="session-dir">
            {dir ?? '—'}
          </span>
          <SessionControls />
        </div>
        <div className="topbar-right">
          <ViolationsBadge />
          {loadError && (
            <span className="pill pill-error" role="alert">
              {loadError}
            </span>
          )}
          <span className="pill" title="Where this window talks to the lab from">
            {shell === 'electron' ? 'Electron' : shell === 'browser' ? 'Browser mode' : '…'}
          </span>
          <span
            className={`pill conn conn-${connection}`}
            role="status"
            aria-label={`Lab connection: ${CONNECTION_LABEL[connection]}`}
          >
            <span className="dot" aria-hidden="true" />
            {CONNECTION_LABEL[connection]}
          </span>
          <button
            type="button"
            className="btn btn-ghost"
            onClick={() => chooseTheme(next)}
            aria-label={`Switch to ${next} theme`}
          >
            {theme === 'dark' ? '☀ Light' : '☾ Dark'}
          </button>
        </div>
      </header>
      <RecordingFailedBanner />
    </>
  )
}
