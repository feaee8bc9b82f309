import { AlertsList } from '../alerts/AlertsList.js'
import { useStore } from '../app/store.js'
import { QuickStart } from './QuickStart.js'
import { TasksSection } from './TasksSection.js'
import { ZooKeeperSection } from './ZooKeeperSection.js'
import { SetupPanel } from '../setup/SetupPanel.js'
import { SourceSection } from '../source/SourceSection.js'

export function ClusterPanel() {
  const loaded = useStore((s) => s.loaded)
  const hasSession = useStore((s) => s.session !== undefined)
  const phase = useStore((s) => s.sessionPhase)
  const replaying = useStore((s) => s.replay !== undefined)
  // A closed session's processes are gone: its controls would only fail. What it shows is how it ended.
  // A replayed one is a past session: read-only at every position, even where it was still running.
  const inert = replaying || !hasSession || phase !== 'open'
  return (
    <aside className="cluster-panel" aria-label="Cluster">
      {!loaded ? (
        <p className="empty">Loading the lab's state…</p>
      ) : (
        <>
          {inert && (
            <p className="session-notice" role="status" data-testid="session-notice">
              {replaying
                ? 'Read-only replay: the cluster as it was at the moment chosen above. Back to live (top) for the lab’s controls.'
                : !hasSession
                  ? 'No session is open. Open one with New session (top) to start experimenting.'
                  : phase === 'closing'
                    ? 'The session is closing: its processes stop, then the checker grades it.'
                    : 'This session is closed; below is how it ended. Open a New session (top) to go on by hand, or run a scenario.'}
            </p>
          )}
          <fieldset className="cluster-fieldset" disabled={inert}>
            <AlertsList />
            {!inert && <SetupPanel />}
            {!inert && <QuickStart />}
            <ZooKeeperSection />
            <SourceSection />
            <TasksSection />
          </fieldset>
        </>
      )}
    </aside>
  )
}
