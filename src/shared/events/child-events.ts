/**
 * What the lab's own child programs (task workers, publisher, monitor, observer) report on stdout, one
 * JSON object a line with `type`, `time` and `level`; the core adds `source` and `seq`. The core checks
 * each line against these shapes as it comes in (src/core/workers/child-events.ts). External programs
 * need not emit any of them.
 */

/** Roles a task worker reports about itself. */
export type WorkerRole = 'primary' | 'standby'

/** A child's ZooKeeper connection as it sees it. */
export type ConnectionState = 'connecting' | 'connected' | 'expired' | 'closed'

/** An error a child reports: its message and, for ZooKeeper errors, the client's code. */
export interface ChildError {
  message: string
  code?: number | string
}

/** The child's ZooKeeper connection changed. */
export interface ConnectionChange {
  state: ConnectionState
  /** Absent on `closed` when the session never opened. */
  sessionId?: string
  /** On the first `connected` of a session: whether it replaces an expired one. */
  replaced?: boolean
  /** On `closed`: the client's close code (0 when the worker closed it itself). */
  code?: number
  /** On a `closed` the recipe caused by stepping down: why. */
  reason?: string
}

/** A task worker started: which task, its number within the task and its strategy. */
export interface WorkerStarted {
  task: string
  workerId: number
  strategy: string
  pid: number
}

/** A worker's session is open (the first time, or anew after an expiry). */
export interface WorkerConnected {
  sessionId: string
  replaced: boolean
}

/** A worker created its ephemeral sequential instance node. */
export interface WorkerRegistered {
  /** The node's name (`server_2_0000000003`). */
  node: string
  /** Its full path. */
  path: string
}

/** A worker says which role it holds now. */
export interface WorkerRoleChange {
  role: WorkerRole
  node: string
  /** The smallest registration it saw (absent on a recipe step-down). */
  smallest?: string
  /** recipe standby: the registration it watches. */
  predecessor?: string | null
  /** recipe step-down from primary: why it gave up. */
  reason?: string
}

/** A worker wrote the task's status node. */
export interface WorkerStatus {
  value: '1' | '0'
  version: number
  /** recipe: written `0` by the last worker out. */
  reason?: 'last-out'
}

/**
 * A record appended to the sink (counter, seed: before the commit; counter, recipe: after it). binlog: one
 * source transaction's rows appended (both strategies write before they commit).
 */
export interface WorkerWork {
  /** counter: the id recorded. binlog: the transaction's GTID sequence number. */
  id: number
  /** recipe: appended while repairing a takeover, not new work. */
  reconciled?: boolean
  /** binlog: the transaction's GTID (`0-1-42`). */
  gtid?: string
  /** binlog: how many row events (sink lines) were appended for it; fewer than it has when completing a partial one. */
  rows?: number
}

/** A worker set lastCommit to `id` (binlog: to the GTID of the last transaction wholly in the sink). */
export interface WorkerCommit {
  /** counter: the id committed. binlog: the committed GTID's sequence number. */
  id: number
  /** binlog: the GTID written to lastCommit. */
  gtid?: string
  /** lastCommit's znode version after the write. */
  version: number
  /** recipe: lastCommit moved up to what the sink already held, during a takeover repair. */
  fastForward?: boolean
}

/** A ZooKeeper watch fired in a worker. */
export interface WorkerWatch {
  path: string
  /** seed: `notwatching` when its session expired under a standby's watch (go-zookeeper's notice). */
  event: 'created' | 'deleted' | 'changed' | 'child' | 'notwatching'
}

/** A worker's last word before it exits on a signal or because the lab went away. */
export interface WorkerExiting {
  reason: 'signal' | 'stdin-closed'
  signal?: string
  /** Whether it closed its ZooKeeper session (its node is gone at once) or left it to expire. */
  sessionClosed: boolean
}

/** recipe: a standby's exists-watch on the next smaller registration. */
export interface WorkerWatching {
  path: string
  predecessor: string
}

/** recipe: the primary lost its connection and stopped working (the session may survive), or got it back. */
export interface WorkerSessionPause {
  sessionId: string
}

/**
 * recipe: what a new primary repaired before any work. binlog: `lastCommit` and `sinkLast` are GTID
 * sequence numbers, nothing is appended or fast-forwarded here, and `resumeAfter`/`skip` say where it
 * streams from.
 */
export interface WorkerReconciled {
  lastCommit: number
  sinkLast: number
  appended: number[]
  fastForwardTo: number | null
  /** binlog: the GTID streaming starts after ('' = the start of the binlog). */
  resumeAfter?: string
  /** binlog: the sink's last transaction, ahead of lastCommit: its rows up to `index` are not written again. */
  skip?: { gtid: string; index: number }
}

/**
 * binlog: the worker's binlog stream `started` (connected and positioned after `gtid`), hit an `error`
 * (it restarts after `retryInMs`, from `gtid`), or was `stopped` by the worker (suspended, stepped
 * down, leaving); rows it had buffered are dropped then.
 */
export interface WorkerStream {
  state: 'started' | 'error' | 'stopped'
  /** The position: the GTID after which it streams ('' = the start of the binlog). */
  gtid: string
  message?: string
  /** error: failures in a row so far. */
  attempt?: number
  /** error: delay before the restart, ms. */
  retryInMs?: number
}

/**
 * recipe: a commit refused or not trusted; the sink was NOT written (`claim`: it was, but after a
 * successor's claim, so the line is void; binlog workload only).
 */
export interface WorkerFenced {
  id: number
  version: number
  /** `session`: its session ended mid-step; the others are why the recipe stepped down (`expired`, `lost` included). */
  reason: 'session' | 'badversion' | 'lease' | 'node-deleted' | 'expired' | 'lost' | 'claim'
  message?: string
  code?: number | string
}

/** The publisher created a task's nodes, or found them there already. */
export interface PublisherTask {
  task: string
  path: string
  sessionId: string
}

/** The publisher deleted a task's nodes (`existed` false: there was nothing to delete). */
export interface PublisherDeleted extends PublisherTask {
  existed: boolean
}

export type AlertKind = 'status-stopped' | 'no-instance' | 'commit-stalled'

/** The monitor began, or stopped, following a task. */
export interface MonitorTask {
  task: string
}

/** The monitor read a task's status node. */
export interface MonitorStatus {
  task: string
  value: string
}

/** The monitor raised an alert on a task. */
export interface MonitorAlert {
  task: string
  kind: AlertKind
  message: string
}

/** An alert ended (`reason: 'task-deleted'` when its task went away). */
export interface MonitorCleared {
  task: string
  kind: AlertKind
  reason?: 'task-deleted'
}

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

/** The observer saw a znode appear (`znode.created`). */
export interface ZnodeCreated {
  path: string
  stat: ZnodeStat
  /** The data as UTF-8, cut at the observer's --max-data bytes. */
  data: string
  truncated?: boolean
}

/** The observer saw a znode's data or children change. */
export interface ZnodeChanged extends ZnodeCreated {
  cause?: 'data' | 'children'
}

/** The observer saw a znode go. */
export interface ZnodeDeleted {
  path: string
}

/** The observer's mirror of the tree is complete (`resync`: again, after a session expiry). */
export interface ObserverSynced {
  count: number
  resync?: boolean
}

export const WorkerEventTypes = {
  started: 'worker.started',
  connected: 'worker.connected',
  connection: 'worker.connection',
  registered: 'worker.registered',
  role: 'worker.role',
  statusSet: 'worker.status',
  work: 'worker.work',
  commit: 'worker.commit',
  watch: 'worker.watch',
  error: 'worker.error',
  exiting: 'worker.exiting',
  // Only the `recipe` strategy emits these.
  watching: 'worker.watching',
  suspended: 'worker.suspended',
  resumed: 'worker.resumed',
  reconciled: 'worker.reconciled',
  fenced: 'worker.fenced',
  // Only the binlog workload emits this.
  stream: 'worker.stream',
} as const

export const PublisherEventTypes = {
  created: 'publisher.created',
  exists: 'publisher.exists',
  deleted: 'publisher.deleted',
  /** Followed by exit 1. */
  error: 'publisher.error',
} as const

export const MonitorEventTypes = {
  watching: 'monitor.watching',
  status: 'monitor.status',
  alert: 'monitor.alert',
  cleared: 'monitor.cleared',
  /** The task was deleted, its alerts cleared. */
  unwatched: 'monitor.unwatched',
  connection: 'monitor.connection',
  error: 'monitor.error',
} as const

export const ObserverEventTypes = {
  created: 'znode.created',
  changed: 'znode.changed',
  deleted: 'znode.deleted',
  synced: 'observer.synced',
  connection: 'observer.connection',
  error: 'observer.error',
} as const

/** The payload of each event type a child program of the lab emits. */
export interface ChildEventPayloads {
  'worker.started': WorkerStarted
  'worker.connected': WorkerConnected
  'worker.connection': ConnectionChange
  'worker.registered': WorkerRegistered
  'worker.role': WorkerRoleChange
  'worker.status': WorkerStatus
  'worker.work': WorkerWork
  'worker.commit': WorkerCommit
  'worker.watch': WorkerWatch
  'worker.error': ChildError
  'worker.exiting': WorkerExiting
  'worker.watching': WorkerWatching
  'worker.suspended': WorkerSessionPause
  'worker.resumed': WorkerSessionPause
  'worker.reconciled': WorkerReconciled
  'worker.fenced': WorkerFenced
  'worker.stream': WorkerStream
  'publisher.created': PublisherTask
  'publisher.exists': PublisherTask
  'publisher.deleted': PublisherDeleted
  'publisher.error': ChildError
  'monitor.watching': MonitorTask
  'monitor.status': MonitorStatus
  'monitor.alert': MonitorAlert
  'monitor.cleared': MonitorCleared
  'monitor.unwatched': MonitorTask
  'monitor.connection': ConnectionChange
  'monitor.error': ChildError
  'znode.created': ZnodeCreated
  'znode.changed': ZnodeChanged
  'znode.deleted': ZnodeDeleted
  'observer.synced': ObserverSynced
  'observer.connection': ConnectionChange
  'observer.error': ChildError
}

export type ChildEventType = keyof ChildEventPayloads
