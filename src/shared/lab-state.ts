/**
 * The lab's state as a pure function of its journal. The core answers `snapshot()` with it, the
 * renderer keeps its own copy from the same events, and a past session is replayed through it: one
 * reducer, so every view agrees on what happened.
 */
import {
  LabEventTypes,
  MonitorEventTypes,
  ObserverEventTypes,
  WorkerEventTypes,
  type AlertKind,
  type EventOf,
  type LabEvent,
  type ZnodeStat,
} from './events.js'
import { commitPosition } from './binlog.js'
import { formatCommandLine } from './command-line.js'
import { isPeerStrategy, type ClockSkew } from './worker-launch/index.js'
import { verdictState, type VerdictSummary, type Violation } from './checker-report.js'

export type ProcessStatus = 'running' | 'paused' | 'stopped' | 'crashed'

export interface ProcessView {
  name: string
  kind: string
  pid: number
  status: ProcessStatus
  startedAt: number
  exitedAt?: number
  exitCode?: number | null
  exitSignal?: string | null
  labels: Record<string, string | number>
}

/** One ZooKeeper session a worker had, as its proxy saw the handshakes (client.session). */
export interface WorkerSessionView {
  sessionId: string
  /** How the lab first saw it: `new`, or `resumed`/`expired` when its opening went unseen. */
  how: 'new' | 'resumed' | 'expired'
  /** When the lab first saw it. */
  time: number
  /** The negotiated timeout, ms (0 if only seen expired). */
  timeoutMs: number
  /** Reconnects to it (resumed handshakes). */
  resumes: number
  /** When ZooKeeper answered a resume of it with "expired". */
  expiredAt?: number
}

/** The sessions kept per worker: the latest ones, enough for any run the lab grades. */
export const MAX_WORKER_SESSIONS = 50

export interface WorkerView {
  name: string
  task: string
  workerId: number
  strategy: string
  /** What the worker last said it is; `starting` until it has registered. */
  role: 'starting' | 'primary' | 'standby'
  status: ProcessStatus
  node?: string
  /** The latest session the worker or its proxy reported. */
  sessionId?: string
  /** Every session its proxy saw it get, oldest first (the latest MAX_WORKER_SESSIONS; none in old journals). */
  sessions: WorkerSessionView[]
  lastCommit?: number
  commits: number
  connection?: string
  pid?: number
  startedAt?: number
  /** Its wall clock's offset and rate, when the lab skewed it (libfaketime). */
  clock?: ClockSkew
}

export interface ZkServerView {
  id: number
  name: string
  port?: number
  pid?: number
  state: 'starting' | 'running' | 'stopped' | 'paused' | 'crashed'
  mode?: string
  version?: string
  /** From the latest `srvr` (zk.stats). */
  nodeCount?: number
  connections?: number
  zxid?: string
  /** The epoch it last reported (zk.mode, zk.stats): the term of the leader it follows or is. */
  epoch?: number
}

export interface TaskView {
  name: string
  status?: string
  lastCommit?: number
  /** Instance node names, sorted: the first is the one that should be primary. */
  instances: string[]
}

export interface ZnodeView {
  path: string
  stat: ZnodeStat
  data: string
  truncated?: boolean
}

export interface AlertView {
  task: string
  kind: AlertKind
  message: string
  since: number
}

/** A violation found live, as the `checker.violation` event carries it: `at` is when it happened (not when it was found). */
export type ViolationView = Pick<Violation, 'invariant' | 'task' | 'kind' | 'message' | 'workers'> & { at: number }

/** A final verdict; one from a journal older than verdict states has its state derived from `ok`. */
export type VerdictView = VerdictSummary

/** Violations kept in the state; the journal keeps every one. */
const MAX_VIOLATIONS = 500

/** Why a session stopped recording; its journal is whole up to `lastRecordedSeq`. */
export interface RecordingFailureView {
  reason: string
  code?: string
  time: number
  lastRecordedSeq: number
}

export interface LabState {
  session?: { dir: string; name: string; createdAt: number; recordingFailed?: RecordingFailureView }
  lastSeq: number
  lastTime: number
  /** `tickTimeMs`: what the lab started its servers with (none for an external ZooKeeper, or in old journals). */
  /** `cuts`: the directions between ensemble servers lost now (zk.links; `from`'s messages do not reach `to`). */
  zookeeper: {
    connectString?: string
    tickTimeMs?: number
    servers: ZkServerView[]
    cuts?: Array<{ from: string; to: string }>
  }
  processes: Record<string, ProcessView>
  workers: Record<string, WorkerView>
  tasks: Record<string, TaskView>
  tree: Record<string, ZnodeView>
  alerts: AlertView[]
  /** Found live by the checker, in the order they were found. */
  violations: ViolationView[]
  /** The scenario this session runs, if any, and how far it got. */
  /** `command`: the external program every task's workers ran, as a command line (runs with an external override). */
  scenario?: {
    name: string
    strategy?: string
    command?: string
    running: boolean
    step?: string
    ok?: boolean
    error?: string
    startedAt: number
    /** The seed of its random choices (nemesis schedules, random targets): a run with it replays them. */
    seed?: number
  }
  /** The latest watch graph and server sessions the lab polled (zookeeper.watches, zookeeper.sessions). */
  watches?: Omit<EventOf<'zookeeper.watches'>, 'seq' | 'source' | 'type'>
  sessions?: Omit<EventOf<'zookeeper.sessions'>, 'seq' | 'source' | 'type'>
  /** The checker's final verdicts, once the session has closed. */
  verdicts?: { ok: boolean; verdicts: VerdictView[] }
  /** The binlog workload's MariaDB source, once the lab started one (mariadb.* events). */
  source?: SourceView
}

/** The MariaDB source as its events tell it. */
export interface SourceView {
  port: number
  pid?: number
  state: 'running' | 'paused' | 'stopped' | 'crashed'
  /** The last GTID position recorded ('' before its first transaction). */
  gtid: string
  binlogFiles: Array<{ name: string; size: number }>
  /** Why it last stopped. */
  stopReason?: string
}

export function emptyLabState(): LabState {
  return {
    lastSeq: 0,
    lastTime: 0,
    zookeeper: { servers: [] },
    processes: {},
    workers: {},
    tasks: {},
    tree: {},
    alerts: [],
    violations: [],
  }
}

/** The lab's ZooKeeper root and the seed's layout below it. */
export const LAB_ROOT = '/customBackUp'
const TASK_PATH = new RegExp(`^${LAB_ROOT}/tasks/([^/]+)(?:/(instance|lastCommit|status)(?:/([^/]+))?)?$`)

/** Applies one event in place; callers that need a new reference copy the parts they watch. */
export function applyEvent(state: LabState, e: LabEvent): void {
  state.lastSeq = Math.max(state.lastSeq, e.seq)
  state.lastTime = Math.max(state.lastTime, e.time)
  const worker = state.workers[e.source]
  switch (e.type) {
    case LabEventTypes.sessionCreated:
      state.session = { dir: e.dir, name: e.name, createdAt: e.time }
      break
    case LabEventTypes.recordingFailed:
      if (state.session) {
        state.session.recordingFailed = {
          reason: e.reason,
          ...(e.code ? { code: e.code } : {}),
          time: e.time,
          lastRecordedSeq: e.lastRecordedSeq,
        }
      }
      break
    case LabEventTypes.zkStarting:
    case LabEventTypes.zkReady:
    case LabEventTypes.zkMode:
    case LabEventTypes.zkFailed:
    case LabEventTypes.zkStopped: {
      const server = zkServer(state, e.server)
      if ('port' in e) server.port = e.port
      if ('pid' in e && e.pid !== undefined) server.pid = e.pid
      if ('mode' in e) server.mode = e.mode
      if ('epoch' in e && e.epoch !== undefined) server.epoch = e.epoch
      if ('version' in e) server.version = e.version
      server.name = e.name
      if (e.type === LabEventTypes.zkStarting) {
        server.state = 'starting'
        if (e.tickTimeMs !== undefined) state.zookeeper.tickTimeMs = e.tickTimeMs
      } else if (e.type === LabEventTypes.zkReady) server.state = 'running'
      else if (e.type === LabEventTypes.zkFailed) server.state = 'crashed'
      // A kill the lab fired on purpose is still a stop; only an exit nobody asked for is a crash.
      else if (e.type === LabEventTypes.zkStopped) server.state = e.how === 'crashed' ? 'crashed' : 'stopped'
      break
    }
    case LabEventTypes.mariadbStarted:
      state.source = {
        binlogFiles: [],
        ...state.source,
        port: e.port,
        pid: e.pid,
        state: 'running',
        gtid: e.gtid,
      }
      break
    case LabEventTypes.mariadbStopped:
      if (state.source) {
        state.source.state = e.reason === 'crashed' ? 'crashed' : 'stopped'
        state.source.stopReason = e.reason
        delete state.source.pid
      }
      break
    case LabEventTypes.mariadbPaused:
      if (state.source) state.source.state = 'paused'
      break
    case LabEventTypes.mariadbResumed:
      if (state.source) state.source.state = 'running'
      break
    case LabEventTypes.mariadbPosition:
      if (state.source) {
        state.source.gtid = e.gtid
        state.source.binlogFiles = e.binlogFiles
      }
      break
    case LabEventTypes.zkStats: {
      const server = zkServer(state, e.server)
      Object.assign(server, { nodeCount: e.nodeCount, connections: e.connections, zxid: e.zxid, mode: e.mode })
      const epoch = epochOfZxid(e.zxid)
      if (epoch !== undefined) server.epoch = epoch
      break
    }
    case LabEventTypes.zookeeperWatches:
      state.watches = {
        time: e.time,
        edges: e.edges,
        counts: e.counts,
        totals: e.totals,
        ...(e.omitted ? { omitted: e.omitted } : {}),
      }
      break
    case LabEventTypes.zookeeperSessions:
      state.sessions = { time: e.time, connections: e.connections }
      break
    case LabEventTypes.zkLinks:
      state.zookeeper.cuts = e.cuts.map((c) => ({ ...c }))
      break
    case LabEventTypes.processSpawned: {
      const name = e.name
      const labels = e.labels ?? {}
      state.processes[name] = { name, kind: e.kind, pid: e.pid, status: 'running', startedAt: e.time, labels }
      if (e.kind === 'worker' || e.kind === 'external') {
        const previous = state.workers[name]
        state.workers[name] = {
          name,
          // Labels are the lab's own words: task and strategy as text, the worker id as a number.
          task: `${labels.task ?? previous?.task ?? ''}`,
          workerId: Number(labels.workerId ?? previous?.workerId ?? 0),
          strategy: `${labels.strategy ?? previous?.strategy ?? ''}`,
          role: 'starting',
          status: 'running',
          commits: previous?.commits ?? 0,
          // A restarted worker is the same worker: its past sessions stay with it.
          sessions: previous?.sessions ?? [],
          lastCommit: previous?.lastCommit,
          pid: e.pid,
          startedAt: e.time,
          ...(e.clock ? { clock: e.clock } : {}),
        }
      }
      break
    }
    case LabEventTypes.processAction: {
      const process = state.processes[e.name]
      const target = state.workers[e.name]
      if (e.action === 'pause' || e.action === 'resume') {
        const status = e.action === 'pause' ? 'paused' : 'running'
        if (process) process.status = status
        if (target) target.status = status
        const server = state.zookeeper.servers.find((s) => s.name === e.name)
        if (server) server.state = status
      }
      break
    }
    case LabEventTypes.processExited: {
      const name = e.name
      const process = state.processes[name]
      // A process that exits on a signal or with an error crashed, unless the lab stopped it on purpose.
      const crashed = e.signal === 'SIGKILL' || (!e.expected && e.code !== 0)
      const status: ProcessStatus = crashed ? 'crashed' : 'stopped'
      if (process && process.pid === e.pid) {
        Object.assign(process, { status, exitedAt: e.time, exitCode: e.code, exitSignal: e.signal })
      }
      const target = state.workers[name]
      if (target && target.pid === e.pid) target.status = status
      const server = state.zookeeper.servers.find((s) => s.name === name && s.pid === e.pid)
      if (server) server.state = status === 'crashed' ? 'crashed' : 'stopped'
      break
    }
    case WorkerEventTypes.started:
      if (worker) {
        Object.assign(worker, { task: e.task, workerId: e.workerId, strategy: e.strategy })
      }
      break
    case WorkerEventTypes.connected:
      if (worker) {
        worker.sessionId = e.sessionId
        worker.connection = 'connected'
      }
      break
    case WorkerEventTypes.connection:
      if (worker) worker.connection = e.state
      break
    case WorkerEventTypes.registered:
      if (worker) worker.node = e.node
      break
    case WorkerEventTypes.role:
      if (worker) worker.role = e.role
      break
    case LabEventTypes.externalRole: {
      // Derived by the lab from the instance nodes: external programs report nothing themselves.
      const target = state.workers[e.name]
      if (target) {
        target.role = e.role
        if (e.node !== null) target.node = e.node
        else delete target.node
        if (e.sessionId !== null) target.sessionId = e.sessionId
      }
      break
    }
    case LabEventTypes.clientSession: {
      const target = state.workers[e.name]
      if (target) addWorkerSession(target, e)
      break
    }
    case WorkerEventTypes.commit:
      if (worker) {
        worker.lastCommit = e.id
        worker.commits += 1
      }
      break
    case ObserverEventTypes.created:
    case ObserverEventTypes.changed: {
      const path = e.path
      state.tree[path] = { path, stat: e.stat, data: e.data, ...(e.truncated ? { truncated: true } : {}) }
      updateTask(state, path, e.data, false)
      break
    }
    case ObserverEventTypes.deleted: {
      const path = e.path
      const hadChildren = (state.tree[path]?.stat?.numChildren ?? 1) > 0
      delete state.tree[path]
      // The observer reports children before their parent; a scan is needed only if some are left.
      if (hadChildren) {
        for (const known of Object.keys(state.tree)) if (known.startsWith(path + '/')) delete state.tree[known]
      }
      updateTask(state, path, '', true)
      break
    }
    case MonitorEventTypes.alert: {
      const { task, kind } = e
      state.alerts = state.alerts.filter((a) => !(a.task === task && a.kind === kind))
      state.alerts.push({ task, kind, message: e.message, since: e.time })
      break
    }
    case LabEventTypes.violation:
      state.violations.push({
        invariant: e.invariant,
        task: e.task,
        kind: e.kind,
        message: e.message,
        at: e.at,
        ...(e.workers ? { workers: e.workers } : {}),
      })
      if (state.violations.length > MAX_VIOLATIONS) state.violations.splice(0, state.violations.length - MAX_VIOLATIONS)
      break
    case LabEventTypes.scenarioStarted:
      state.scenario = {
        name: e.scenario,
        ...(e.strategy !== null ? { strategy: e.strategy } : {}),
        ...(externalCommandLine(e.external) ? { command: externalCommandLine(e.external) } : {}),
        running: true,
        startedAt: e.time,
        ...(e.seed !== undefined ? { seed: e.seed } : {}),
      }
      break
    case LabEventTypes.scenarioStep:
      if (state.scenario) state.scenario.step = e.path
      break
    case LabEventTypes.scenarioResult:
      if (state.scenario) {
        state.scenario.running = false
        state.scenario.ok = e.ok
        if (e.error !== null) state.scenario.error = e.error
      }
      break
    case LabEventTypes.checkReport:
      // A journal written before verdict states carries only `ok`: derive the state from it.
      state.verdicts = { ok: e.ok, verdicts: e.verdicts.map((v) => ({ ...v, state: verdictState(v) })) }
      break
    case MonitorEventTypes.cleared:
      state.alerts = state.alerts.filter((a) => !(a.task === e.task && a.kind === e.kind))
      break
  }
}

export function replay(events: Iterable<LabEvent>, upToSeq = Infinity): LabState {
  const state = emptyLabState()
  for (const e of events) {
    if (e.seq > upToSeq) break
    applyEvent(state, e)
  }
  return state
}

/** The workers of a task that currently say they are primary and are alive. */
export function primariesOf(state: LabState, task: string): WorkerView[] {
  return Object.values(state.workers).filter(
    (w) => w.task === task && w.role === 'primary' && (w.status === 'running' || w.status === 'paused'),
  )
}

function zkServer(state: LabState, id: number): ZkServerView {
  let server = state.zookeeper.servers.find((s) => s.id === id)
  if (!server) {
    server = { id, name: `zk-${id}`, state: 'starting' }
    state.zookeeper.servers.push(server)
    state.zookeeper.servers.sort((a, b) => a.id - b.id)
  }
  return server
}

function updateTask(state: LabState, path: string, data: string, deleted: boolean): void {
  const match = TASK_PATH.exec(path)
  if (!match) return
  const [, name, child, instance] = match
  if (!child) {
    if (deleted) delete state.tasks[name]
    else state.tasks[name] ??= { name, instances: [] }
    return
  }
  const task = (state.tasks[name] ??= { name, instances: [] })
  if (child === 'status' && !instance) task.status = deleted ? undefined : data
  // A counter's id, or a binlog task's GTID by its sequence number.
  if (child === 'lastCommit' && !instance) task.lastCommit = deleted || data === '' ? undefined : commitPosition(data)
  if (child === 'instance' && instance) {
    // Kept sorted by insertion, in place: a sort or a copy per event would be quadratic for tasks
    // with thousands of instances. Views that need a new reference copy it themselves.
    const list = task.instances
    const key = instance.slice(-10)
    let lo = 0
    let hi = list.length
    while (lo < hi) {
      const mid = (lo + hi) >> 1
      if (list[mid].slice(-10) < key) lo = mid + 1
      else hi = mid
    }
    // Sequence numbers are unique per parent, so the name, if present, sits at `lo`.
    const present = list[lo] === instance
    if (deleted && present) list.splice(lo, 1)
    else if (!deleted && !present) list.splice(lo, 0, instance)
  }
}

/** The external program of a scenario.started event as a command line, if it names one. */
function externalCommandLine(external: unknown): string | undefined {
  if (!external || typeof external !== 'object') return undefined
  const { command, args, env } = external as { command?: unknown; args?: unknown; env?: unknown }
  if (typeof command !== 'string') return undefined
  return formatCommandLine({
    command,
    args: Array.isArray(args) ? args.map(String) : [],
    env: env && typeof env === 'object' ? Object.fromEntries(Object.entries(env).map(([k, v]) => [k, String(v)])) : {},
  })
}

/** One handshake into the worker's sessions: a new entry per session id, resumes and expiry on it. */
function addWorkerSession(worker: WorkerView, e: EventOf<typeof LabEventTypes.clientSession>): void {
  let session = worker.sessions.find((s) => s.sessionId === e.sessionId)
  if (!session) {
    session = { sessionId: e.sessionId, how: e.how, time: e.time, timeoutMs: e.timeoutMs, resumes: 0 }
    worker.sessions.push(session)
    if (worker.sessions.length > MAX_WORKER_SESSIONS) worker.sessions.shift()
  } else if (e.how === 'resumed') session.resumes += 1
  if (e.how === 'expired') {
    // The worker's next session (if it opens one) becomes current; until then the last one stays shown.
    session.expiredAt ??= e.time
    return
  }
  session.timeoutMs = e.timeoutMs
  worker.sessionId = e.sessionId
}

/**
 * A worker the lab grades from ZooKeeper alone: the user's own program or one of the lab's peers.
 * Neither reports its role or commits; both are read off the election, lastCommit and the sink.
 */
export function isExternalWorker(worker: { strategy: string }): boolean {
  return worker.strategy === 'external' || isPeerStrategy(worker.strategy)
}

/** A zxid's epoch (its high 32 bits), or undefined for something that is not a zxid. */
export function epochOfZxid(zxid: string): number | undefined {
  if (!/^0x[0-9a-f]{1,16}$/i.test(zxid)) return undefined
  return Number(BigInt(zxid) >> 32n)
}
