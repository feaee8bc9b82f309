import { useCallback, useState } from 'react'
import { useShallow } from 'zustand/react/shallow'
import type { ZooKeeperAction, ZooKeeperOptions } from '../../../shared/api.js'
import type { ZkServerView } from '../../../shared/lab-state.js'
import { useStore } from '../app/store.js'
import { lab } from '../lab/connection.js'
import { useLabAction } from '../lab/actions.js'
import { Menu, MenuItem } from '../ui/Menu.js'
import { findLeader, quorumState, serverMode, summarizeCuts } from './zk-model.js'
import type { ServerPartitionSpec } from '../../../shared/server-partitions.js'
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
            <PartitionMenu size={servers.length} />
            <KillLeader />
          </>
        )}
      </header>
      {servers.length > 1 && <EnsembleStatus />}
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
            <ServerRow key={s.id} server={s} inEnsemble={servers.length > 1} />
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

/**
 * The ensemble at a glance: whether a majority serves, who leads in which epoch, and which links
 * between servers are cut now (with Heal links).
 */
function EnsembleStatus() {
  const quorum = useStore(useShallow((s) => quorumState(s.zookeeper.servers, s.zkStats)))
  const leader = useStore((s) => findLeader(s.zookeeper.servers, s.zkStats))
  const cuts = useStore((s) => s.zookeeper.cuts)
  const heal = useCallback(() => lab().healServers(), [])
  const { run, busy } = useLabAction('Heal the links between servers', heal)
  if (!quorum) return null
  const lines = summarizeCuts(cuts ?? [])
  return (
    <div className="zk-ensemble" data-testid="zk-ensemble">
      <span
        className={`tag ${quorum.hasQuorum ? 'tag-ok' : 'tag-bad'}`}
        data-testid="zk-quorum"
        title={`${quorum.serving} of ${quorum.size} servers serve; a quorum needs ${quorum.majority}`}
      >
        {quorum.hasQuorum ? 'quorum' : 'no quorum'} {quorum.serving}/{quorum.size}
      </span>
      <span className="tag zk-mode-leader" data-testid="zk-leader">
        {leader ? `leader ${leader.name}${leader.epoch !== undefined ? ` · epoch ${leader.epoch}` : ''}` : 'no leader'}
      </span>
      {lines.length > 0 && (
        <>
          <ul className="zk-cuts" aria-label="Links cut between servers" data-testid="zk-cuts">
            {lines.map((line) => (
              <li key={line} className="tag tag-bad mono">
                {line}
              </li>
            ))}
          </ul>
          <button
            type="button"
            className="btn btn-small"
            disabled={busy}
            aria-label="Heal links between servers"
            title="Every link between the servers back, both ways"
            onClick={() => void run()}
          >
            Heal links
          </button>
        </>
      )}
    </div>
  )
}

/** Partition shapes the app offers; `ring` only fits an ensemble of 5. */
const PARTITION_SHAPES: Array<{ spec: ServerPartitionSpec; label: string; hint: string; minServers?: number }> = [
  {
    spec: { shape: 'isolate', server: 'zk-leader' },
    label: 'Isolate leader',
    hint: 'Cut the leader off from every other server: the rest elect a new leader in a new epoch',
  },
  {
    spec: { shape: 'halves' },
    label: 'Halves',
    hint: 'Split a minority (drawn at random) from the majority: only the majority keeps a quorum',
  },
  {
    spec: { shape: 'ring' },
    label: 'Ring',
    hint: 'Each server hears only its two neighbours: each still sees a majority, no two the same one',
    minServers: 5,
  },
  {
    spec: { shape: 'one-way', from: 'zk-leader', to: 'others' },
    label: 'One-way leader → others',
    hint: 'What the leader sends is lost; it still hears the others (the followers miss its heartbeats)',
  },
]

/** Cuts between ensemble servers, through their per-link proxies; a new shape replaces the one in force. */
function PartitionMenu({ size }: { size: number }) {
  const call = useCallback((spec: ServerPartitionSpec) => lab().partitionServers(spec), [])
  const { run, busy } = useLabAction('Partition the ensemble', call)
  return (
    <Menu label="Partition ▾" ariaLabel="Partition the ensemble" align="right">
      {PARTITION_SHAPES.filter((p) => size >= (p.minServers ?? 0)).map((p) => (
        <MenuItem key={p.label} label={p.label} hint={p.hint} disabled={busy} onClick={() => void run(p.spec)} />
      ))}
    </Menu>
  )
}

function ServerRow({ server, inEnsemble }: { server: ZkServerView; inEnsemble: boolean }) {
  const stats = useStore((s) => s.zkStats[server.name])
  const act = useCallback(
    (action: ZooKeeperAction) => lab().zooKeeperAction({ server: server.id, action }),
    [server.id],
  )
  const { run, busy } = useLabAction(`ZooKeeper ${server.name}`, act)
  const isolate = useCallback(() => lab().partitionServers({ shape: 'isolate', server: server.name }), [server.name])
  const isolation = useLabAction(`Isolate ${server.name}`, isolate)
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
          {inEnsemble && server.state === 'running' && (
            <button
              type="button"
              className="btn btn-small"
              disabled={isolation.busy}
              aria-label={`Isolate ${server.name}`}
              title={`Cut ${server.name} off from every other server (its clients still reach it)`}
              onClick={() => void isolation.run()}
            >
              Isolate
            </button>
          )}
        </span>
      </div>
      <dl className="facts mono">
        <Fact label="port" value={server.port} />
        <Fact label="pid" value={live ? server.pid : undefined} />
        <Fact label="znodes" value={live ? stats?.nodeCount : undefined} />
        <Fact label="connections" value={live ? stats?.connections : undefined} />
        <Fact label="zxid" value={live ? stats?.zxid : undefined} />
        {inEnsemble && (
          <Fact
            label="epoch"
            value={live ? server.epoch : undefined}
            title="The epoch it last reported (its zxid's high 32 bits): the term of the leader it follows or is"
          />
        )}
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
