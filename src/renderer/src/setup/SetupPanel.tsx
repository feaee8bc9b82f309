import { useCallback } from 'react'
import { useStore } from '../app/store.js'
import { lab } from '../lab/connection.js'
import { useLabAction } from '../lab/actions.js'

const MISSING_NAMES = { java: 'Java', zookeeper: 'ZooKeeper' } as const

/**
 * Shown when ZooKeeper could not start because Java or ZooKeeper is not installed: what is missing,
 * where the lab looked, the command that installs it, and a button that looks again.
 */
export function SetupPanel() {
  const problem = useStore((s) => s.setupProblem)
  const found = useStore((s) => s.setupFound)
  const checkAgain = useCallback(async () => {
    useStore.getState().setSetup(await lab().checkZooKeeperSetup())
  }, [])
  const { run, busy } = useLabAction('Check again', checkAgain)
  if (found)
    return (
      <section className="card setup-panel setup-ok" role="status" data-testid="setup-found">
        <p>
          Found Java {found.java.version} and ZooKeeper {found.zookeeper.version}: start ZooKeeper again.
        </p>
      </section>
    )
  if (!problem) return null
  const missing = problem.missing.map((m) => MISSING_NAMES[m]).join(' and ')
  return (
    <section className="card setup-panel" aria-labelledby="setup-title" data-testid="setup-panel">
      <h2 className="card-title" id="setup-title">
        Set-up needed: {missing || 'ZooKeeper'} not found
      </h2>
      <ul className="setup-problems">
        {problem.problems.map((p) => (
          <li key={p}>{p}</li>
        ))}
      </ul>
      {problem.install ? (
        <>
          <p className="hint">Install it with:</p>
          <pre className="setup-command mono" data-testid="setup-command">
            {problem.install}
          </pre>
          <p className="hint">
            or run <code>npm run ensure-zookeeper</code> in the lab&apos;s folder, which installs it where it can.
          </p>
        </>
      ) : (
        <p className="hint">Change the setting named above, then check again.</p>
      )}
      <button type="button" className="btn btn-primary" disabled={busy} onClick={() => void run()}>
        {busy ? 'Checking…' : 'Check again'}
      </button>
    </section>
  )
}
