/**
 * The lab's one event shape. Every process (ZooKeeper, workers, publisher, monitor, observer) and the
 * lab itself report through it; the journal stores it one per line and every view is derived from it.
 */
export type EventLevel = 'debug' | 'info' | 'warn' | 'error'

export interface LabEvent {
  /** Position in the session's journal, from 1, gap-free. */
  seq: number
  /** Wall-clock time in ms since the epoch, taken where the event happened (the child's clock). */
  time: number
  /** Who reported it: `lab`, `zk-1`, `worker-task01-2`, `publisher`, `monitor`, `observer`, … */
  source: string
  /** What happened, dotted: `worker.commit`, `process.exited`, `znode.created`, `log`, … */
  type: string
  level?: EventLevel
  [field: string]: unknown
}

/** An event before the journal has numbered it. */
export type UnsequencedEvent = Omit<LabEvent, 'seq'> & { seq?: never }

/** Roles a task worker reports about itself. */
export type WorkerRole = 'primary' | 'standby'

/**
 * Event types the lab's own child programs emit on stdout (one JSON object a line, with `type` and
 * `time`). The core adds `source` and `seq`. External programs need not emit any of these.
 */
export const WorkerEventTypes = {
  started: 'worker.started', // { task, workerId, strategy, pid }
  connected: 'worker.connected', // { sessionId }
  connection: 'worker.connection', // { state: 'connecting' | 'connected' | 'expired' | 'closed' }
  registered: 'worker.registered', // { node, path }
  role: 'worker.role', // { role: WorkerRole, node, smallest }
  statusSet: 'worker.status', // { value: '1' | '0', version }
  work: 'worker.work', // { id, reconciled? } : record appended to the sink (seed: before the commit; recipe: after it)
  commit: 'worker.commit', // { id, version }
  watch: 'worker.watch', // { path, event }
  error: 'worker.error', // { message, code? }
  exiting: 'worker.exiting', // { reason: 'signal' | 'stdin-closed', signal?, sessionClosed } : last word before exit
  // Only the `recipe` strategy emits these (its worker.role also carries `predecessor?` and, on a step-down, `reason`).
  watching: 'worker.watching', // { path, predecessor } : a standby's exists-watch on the next smaller registration
  suspended: 'worker.suspended', // { sessionId } : the primary stopped working, its connection is lost (the session may survive)
  resumed: 'worker.resumed', // { sessionId } : same session back, the primary works again
  reconciled: 'worker.reconciled', // { lastCommit, sinkLast, appended: number[], fastForwardTo } : takeover repairs, before any work
  fenced: 'worker.fenced', // { id, version, reason: 'session' | 'badversion' | 'lease' | 'node-deleted', code? } : commit refused or not trusted, sink NOT written
} as const

export const PublisherEventTypes = {
  created: 'publisher.created', // { task, path, sessionId }
  exists: 'publisher.exists', // { task, path, sessionId }
  deleted: 'publisher.deleted', // { task, path, existed, sessionId }
  error: 'publisher.error', // { message, code? } : then exit 1
} as const

export const MonitorEventTypes = {
  watching: 'monitor.watching', // { task }
  status: 'monitor.status', // { task, value }
  alert: 'monitor.alert', // { task, kind: AlertKind, message }
  cleared: 'monitor.cleared', // { task, kind }
  unwatched: 'monitor.unwatched', // { task } : the task was deleted, its alerts cleared
  connection: 'monitor.connection', // { state: 'connecting' | 'connected' | 'expired' | 'closed', sessionId? }
  error: 'monitor.error', // { message, code? }
} as const

export type AlertKind = 'status-stopped' | 'no-instance' | 'commit-stalled'

export const ObserverEventTypes = {
  created: 'znode.created', // { path, stat: ZnodeStat, data }
  changed: 'znode.changed', // { path, stat, data }
  deleted: 'znode.deleted', // { path }
  synced: 'observer.synced', // { count } : initial mirror complete
  connection: 'observer.connection', // { state: 'connecting' | 'connected' | 'expired' | 'closed', sessionId? }
  error: 'observer.error', // { message, code? }
} as const

export interface ZnodeStat {
  czxid: string
  mzxid: string
  pzxid: string
  ctime: number
  mtime: number
  version: number
  cversion: number
  /** Session id (hex) of the owner for ephemeral nodes, '0' otherwise. */
  ephemeralOwner: string
  dataLength: number
  numChildren: number
}

/** Events the lab core itself writes. */
export const LabEventTypes = {
  sessionCreated: 'session.created', // { dir, name }
  sessionClosing: 'session.closing', // the lab begins to stop every process: what follows is teardown, not an experiment
  sessionClosed: 'session.closed',
  /**
   * The session's files could not be written (a full disk, an I/O error): the lab records nothing more
   * and stops every process. In memory only (listeners and the live state get it, the journal cannot).
   */
  recordingFailed: 'recording.failed', // { reason, code?, dir, lastRecordedSeq }
  // zk.*: `server` is the numeric id (1…n, the ensemble's myid), `name` the process name (`zk-1`).
  zkStarting: 'zk.starting', // { server, name, port, pid }
  zkReady: 'zk.ready', // { server, name, port, pid, mode, version, startMs }
  zkStopped: 'zk.stopped', // { server, name, how: 'stop' | 'kill' | 'crashed', code, signal }
  zkMode: 'zk.mode', // { server, name, mode, previous } : srvr showed a new mode ('not-serving' without a quorum)
  zkFailed: 'zk.failed', // { server, name, message } : a server did not become ready
  processSpawned: 'process.spawned', // { name, kind, pid, command, args, labels?, settings?: LaunchSettings (src/shared/worker-launch: the program and the settings it runs with) }
  processExited: 'process.exited', // { name, pid, code, signal, expected }
  processAction: 'process.action', // { name, action: 'stop' | 'kill' | 'pause' | 'resume' | 'restart' }
  processGaveUp: 'process.gave-up', // { name, restarts, code, signal, message } : crashed again after its last allowed restart
  logDropped: 'log.dropped', // { name, dropped, message } : lines over the per-child rate, counted once a second
  log: 'log', // { stream: 'stdout' | 'stderr', line }
  taskPublished: 'task.published', // { task }
  taskDeleted: 'task.deleted', // { task }
  scenarioStarted: 'scenario.started', // { scenario, strategy, description, expect: 'all' | 'none' | invariant[] }
  scenarioStep: 'scenario.step', // { path, step }
  scenarioResult: 'scenario.result', // { scenario, ok, error }
  zkStats: 'zk.stats', // { server, name, nodeCount, connections, mode, zxid, latencyAvg, outstanding } : when they change
  networkFault: 'fault.network', // { name, fault: 'partition' | 'heal' | 'reset' | 'slow', latencyMs?, jitterMs? }
  violation: 'checker.violation', // { invariant, task, kind, message, at, workers?, ids? } : found live, once each
  checkReport: 'checker.report', // { ok, verdicts: [{ invariant, task, ok, summary, violations }], failovers } : final, from the sinks
  /** An external worker's role as the lab reads it off ZooKeeper (they report nothing themselves). */
  externalRole: 'external.role', // { name, task, role: 'starting' | 'primary' | 'standby', node, smallest, sessionId, derivedFrom: 'zookeeper' }
  failover: 'failover', // { task, fault: 'kill' | 'stop' | 'pause' | 'partition' | 'slow' | 'reset', from, to, faultTime, newPrimaryMs, firstCommitMs, lastCommitBefore, firstCommitId }
} as const
