/**
 * report.json, version 1: everything a review or postmortem needs from a session, without the lab.
 * resources/report-schema.json is the same contract as a JSON Schema (draft 2020-12); a change here
 * that is not purely additive bumps REPORT_SCHEMA_VERSION.
 *
 * Times are ms since the epoch (the clock of the process that acted); `summary.startMs` is the
 * origin the views use for "+12.35 s".
 */
import type { LabEvent, ZnodeStat } from '../../shared/events.js'
import type {
  BackupPosition,
  LagSeries,
  FailoverHerd,
  FailoverSteps,
  InvariantName,
  ServerFailover,
  VerdictState,
  ViolationKind,
} from '../checker/types.js'
import type { ClockSkew } from '../../shared/worker-launch/index.js'

export const REPORT_SCHEMA_VERSION = 1

export interface SessionReport {
  schemaVersion: typeof REPORT_SCHEMA_VERSION
  generator: { name: 'zklab'; version: string }
  generatedAt: string
  /** The session folder the report was made from, as it was named then. */
  sessionDir: string
  summary: ReportSummary
  integrity: ReportIntegrity
  check: ReportCheck
  failovers: ReportFailover[]
  faults: ReportFault[]
  alerts: ReportAlert[]
  steps: ReportStep[]
  /** Every nemesis step's schedule and what each of its faults hit (absent in older report.json files). */
  nemesis?: ReportNemesis[]
  timeline: ReportTimeline
  faultLogs: FaultLogWindow[]
  sinks: ReportSink[]
  tree: ReportTree
  /** Absent in report.json files written before sessions were reported. */
  sessions: ReportSessions
  /**
   * ZooKeeper's own view of its clients at the end of the session (its sessions and watch graph, as
   * the lab polled them); absent when the lab did not poll, and in older report.json files.
   */
  zookeeperView?: ReportZooKeeperView
}

export interface ReportSummary {
  name: string
  scenario: string | null
  strategies: string[]
  zookeeper: {
    version: string | null
    mode: string | null
    connectString: string | null
    tickTimeMs: number | null
    servers: { id: number; name: string; port: number | null; mode: string | null }[]
    java: string | null
  }
  tasks: { name: string; workers: string[]; strategies: string[]; commitIntervalMs: number | null }[]
  /** Distinct worker processes (a restarted worker counts once). */
  workerCount: number
  start: string
  startMs: number
  end: string
  endMs: number
  durationMs: number
  /** The checker's overall verdict. */
  ok: boolean
  /** What `zklab run` recorded in session.json, when it finished. */
  run: { ok: boolean; exitCode: number | null; error: string | null } | null
  versions: { lab: string | null; node: string | null; platform: string | null }
  /** The seed of the run's random choices (`zklab run --seed` replays them); null before seeds were recorded. */
  seed?: number | null
}

export interface ReportIntegrity {
  /** The journal ends with `session.closed`: the lab stopped every process and closed it. */
  closedCleanly: boolean
  /** closed, or cut off during the lab's stop-all (`session.closing` without `session.closed`), or cut off mid-run. */
  ending: 'closed' | 'cut-off-while-closing' | 'cut-off'
  events: number
  lastEvent: { seq: number; time: number; source: string; type: string } | null
  /** Processes that had not exited by the last event: what was running when the lab stopped writing. */
  runningAtEnd: string[]
  journalProblems: JournalIssue[]
  sinkProblems: SinkIssue[]
  /** session.json missing or unreadable; the report then relies on the journal alone. */
  sessionFileProblem: string | null
}

export interface JournalIssue {
  /** Line in events.jsonl (from 1), or null for a gap between two readable lines. */
  line: number | null
  kind: 'truncated' | 'corrupt' | 'not-an-event' | 'seq-gap'
  message: string
}

export interface SinkIssue {
  task: string
  file: string
  line: number
  kind: 'truncated' | 'corrupt'
  message: string
}

export interface ReportCheck {
  ok: boolean
  tasks: string[]
  verdicts: ReportVerdict[]
}

export interface ReportVerdict {
  invariant: InvariantName
  task: string
  /** Absent in report.json files written before verdict states (read them with verdictState). */
  state: VerdictState
  /** As Verdict.ok: true for ok and not-judged. */
  ok: boolean
  /** Why it was not judged, or the error that left it unknown. */
  reason: string | null
  summary: string
  stats: Record<string, number>
  violations: ReportViolation[]
  /** backup-integrity: where the backup stands (last GTID in the sink, lastCommit). */
  position?: BackupPosition
  /** backup-lag: the lag over the run, charted on the leadership timeline. */
  lagSeries?: LagSeries
}

export interface ReportViolation {
  kind: ViolationKind
  message: string
  time: number
  endTime: number | null
  seq: number | null
  workers: string[]
  ids: number[]
  /** The journal events around it that concern the workers involved, as the checker chose them. */
  context: LabEvent[]
}

export interface ReportFailover {
  index: number
  task: string
  fault: string
  from: string
  fromNode: string | null
  to: string | null
  faultTime: number
  faultSeq: number
  /** ms after the fault; null when the step did not happen before the next fault or the close. */
  steps: FailoverSteps
  sessionEnd: 'closed' | 'expired' | null
  /** Fault to the new primary's first commit: the failover gap. */
  gapMs: number | null
  lastCommitBefore: number | null
  firstCommitId: number | null
  /** The new primary went on at lastCommit + 1 (null when either is unknown). */
  continued: boolean | null
  /**
   * The same failover from ZooKeeper's transaction log (server-side times): the first measurement where
   * present; `steps` and `gapMs` are what the workers and the observer reported.
   */
  server?: ServerFailover
  /** Who a watch on the election woke, and how fast each reacted (absent in older reports). */
  herd?: FailoverHerd
}

export interface ReportFault {
  index: number
  seq: number
  time: number
  /** kill, stop, pause, resume, restart, partition, heal, slow, reset, loss, bandwidth, slicer, slow-close */
  kind: string
  /** A network fault in full, where its kind alone does not say it: "slow +300 ms", "partition ↑" (one way). */
  detail?: string
  target: string
  task: string | null
  /** Recovery actions (resume, restart, heal) are recorded too; they are not faults. */
  recovery: boolean
  /** It hit its task's primary and has a failover breakdown. */
  hitPrimary: boolean
}

export interface ReportAlert {
  task: string
  kind: string
  message: string
  raisedAt: number
  raisedSeq: number
  clearedAt: number | null
  clearedSeq: number | null
  durationMs: number | null
  /** Raised again while open (the monitor refreshes its message). */
  repeats: number
}

export interface ReportNemesis {
  path: string
  task: string
  seed: number
  stepSeed: number
  forMs: number
  faults: ReportNemesisFault[]
}

/** One fault of a nemesis schedule: as planned, and as made. */
export interface ReportNemesisFault {
  index: number
  atMs: number
  kind: string
  target: string | number
  durationMs: number
  /** When it was made, and the worker or server it hit; null when it was not (skipped, or the run ended first). */
  time: number | null
  hit: string | null
  skipped: string | null
}

export interface ReportStep {
  seq: number
  time: number
  path: string
  step: unknown
}

export type LaneState = 'starting' | 'standby' | 'primary' | 'paused' | 'dead'

export interface LaneInterval {
  state: LaneState
  start: number
  end: number
}

export interface ReportTimeline {
  startMs: number
  endMs: number
  /** When the lab began its own stop-all; what follows is teardown. */
  teardownAt: number | null
  tasks: TimelineTask[]
  servers: {
    name: string
    intervals: { state: 'starting' | 'running' | 'paused' | 'stopped'; start: number; end: number }[]
  }[]
  /** The ensemble's side (src/shared/zk-ensemble.ts): links cut between servers, leaders, quorum lost and regained. */
  ensemble: ReportEnsemble
}

export interface ReportEnsemble {
  /** From a `zk.links` with cuts to the next `zk.links` (or the session's end); `cuts`: each lost direction. */
  links: { start: number; end: number; description: string; cuts: { from: string; to: string }[] }[]
  /** A new leader (`zk.mode` leader, or a server ready as leader), and each time the serving servers fell below a majority or rose back to one. */
  marks: {
    time: number
    kind: 'leader' | 'quorum-lost' | 'quorum-regained'
    label: string
    server: string | null
    epoch: number | null
  }[]
}

export interface TimelineTask {
  task: string
  lanes: { worker: string; intervals: LaneInterval[]; working: { start: number; end: number }[] }[]
  /** lastCommit as ZooKeeper held it, in time order. */
  lastCommit: { time: number; value: number; writer: string | null }[]
  violations: { invariant: InvariantName; kind: ViolationKind; start: number; end: number }[]
}

export interface FaultLogWindow {
  faultIndex: number
  kind: string
  target: string
  time: number
  /** The resume or heal that ended a pause or a network fault, when there was one: the window covers both. */
  recovery: { kind: string; time: number } | null
  from: number
  to: number
  processes: { process: string; lines: FaultLogLine[]; omitted: number }[]
}

export interface FaultLogLine {
  seq: number
  time: number
  level: string
  text: string
}

export interface ReportSink {
  task: string
  records: number
  last: number
  missing: number[]
  duplicates: { id: number; workers: Array<number | string> }[]
  unreadable: number
}

export interface ReportTree {
  /** The observer's last picture of the tree (a replay of every znode event in the journal). */
  asOf: number | null
  nodes: TreeNode[]
}

export interface TreeNode {
  path: string
  data: string
  truncated: boolean
  stat: ZnodeStat
  ephemeral: boolean
  /** The worker whose ZooKeeper session owns the ephemeral node, when the journal names it. */
  owner: string | null
  /** Whether that worker's process was still running at the last event. */
  ownerAlive: boolean | null
}

/**
 * Every ZooKeeper session each process had, per task, with the election nodes each one held: who was
 * primary under which session, across resets, expiries and restarts.
 */
export interface ReportSessions {
  tasks: SessionsTask[]
  /** The lab's own clients (observer, monitor, publisher): the sessions they reported; they hold no election node. */
  helpers: SessionsProcess[]
}

export interface SessionsTask {
  task: string
  /** The election's parent node, relative to the task (`instance` unless the task said otherwise). */
  electionPath: string
  /** Every worker of the task, sessions or not. */
  workers: SessionsProcess[]
}

export interface SessionsProcess {
  process: string
  kind: string
  /** Its wall clock's offset and rate, when the lab skewed it (libfaketime). */
  clock?: ClockSkew
  /** In the order they were first seen (a restarted worker's sessions follow its earlier ones). */
  sessions: ReportSession[]
}

export interface ReportSession {
  /** As ZooKeeper prints it: `0x` and lower-case hex without leading zeros. */
  sessionId: string
  /**
   * `proxy`: the lab read the handshakes off the worker's link (client.session); `process`: the
   * process reported it itself (journals from before client.session, and the lab's own clients);
   * `election`: only the lab's reading of the election names it (external.role).
   */
  seenBy: 'proxy' | 'process' | 'election'
  /** How it was first seen opened: its first opening's `how`, or null when seen only in the election. */
  how: 'new' | 'resumed' | 'expired' | null
  firstSeen: number
  /** The negotiated timeout (proxy), null when the lab did not see it. */
  timeoutMs: number | null
  /** Each handshake on it: opened, resumed after a reconnect, or answered expired when the client asked to resume it. */
  openings: SessionOpening[]
  /** Election nodes whose ephemeral owner it was, in creation order. */
  nodes: SessionNode[]
  /** It held the election's lowest node (the primary's) at some moment. */
  primary: boolean
}

export interface SessionOpening {
  how: 'new' | 'resumed' | 'expired'
  time: number
  /** The ZooKeeper server the proxy forwarded to (host:port); null when the process reported it. */
  server: string | null
  readOnly: boolean
}

export interface SessionNode {
  /** The child's name under the election path. */
  node: string
  /** When the observer saw it created, else when the worker said it registered it; null if neither. */
  createdAt: number | null
  /** When the observer saw it deleted; null while it lived to the end (or the observer missed it). */
  deletedAt: number | null
  /** It was the lowest child of the election at some moment (the observer's order, or a role claim). */
  lowest: boolean
}

/**
 * What ZooKeeper itself said about its clients at the end of the session: the lab's last
 * `zookeeper.sessions` (cons) and `zookeeper.watches` (wchc) snapshots before its stop-all (the last
 * ones at all in a journal cut off before it). Either is null when the lab never recorded one.
 */
export interface ReportZooKeeperView {
  sessions: { time: number; seq: number; connections: ReportConnection[] } | null
  watches: {
    time: number
    seq: number
    /** Every watched path under the lab's root. */
    paths: ReportWatchedPath[]
    /** Each server's own `wchs`: every path, data watches only. */
    totals: Array<{ server: string; connections: number; paths: number; watches: number }>
    /** Watches left out of the graph past the lab's cap (still in `paths[].watches`). */
    omitted: number
  } | null
}

/** One client connection a server held (`cons`). */
export interface ReportConnection {
  /** The ZooKeeper server (`zk-1`). */
  server: string
  /** host:port as the server saw the client (a lab worker's proxy). */
  client: string
  /** `0x` and lower-case hex without leading zeros. */
  session: string
  /** The worker the session is mapped to (its proxy's handshakes, else its instance node's owner). */
  worker: string | null
  /** When the session was established on this connection, epoch ms on the server's clock. */
  establishedAt: number | null
  timeoutMs: number | null
  /** The last operation the server saw on it (`GETD`, `EXIS`, `PING`…) as of the snapshot; null in journals without it. */
  lastOp: string | null
  /** Requests queued and not yet answered, as of the snapshot. */
  outstanding: number
  /** Its watches in the watch graph (child watches inferred); null when the graph was cut at its cap. */
  watches: number | null
  /** The ephemeral nodes its session owned in the observer's tree as of the snapshot. */
  ephemeralNodes: string[]
}

/** One watched path of the watch graph. */
export interface ReportWatchedPath {
  path: string
  /** Every watch on it, other clients' (the lab's observer and monitor) included. */
  watches: number
  /** Data or exists watches, as ZooKeeper listed them. */
  data: number
  /** Child (getChildren) watches: ZooKeeper 3.8 lists none, so these are inferred from the workers' roles. */
  child: number
  inferred: number
  /** The workers among its watchers. */
  workers: string[]
}
