import { useCallback } from 'react'
import { useStore } from '../app/store.js'
import { lab } from '../lab/connection.js'
import { useLabAction } from '../lab/actions.js'
import { startZooKeeperOrExplain } from '../setup/start-zookeeper.js'
import { nearestGrantedTimeout } from '../../../shared/session-timeout.js'

const QUICK_TASK = 'task01'
const QUICK_WORKERS = { count: 3, commitIntervalMs: 500, sessionTimeoutMs: 4000 }

/** ZooKeeper, task01 and three workers in one click: the usual starting point of an experiment. */
export function QuickStart() {
  const hasWorkers = useStore((s) => Object.keys(s.workers).length > 0)
  const serverCount = useStore((s) => s.zookeeper.servers.length)
  const quick = useCallback(async () => {
    const state = useStore.getState()
    if (state.zookeeper.servers.length === 0) {
      // Without Java or ZooKeeper the set-up panel says what to install; nothing more to do here.
      if (!(await startZooKeeperOrExplain(() => lab().startZooKeeper()))) return
    } else if (!state.zookeeper.servers.some((s) => s.state === 'running'))
      await lab().zooKeeperAction({ server: 1, action: 'start' })
    if (!useStore.getState().tasks[QUICK_TASK]) await lab().publishTask({ task: QUICK_TASK })
    // Under a tickTime too short or long for 4 s, the nearest timeout ZooKeeper grants instead.
    const tickTimeMs = useStore.getState().zookeeper.tickTimeMs
    const sessionTimeoutMs =
      tickTimeMs === undefined
        ? QUICK_WORKERS.sessionTimeoutMs
        : nearestGrantedTimeout(QUICK_WORKERS.sessionTimeoutMs, tickTimeMs)
    await lab().addWorkers({ task: QUICK_TASK, ...QUICK_WORKERS, sessionTimeoutMs })
  }, [])
  const { run, busy } = useLabAction('Quick start', quick)
  if (hasWorkers) return null
  return (
    <section className="card quickstart">
      <div>
        <h2 className="card-title">Quick start</h2>
        <p className="hint">
          {serverCount === 0 ? 'Start ZooKeeper, publish ' : 'Publish '}
          <code>{QUICK_TASK}</code> and start {QUICK_WORKERS.count} seed workers (commit every{' '}
          {QUICK_WORKERS.commitIntervalMs} ms, session timeout {QUICK_WORKERS.sessionTimeoutMs / 1000} s).
        </p>
      </div>
      <button type="button" className="btn btn-primary" disabled={busy} onClick={() => void run()}>
        {busy ? 'Starting…' : 'Quick start'}
      </button>
    </section>
  )
}
