import { useCallback } from 'react'
import type { ZooKeeperAction } from '../../../shared/api'
import type { ZkServerView } from '../../../shared/lab-state'
import { useStore } from '../app/store'
import { lab } from '../lab/connection'
import { useLabAction } from '../lab/actions'

export function ZooKeeperSection() {
  const servers = useStore((s) => s.zookeeper.servers)
  const connectString = useStore((s) => s.zookeeper.connectString)
  const start = useCallback(() => lab().startZooKeeper(), [])
  const { run, busy } = useLabAction('Start ZooKeeper', start)
  return (
    <section className="card" aria-labelledby="zk-title">
      <header className="card-head">
        <h2 className="card-title" id="zk-title">
          ZooKeeper
        </h2>
        {connectString && <span className="mono muted small" title="Connect string">{connectString}</span>}
      </header>
      {servers.length === 0 ? (
        <div className="empty-row">
          <span className="muted">No server running in this session.</span>
          <button type="button" className="btn btn-primary" disabled={busy} onClick={() => void run()}>
            {busy ? 'Starting…' : 'Start ZooKeeper'}
          </button>
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

const SERVER_ACTIONS: Record<ZkServerView['state'], ZooKeeperAction[]> = {
  starting: ['kill'],
  running: ['stop', 'kill', 'pause', 'restart'],
  paused: ['resume', 'kill'],
  stopped: ['start'],
  crashed: ['start'],
}

function ServerRow({ server }: { server: ZkServerView }) {
  const stats = useStore((s) => s.zkStats[server.name])
  const act = useCallback((action: ZooKeeperAction) => lab().zooKeeperAction({ server: server.id, action }), [server.id])
  const { run, busy } = useLabAction(`ZooKeeper ${server.name}`, act)
  const live = server.state === 'running' || server.state === 'paused'
  const mode = stats?.mode ?? server.mode
  return (
    <li className="row server-row" data-server={server.name} data-state={server.state}>
      <div className="row-main">
        <span className={`state-badge state-${server.state}`}>
          <span className="dot" aria-hidden="true" />
          {server.state}
        </span>
        <span className="mono strong">{server.name}</span>
        {mode && <span className="tag">{mode}</span>}
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
        <Fact label="latency avg" value={live && stats?.latencyAvg !== undefined ? `${stats.latencyAvg} ms` : undefined} />
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
