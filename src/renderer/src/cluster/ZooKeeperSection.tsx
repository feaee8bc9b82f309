import { useCallback, useState } from 'react'
import type { ZooKeeperAction, ZooKeeperOptions } from '../../../shared/api.js'
import type { ZkServerView } from '../../../shared/lab-state.js'
import { useStore } from '../app/store.js'
import { lab } from '../lab/connection.js'
import { useLabAction } from '../lab/actions.js'
import { findLeader, serverMode } from './zk-model.js'

/** What Start offers: one local server, or a local ensemble (every server on 127.0.0.1). */
const START_MODES: Array<{ id: string; label: string; options: ZooKeeperOptions }> = [
  { id: 'standalone', label: 'Standalone', options: { mode: 'standalone' } },
  { id: 'ensemble-3', label: 'Ensemble of 3', options: { mode: 'ensemble', servers: 3 } },
  { id: 'ensemble-5', label: 'Ensemble of 5', options: { mode: 'ensemble', servers: 5 } },
]

export function ZooKeeperSection() {
  const servers = useStore((s) => s.zookeeper.servers)
  const connectString = useStore((s) => s.zookeeper.connectString)
  const [startMode, setStartMode] = useState(START_MODES[0].id)
  const start = useCallback((id: string) => lab().startZooKeeper(START_MODES.find((m) => m.id === id)?.options), [])
  const { run, busy } = useLabAction('Start ZooKeeper', start)
  return (
    <section className="card" aria-labelledby="zk-title">
      <header className="card-head">
        <h2 className="card-title" id="zk-title">
          ZooKeeper
        </h2>
        {servers.length > 1 && <span className="muted small">ensemble of {servers.length}</span>}
        {connectString && (
          <span className="mono muted small truncate" title={`Connect string: ${connectString}`}>
            {connectString}
          </span>
        )}
        {servers.length > 1 && (
          <>
            <span className="spacer" />
            <KillLeader />
          </>
        )}
      </header>
      {servers.length === 0 ? (
        <div className="empty-row">
          <span className="muted">No server running in this session.</span>
          <span className="start-zk">
            <label className="sr-only" htmlFor="zk-start-mode">
              ZooKeeper set-up
            </label>
            <select
              id="zk-start-mode"
              className="input"
              value={startMode}
              onChange={(e) => setStartMode(e.target.value)}
              disabled={busy}
            >
              {START_MODES.map((m) => (
                <option key={m.id} value={m.id}>
                  {m.label}
                </option>
              ))}
            </select>
            <button
              type="button"
              className="btn btn-primary"
              disabled={busy}
              aria-label="Start ZooKeeper"
              onClick={() => void run(startMode)}
            >
              {busy ? 'Starting…' : 'Start ZooKeeper'}
            </button>
          </span>
        </div>
      ) : (
        <ul className="rows">
          {servers.map((s) => (
            <ServerRow key={s.id} server={s} />
          ))}
        </ul>
      )}
    </section>
  )
}

/** SIGKILL whichever server leads the ensemble right now: the classic ZooKeeper failover drill. */
function KillLeader() {
  const leader = useStore((s) => findLeader(s.zookeeper.servers, s.zkStats))
  const kill = useCallback(() => {
    const { zookeeper, zkStats } = useStore.getState()
    const current = findLeader(zookeeper.servers, zkStats)
    if (!current) throw new Error('No server is leading the ensemble right now (an election may be running).')
    return lab().zooKeeperAction({ server: current.id, action: 'kill' })
  }, [])
  const { run, busy } = useLabAction('Kill the ZooKeeper leader', kill)
  return (
    <button
      type="button"
      className="btn btn-small btn-danger"
      disabled={busy || !leader}
      aria-label="Kill the ZooKeeper leader"
      title={
        leader
          ? `SIGKILL ${leader.name}, the leader: the others elect a new one`
          : 'No leader right now (an election may be running)'
      }
      onClick={() => void run()}
    >
      Kill leader{leader ? ` (${leader.name})` : ''}
    </button>
  )
}

const SERVER_ACTIONS: Record<ZkServerView['state'], ZooKeeperAction[]> = {
  starting: ['kill'],
  running: ['stop', 'kill', 'pause', 'restart'],
  paused: ['resume', 'kill'],
  stopped: ['start'],
  crashed: ['start'],
}

function ServerRow({ server }: { server: ZkServerView }) {
  const stats = useStore((s) => s.zkStats[server.name])
  const act = useCallback(
    (action: ZooKeeperAction) => lab().zooKeeperAction({ server: server.id, action }),
    [server.id],
  )
  const { run, busy } = useLabAction(`ZooKeeper ${server.name}`, act)
  const live = server.state === 'running' || server.state === 'paused'
  const mode = serverMode(server, stats)
  return (
    <li className="row server-row" data-server={server.name} data-state={server.state}>
      <div className="row-main">
        <span className={`state-badge state-${server.state}`}>
          <span className="dot" aria-hidden="true" />
          {server.state}
        </span>
        <span className="mono strong">{server.name}</span>
        {mode && (
          <span className={`tag zk-mode zk-mode-${mode}`} data-testid={`zk-mode-${server.name}`}>
            {mode}
          </span>
        )}
        <span className="row-actions">
          {SERVER_ACTIONS[server.state].map((action) => (
            <button
              key={action}
              type="button"
              className={`btn btn-small ${action === 'kill' ? 'btn-danger' : ''}`}
              disabled={busy}
              aria-label={`${capitalize(action)} ${server.name}`}
              onClick={() => void run(action)}
            >
              {capitalize(action)}
            </button>
          ))}
        </span>
      </div>
      <dl className="facts mono">
        <Fact label="port" value={server.port} />
        <Fact label="pid" value={live ? server.pid : undefined} />
        <Fact label="znodes" value={live ? stats?.nodeCount : undefined} />
        <Fact label="connections" value={live ? stats?.connections : undefined} />
        <Fact label="zxid" value={live ? stats?.zxid : undefined} />
        <Fact
          label="latency avg"
          value={live && stats?.latencyAvg !== undefined ? `${stats.latencyAvg} ms` : undefined}
        />
        <Fact label="outstanding" value={live ? stats?.outstanding : undefined} />
        {server.version && <Fact label="version" value={server.version.split(/[-,\s]/)[0]} title={server.version} />}
      </dl>
    </li>
  )
}

export function Fact({ label, value, title }: { label: string; value: string | number | undefined; title?: string }) {
  return (
    <div className="fact" title={title}>
      <dt>{label}</dt>
      <dd>{value ?? '—'}</dd>
    </div>
  )
}

export const capitalize = (s: string) => s.charAt(0).toUpperCase() + s.slice(1)
