import { useCallback, useState } from 'react'
import type { ZooKeeperAction, ZooKeeperOptions } from '../../../shared/api.js'
import type { ZkServerView } from '../../../shared/lab-state.js'
import { useStore } from '../app/store.js'
import { lab } from '../lab/connection.js'
import { useLabAction } from '../lab/actions.js'
import { findLeader, serverMode } from './zk-model.js'
import { startZooKeeperOrExplain } from '../setup/start-zookeeper.js'
import {
  TICK_TIME_DEFAULT_MS,
  TICK_TIME_MAX_MS,
  TICK_TIME_MIN_MS,
  grantedSessionTimeouts,
  tickTimeProblem,
} from '../../../shared/session-timeout.js'

/** What Start offers: one local server, or a local ensemble (every server on 127.0.0.1). */
const START_MODES: Array<{ id: string; label: string; options: ZooKeeperOptions }> = [
  { id: 'standalone', label: 'Standalone', options: { mode: 'standalone' } },
  { id: 'ensemble-3', label: 'Ensemble of 3', options: { mode: 'ensemble', servers: 3 } },
  { id: 'ensemble-5', label: 'Ensemble of 5', options: { mode: 'ensemble', servers: 5 } },
]

export function ZooKeeperSection() {
  const servers = useStore((s) => s.zookeeper.servers)
  const connectString = useStore((s) => s.zookeeper.connectString)
  const tickTimeMs = useStore((s) => s.zookeeper.tickTimeMs)
  const [startMode, setStartMode] = useState(START_MODES[0].id)
  const [tickText, setTickText] = useState(String(TICK_TIME_DEFAULT_MS))
  const tickProblem = tickTimeProblem(Number(tickText))
  const start = useCallback(
    (id: string, tick: number) =>
      startZooKeeperOrExplain(() =>
        lab().startZooKeeper({ ...START_MODES.find((m) => m.id === id)?.options, tickTimeMs: tick }),
      ),
    [],
  )
  const { run, busy } = useLabAction('Start ZooKeeper', start)
  return (
    <section className="card" aria-labelledby="zk-title">
      <header className="card-head">
        <h2 className="card-title" id="zk-title">
          ZooKeeper
        </h2>
        {servers.length > 1 && <span className="muted small">ensemble of {servers.length}</span>}
        {servers.length > 0 && tickTimeMs !== undefined && <TickTag tickTimeMs={tickTimeMs} />}
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
            <label className="small muted" htmlFor="zk-tick-time">
              tickTime
            </label>
            <input
              id="zk-tick-time"
              className={`input input-timeout mono ${tickProblem ? 'input-invalid' : ''}`}
              type="number"
              min={TICK_TIME_MIN_MS}
              max={TICK_TIME_MAX_MS}
              step={50}
              value={tickText}
              disabled={busy}
              aria-invalid={tickProblem ? true : undefined}
              aria-describedby="zk-tick-help"
              onChange={(e) => setTickText(e.target.value)}
            />
            <span className="small muted">ms</span>
            <button
              type="button"
              className="btn btn-primary"
              disabled={busy || tickProblem !== undefined}
              aria-label="Start ZooKeeper"
              onClick={() => void run(startMode, Number(tickText))}
            >
              {busy ? 'Starting…' : 'Start ZooKeeper'}
            </button>
          </span>
          <TickHelp problem={tickProblem} tickText={tickText} />
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

/** The running servers' tickTime, and what it means for sessions. */
function TickTag({ tickTimeMs }: { tickTimeMs: number }) {
  const granted = grantedSessionTimeouts(tickTimeMs)
  return (
    <span
      className="tag mono"
      data-testid="zk-tick-time"
      title={`tickTime ${tickTimeMs} ms: ZooKeeper grants session timeouts of ${granted.fromMs}–${granted.toMs} ms (2–20 ticks) and expires a silent session up to one tick after its timeout`}
    >
      tick {tickTimeMs} ms
    </span>
  )
}

/** Under the start controls: the session timeouts this tickTime lets workers have, or why it is refused. */
function TickHelp({ problem, tickText }: { problem: string | undefined; tickText: string }) {
  if (problem) {
    return (
      <p className="field-error small" id="zk-tick-help" role="alert">
        {problem}
      </p>
    )
  }
  const granted = grantedSessionTimeouts(Number(tickText))
  return (
    <p className="hint" id="zk-tick-help">
      Sessions may then time out after {granted.fromMs}–{granted.toMs} ms (2–20 ticks); a crashed worker is noticed up
      to one tick after its timeout.
    </p>
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
