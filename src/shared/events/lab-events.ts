/** What the lab core itself writes into the journal (source `lab`, or `checker` for the checker's events). */
import type { ExternalWorker, FaultDirection, NetworkFault, ProcessAction } from '../api.js'
import type { FailoverBreakdown, InvariantName, VerdictSummary, ViolationKind } from '../checker-report.js'
import type { Step, Target } from '../scenario.js'
import type { NemesisFault, NemesisPick } from '../nemesis/index.js'
import type { ClockSkew, LaunchSettings } from '../worker-launch/index.js'

export type ProcessKind = 'zookeeper' | 'worker' | 'publisher' | 'monitor' | 'observer' | 'external'

/** A new session folder and journal. */
export interface SessionCreated {
  dir: string
  name: string
}

/**
 * The session's files could not be written (a full disk, an I/O error): the lab records nothing more
 * and stops every process. In memory only (listeners and the live state get it, the journal cannot).
 */
export interface RecordingFailed {
  reason: string
  code?: string
  dir: string
  lastRecordedSeq: number
}

/** Which ZooKeeper server: `server` is the ensemble's myid (1…n), `name` its process name (`zk-1`). */
export interface ZkServerId {
  server: number
  name: string
}

/** The lab launched a ZooKeeper server (`pid` absent for a container). */
export interface ZkStarting extends ZkServerId {
  port: number
  pid?: number
  /** The tickTime it was configured with (absent in journals written before the lab recorded it). */
  tickTimeMs?: number
}

/** A ZooKeeper server answered `srvr` as serving for the first time. */
export interface ZkReady extends ZkServerId {
  port: number
  pid?: number
  mode: string
  version: string
  /** From launch to serving. */
  startMs: number
}

/** A ZooKeeper server ended: stopped or killed by the lab, or crashed. */
export interface ZkStopped extends ZkServerId {
  how: 'stop' | 'kill' | 'crashed'
  code: number | null
  signal: string | null
}

/** `srvr` showed a new mode ('not-serving' without a quorum). */
export interface ZkMode extends ZkServerId {
  mode: string
  previous: string
  /** The epoch `srvr` reported with the new mode (its zxid's high 32 bits); a new leader's is its term. */
  epoch?: number
}

/**
 * The links between ensemble servers changed. `cuts` lists every direction lost from now on (empty:
 * every link heals); `from`'s messages no longer reach `to`. Recorded once the proxies have it in force.
 */
export interface ZkLinks {
  shape: 'isolate' | 'halves' | 'ring' | 'one-way' | 'heal'
  /** In words, with the servers it hit (`zk-2 (leader) cut off from zk-1, zk-3`). */
  description: string
  cuts: Array<{ from: string; to: string }>
}

/** A server did not become ready. */
export interface ZkFailed extends ZkServerId {
  message: string
}

/** A server's `srvr` numbers, recorded when they change. */
export interface ZkStats extends ZkServerId {
  nodeCount: number
  connections: number
  mode: string
  zxid: string
  latencyAvg: number
  outstanding: number
}

/** The supervisor started a process. */
export interface ProcessSpawned {
  name: string
  kind: ProcessKind
  pid: number
  command: string
  args: string[]
  /** What the lab knows about it: task, worker id, … */
  labels?: Record<string, string | number>
  /** The program and the settings it was launched with (src/shared/worker-launch); absent in older journals. */
  settings?: LaunchSettings
  /**
   * Its wall clock's offset and rate (libfaketime), when the lab set one: its events' `time` is then
   * the lab's receive time and `ownTime` its own clock.
   */
  clock?: ClockSkew
}

/** A process ended; `expected` when the lab asked it to. */
export interface ProcessExited {
  name: string
  pid: number
  code: number | null
  signal: string | null
  expected: boolean
}

/** The lab acted on a process (a fault, or teardown after session.closing). */
export interface ProcessActed {
  name: string
  action: ProcessAction
}

/** A process crashed again after its last allowed restart. */
export interface ProcessGaveUp {
  name: string
  restarts: number
  code: number | null
  signal: string | null
  message: string
}

/** A child's plain lines over the per-child rate, counted once a second. */
export interface LogDropped {
  name: string
  dropped: number
  message: string
}

/** One line of a process's output that is not an event of its own. */
export interface LogLine {
  stream: 'stdout' | 'stderr'
  line: string
}

/** A task was published, or deleted, through the lab. */
export interface TaskChange {
  task: string
}

/** A scenario began. */
export interface ScenarioStarted {
  scenario: string
  /** The strategy every task runs, `external` with --external, null for the lab's default. */
  strategy: string | null
  external?: ExternalWorker
  description: string
  expect: 'all' | 'none' | InvariantName[]
  /** Seeds every random choice of the run: the scenario's, `--seed`'s, or drawn (absent in older journals). */
  seed?: number
}

/** A nemesis step planned its schedule from the run's seed: every fault it will make, in order. */
export interface NemesisSchedule {
  /** The step's place in the scenario: `steps[2]`. */
  path: string
  task: string
  /** The run's seed, and the one this step drew from (derived from it and the path). */
  seed: number
  stepSeed: number
  forMs: number
  picks: NemesisPick[]
}

/** A nemesis made one fault of its schedule (or could not: `skipped` says why). */
export interface NemesisFaultMade {
  path: string
  /** The pick's index in the schedule, from 1. */
  index: number
  kind: NemesisFault
  /** As the schedule names it, and the worker or server it resolved to now. */
  target: Target
  hit: string | null
  durationMs: number
  /** The steps it ran (a drawn latency included), targets resolved. */
  steps: Step[]
  skipped?: string
}

/** A scenario step began; a `parallel` step is recorded by its size, its branches each on their own. */
export interface ScenarioStep {
  /** Where it is in the scenario: `steps[3].parallel[1]`. */
  path: string
  step: Step | { parallel: number }
}

/** A scenario ended. */
export interface ScenarioResult {
  scenario: string
  ok: boolean
  error: string | null
}

/**
 * A network fault on a lab worker's path to ZooKeeper, recorded once it is in force. Only the fields
 * of its kind are present; a fault adds to those in force (one of each kind per direction), `heal`
 * clears them all.
 */
export interface NetworkFaultApplied {
  name: string
  fault: NetworkFault
  /** Which way it hits: upstream worker → ZooKeeper, downstream ZooKeeper → worker (absent: both). */
  direction?: FaultDirection
  /** The probability that a given connection is affected, decided per connection (absent: 1). */
  toxicity?: number
  /** slow: the added delay and its random spread. */
  latencyMs?: number
  jitterMs?: number
  /** loss: the probability that a chunk waits for a retransmission timeout. */
  probability?: number
  /** bandwidth: bytes per second in each direction hit. */
  bytesPerSecond?: number
  /** slicer: slice size, and the delay between slices. */
  sliceBytes?: number
  sliceDelayMs?: number
  /** slow-close: how long the proxy waits before closing the other side. */
  delayMs?: number
  /** The seed of the link's random source, when one was given. */
  seed?: number
}

/** The live checker found a violation (once each). */
export interface CheckerViolation {
  invariant: InvariantName
  task: string
  kind: ViolationKind
  message: string
  /** When it began. */
  at: number
  workers?: string[]
  /** At most the first 50. */
  ids?: number[]
}

/** The final verdicts, from the sinks, when the session closes. */
export interface CheckerReportEvent {
  ok: boolean
  /** Each verdict with its number of violations (the violations themselves are in report.json). */
  verdicts: Array<Omit<VerdictSummary, 'state'> & Partial<Pick<VerdictSummary, 'state'>>>
  failovers: FailoverBreakdown[]
}

/** An external worker's role as the lab reads it off ZooKeeper (they report nothing themselves). */
export interface ExternalRole {
  name: string
  task: string
  role: 'starting' | 'primary' | 'standby'
  node: string | null
  smallest: string | null
  sessionId: string | null
  derivedFrom: 'zookeeper'
  /**
   * How its node was tied to it: `proxy`, the node's owner session is one its proxy saw it open
   * (client.session); `node-name`, the node is named `server_<workerId>_…` (journals without them).
   */
  attributedBy?: 'proxy' | 'node-name'
}

/**
 * A ZooKeeper session handed to a worker, read by its proxy off the wire (the ConnectResponse): the
 * lab knows every session each worker opens as it opens it, whatever the program and its node names.
 */
export interface ClientSession {
  /** The process whose proxy carried the handshake. */
  name: string
  /** Hex, lower case, no 0x, no leading zeros (as the transaction log names sessions). */
  sessionId: string
  /**
   * `new`: ZooKeeper created the session; `resumed`: a reconnect to a session it still held;
   * `expired`: the client asked to resume `sessionId` and ZooKeeper answered that it has expired.
   */
  how: 'new' | 'resumed' | 'expired'
  /** The negotiated session timeout, ms (0 when expired). */
  timeoutMs: number
  /** The ZooKeeper server the proxy forwards to (host:port). */
  server: string
  /** The server answered in read-only mode (a client that asked may get one from a minority partition). */
  readOnly?: boolean
}

/**
 * One watch in the lab's watch graph. `data`: a data or exists watch, as ZooKeeper lists it (`wchc`);
 * it cannot say which of the two, nor whether the node exists: on `…/instance/<node>` it is a recipe
 * standby's exists watch on its predecessor (or a worker's on its own node). `child`: a getChildren
 * watch, which ZooKeeper 3.8's watch words do not list at all, so the lab infers it from what the
 * worker said (`inferred`): a seed standby waits on its task's `instance` children, a recipe primary
 * keeps one on them. An inferred edge has the server the worker's session is on, when known.
 */
export interface WatchEdge {
  /** Hex, as `client.session` has it. */
  session: string
  /** The worker whose session it is (its proxy's `client.session`, else its instance node's ephemeral owner). */
  worker?: string
  path: string
  /** The ZooKeeper server holding the watch (`zk-1`); empty when inferred and the lab does not know it. */
  server: string
  kind: 'data' | 'child'
  inferred?: true
}

/**
 * The watch graph under the lab's root, polled once a second (`wchc` on every server), recorded when it
 * changes. `counts`: watches per path. `totals`: each server's own `wchs`, every path (data watches only).
 */
export interface ZooKeeperWatches {
  edges: WatchEdge[]
  counts: Record<string, number>
  totals: Array<{ server: string; connections: number; paths: number; watches: number }>
  /** Edges left out past the lab's cap (a huge graph); counts still count them. */
  omitted?: number
}

/** One client connection a server lists (`cons`), with its session mapped to a worker as watches are. */
export interface SessionConnection {
  server: string
  /** host:port the server sees (a worker's proxy). */
  client: string
  session: string
  worker?: string
  /** When the session was established on this connection, epoch ms on the server's clock. */
  establishedAt?: number
  timeoutMs?: number
  /** Requests queued and not yet answered, at the poll that recorded the snapshot. */
  outstanding: number
  /** The last operation the server saw on it (`GETD`, `EXIS`, `PING`, …), at the poll that recorded the snapshot. */
  lastOp?: string
}

/**
 * The sessions every server holds, from the same poll as the watch graph, recorded when the set of
 * connections changes: a queue that grows or drains, or a new last operation, alone records nothing
 * (each snapshot carries them as of its poll); message counters and times are left out so a steady lab
 * records nothing. Connections without a session yet (the lab's own poll) are left out.
 */
export interface ZooKeeperSessions {
  connections: SessionConnection[]
}

/** A fault the lab fires at a worker that can cost a primary its role. */
export type FailoverFault = 'kill' | 'stop' | 'pause' | 'partition'

/** One takeover, from the fault on a primary to the new primary's first commit, as measured live. */
export interface Failover {
  task: string
  fault: FailoverFault
  from: string
  to?: string
  faultTime: number
  /** When the new primary said it was primary, ms after the fault. */
  newPrimaryMs?: number
  /** When the new primary committed for the first time, ms after the fault: the failover gap. */
  firstCommitMs?: number
  /** lastCommit as the old primary left it and the new primary's first id: never lower. */
  lastCommitBefore?: number
  firstCommitId?: number
  /** The hit primary came back and committed before anyone took over (a pause or cut shorter than its session). */
  noTakeover?: boolean
  /** Older journals: the failover gap under this name instead of firstCommitMs. */
  gapMs?: number
  /** Older journals: the new primary's first commit as a time instead of firstCommitMs. */
  commitTime?: number
}

/** The binlog workload's MariaDB source accepts connections (a first start, or a start after a stop or crash). */
export interface MariaDbStarted {
  port: number
  pid: number
  /** `@@gtid_current_pos` when it came up ('' before its first transaction). */
  gtid: string
}

/** The MariaDB source ended: stopped or killed by the lab (a fault, a restart, the session closing), or crashed. */
export interface MariaDbStopped {
  reason: 'stop' | 'kill' | 'restart' | 'crashed' | 'session-closed'
  code?: number | null
  signal?: string | null
}

/**
 * The source's load changed: a new steady `rate` (transactions/s), a burst of `burst` extra
 * transactions as fast as the source takes them, or `rate` for `forMs` and then back.
 */
export interface MariaDbLoad {
  rate?: number
  burst?: number
  forMs?: number
}

/**
 * The load generator stopped (the session's end): what it did. A change whose COMMIT was sent but
 * never answered (the source stopped or paused mid-commit) is `unknown`: in the binlog or not.
 */
export interface MariaDbLoadStopped {
  committed: number
  failed: number
  unknown: number
  abandoned: number
  lastChangeId: number
  /** The unknown changes' ids (the first 1000). */
  unknownChangeIds: number[]
}

/** Where the MariaDB source's binlog stands; recorded at most once a second, and only when it moved. */
export interface MariaDbPosition {
  gtid: string
  /** The binlog files it keeps, oldest first, with their sizes in bytes. */
  binlogFiles: Array<{ name: string; size: number }>
  /** The load generator's counts so far and the rate in force (absent before it started, and in older journals). */
  load?: MariaDbLoadNow
}

/** The load generator while it runs: what mariadb.load-stopped tells at the end, so far. */
export interface MariaDbLoadNow {
  /** Transactions/s in force, a burst's included. */
  rate: number
  committed: number
  failed: number
  unknown: number
}

/** Nothing beyond the envelope. */
export type NoFields = Record<never, never>

export const LabEventTypes = {
  sessionCreated: 'session.created',
  /** The lab begins to stop every process: what follows is teardown, not an experiment. */
  sessionClosing: 'session.closing',
  sessionClosed: 'session.closed',
  recordingFailed: 'recording.failed',
  zkStarting: 'zk.starting',
  zkReady: 'zk.ready',
  zkStopped: 'zk.stopped',
  zkMode: 'zk.mode',
  zkFailed: 'zk.failed',
  zkLinks: 'zk.links',
  processSpawned: 'process.spawned',
  processExited: 'process.exited',
  processAction: 'process.action',
  processGaveUp: 'process.gave-up',
  logDropped: 'log.dropped',
  log: 'log',
  taskPublished: 'task.published',
  taskDeleted: 'task.deleted',
  scenarioStarted: 'scenario.started',
  scenarioStep: 'scenario.step',
  scenarioResult: 'scenario.result',
  nemesisSchedule: 'nemesis.schedule',
  nemesisFault: 'nemesis.fault',
  zkStats: 'zk.stats',
  networkFault: 'fault.network',
  violation: 'checker.violation',
  checkReport: 'checker.report',
  externalRole: 'external.role',
  clientSession: 'client.session',
  failover: 'failover',
  zookeeperWatches: 'zookeeper.watches',
  zookeeperSessions: 'zookeeper.sessions',
  mariadbStarted: 'mariadb.started',
  mariadbStopped: 'mariadb.stopped',
  /** SIGSTOP: its clients' queries hang, its dump threads stop sending binlog. */
  mariadbPaused: 'mariadb.paused',
  mariadbResumed: 'mariadb.resumed',
  mariadbPosition: 'mariadb.position',
  mariadbLoad: 'mariadb.load',
  mariadbLoadStopped: 'mariadb.load-stopped',
} as const

/** The payload of each event type the lab core writes. */
export interface CoreEventPayloads {
  'session.created': SessionCreated
  'session.closing': NoFields
  'session.closed': NoFields
  'recording.failed': RecordingFailed
  'zk.starting': ZkStarting
  'zk.ready': ZkReady
  'zk.stopped': ZkStopped
  'zk.mode': ZkMode
  'zk.failed': ZkFailed
  'zk.links': ZkLinks
  'zk.stats': ZkStats
  'process.spawned': ProcessSpawned
  'process.exited': ProcessExited
  'process.action': ProcessActed
  'process.gave-up': ProcessGaveUp
  'log.dropped': LogDropped
  log: LogLine
  'task.published': TaskChange
  'task.deleted': TaskChange
  'scenario.started': ScenarioStarted
  'scenario.step': ScenarioStep
  'scenario.result': ScenarioResult
  'nemesis.schedule': NemesisSchedule
  'nemesis.fault': NemesisFaultMade
  'fault.network': NetworkFaultApplied
  'checker.violation': CheckerViolation
  'checker.report': CheckerReportEvent
  'external.role': ExternalRole
  'client.session': ClientSession
  failover: Failover
  'zookeeper.watches': ZooKeeperWatches
  'zookeeper.sessions': ZooKeeperSessions
  'mariadb.started': MariaDbStarted
  'mariadb.stopped': MariaDbStopped
  'mariadb.paused': NoFields
  'mariadb.resumed': NoFields
  'mariadb.position': MariaDbPosition
  'mariadb.load': MariaDbLoad
  'mariadb.load-stopped': MariaDbLoadStopped
}
