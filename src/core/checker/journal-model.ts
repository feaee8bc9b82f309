/**
 * The journal, read once into what the invariants need: each worker's incarnations (one per spawn),
 * each task's work, cuts, roles, watches and its writes to `lastCommit` and `status`. Pure: the same
 * events always give the same model, so the live checker and the end-of-run check agree.
 */
import { electionOf, type Election } from '../../shared/election.js'
import {
  isEvent,
  LabEventTypes,
  ObserverEventTypes,
  WorkerEventTypes,
  type LabEvent,
  type NetworkFaultApplied,
} from '../../shared/events.js'
import { commitPosition, DEFAULT_WORKLOAD, parseGtid, type Workload } from '../../shared/binlog.js'
import { sinceStart } from '../../shared/format.js'
import { LAB_ROOT } from '../../shared/lab-state.js'
import {
  DEFAULT_COMMIT_INTERVAL_MS,
  labTimeOf,
  settingsOfSpawned,
  type ClockSkew,
} from '../../shared/worker-launch/index.js'
import type { SinkRecord } from '../session-folder/index.js'
import type { CheckOptions } from './types.js'

export interface Incarnation {
  worker: string
  pid?: number
  spawnedAt: number
  spawnSeq: number
  exitedAt?: number
  exitSeq?: number
  /** ZooKeeper sessions it held, in order (the seed opens a new one after an expiry). */
  sessions: string[]
  /** Instance nodes it registered, in order. */
  nodes: { node: string; time: number; seq: number }[]
  /** Its wall clock, when the lab skewed it: the times it writes into its sink are on that clock. */
  clock?: ClockSkew
}

export interface WorkerInfo {
  name: string
  task: string
  workerId?: number | string
  incarnations: Incarnation[]
}

/** Evidence that a worker was doing the primary's work at a moment. */
export interface WorkEvidence {
  worker: string
  time: number
  seq: number
  id?: number
  what: 'work' | 'commit' | 'sink'
}

/** Something after which a worker is not working any more, whatever it does next. */
export interface Cut {
  worker: string
  time: number
  seq: number
  why: 'exited' | 'paused' | 'stepped-down' | 'exiting' | 'respawned' | 'suspended'
}

/** One write to `lastCommit` or `status`, as a worker reported it, the observer saw it, or both. */
export interface ZnodeWrite {
  value: string
  version?: number
  /** Bumped each time the node is deleted, so versions of a recreated node start over. */
  epoch: number
  time: number
  seq: number
  writer?: string
}

export interface RoleChange {
  worker: string
  role: string
  node?: string
  smallest?: string
  time: number
  seq: number
}

export interface TaskModel {
  task: string
  commitIntervalMs: number
  /** What its primaries do (the workers' launch settings): count, or back up the source's binlog. */
  workload: Workload
  workers: string[]
  /** By time. */
  work: WorkEvidence[]
  /** Whether `work` came from the sink because no worker reported its work (external workers). */
  workFromSink: boolean
  /**
   * Whether `work` came from the writes to lastCommit, each the work of the primary the lab derived
   * from the election at that moment (external.role): no worker reported its work and none kept a sink.
   */
  workFromCommits: boolean
  /** The roles the lab derived from the election for external workers (external.role), by journal order. */
  externalRoles: RoleChange[]
  /** By time. */
  cuts: Cut[]
  roles: RoleChange[]
  watches: { worker: string; time: number; seq: number; event?: string; path?: string }[]
  /** Whether each worker could reach ZooKeeper: its connection reports, and the recipe's suspended/resumed. */
  connectivity: { worker: string; time: number; seq: number; up: boolean }[]
  /**
   * Stretches where the lab degraded a worker's link (fault.network slow, loss, bandwidth or slicer …
   * heal or the next fault of the same kind, or the end), with the worst delay each adds one way:
   * its commit cycle then costs round trips the recipe cannot avoid.
   */
  slowLinks: { worker: string; kind: string; from: number; until: number; oneWayMs: number }[]
  /** A worker's own word that its session ended: closed by it, or expired. */
  sessionEnds: { worker: string; time: number; seq: number; how: 'closed' | 'expired' }[]
  /** Commits refused by fencing (recipe): a stale primary stopped before it did any work. */
  fenced: { worker: string; time: number; seq: number; id?: number; reason?: string }[]
  /** In ZooKeeper's order (epoch, version) where versions are known, else journal order. */
  commits: ZnodeWrite[]
  status: ZnodeWrite[]
  /** Observer's deletions of the election's children (under `instance`, or the task's election path). */
  nodeDeletions: { node: string; time: number; seq: number }[]
  /** Where its election is held and how its children order (the workers' `election` settings). */
  election: Election
  paths: { task: string; instance: string; election: string; lastCommit: string; status: string }
}

export interface JournalModel {
  /** By seq. */
  events: LabEvent[]
  start: number
  /** Where analysis stops: the lab's own stop-all at session close, else the close, else the last event. */
  end: number
  teardownAt?: number
  root: string
  workers: Map<string, WorkerInfo>
  tasks: Map<string, TaskModel>
}

const WORKER_NAME = /^worker-(.+)-(\d+)$/
const ZNODE_EVENTS = [ObserverEventTypes.created, ObserverEventTypes.changed, ObserverEventTypes.deleted] as const

export function buildModel(
  input: readonly LabEvent[],
  sinks: Record<string, readonly SinkRecord[]> = {},
  options: CheckOptions = {},
): JournalModel {
  // Plain output lines say nothing the checker reads, and are a large part of a journal.
  const read = input.filter((e) => e.type !== LabEventTypes.log)
  // The journal is in seq order already; sort only when it is not.
  const events = isSorted(read) ? read : read.sort((a, b) => a.seq - b.seq)
  const workers = new Map<string, WorkerInfo>()
  const intervals = new Map<string, number>()
  const elections = new Map<string, Election>()
  const workloads = new Map<string, Workload>()
  let root = options.root
  const taskNames = new Set<string>(Object.keys(sinks))

  // Pass 1: who is who (workers, their tasks, incarnations, intervals, root).
  const ensureWorker = (name: string, task?: string, workerId?: number | string): WorkerInfo => {
    let info = workers.get(name)
    if (!info) {
      const inferred = WORKER_NAME.exec(name)
      info = {
        name,
        task: task ?? inferred?.[1] ?? '',
        workerId: workerId ?? (inferred ? Number(inferred[2]) : undefined),
        incarnations: [],
      }
      workers.set(name, info)
    }
    if (task && !info.task) info.task = task
    if (workerId !== undefined && info.workerId === undefined) info.workerId = workerId
    return info
  }
  const currentIncarnation = (info: WorkerInfo, e: LabEvent): Incarnation => {
    let inc = info.incarnations.at(-1)
    // Hand-made or partial journals may lack process.spawned: the first word from a worker starts one.
    if (!inc) {
      inc = { worker: info.name, spawnedAt: e.time, spawnSeq: e.seq, sessions: [], nodes: [] }
      info.incarnations.push(inc)
    }
    return inc
  }

  for (const e of events) {
    if (e.type === LabEventTypes.processSpawned && (e.kind === 'worker' || e.kind === 'external')) {
      const labels = e.labels ?? {}
      const info = ensureWorker(e.name, labels.task === undefined ? undefined : `${labels.task}`, labels.workerId)
      info.incarnations.push({
        worker: info.name,
        pid: e.pid,
        spawnedAt: e.time,
        spawnSeq: e.seq,
        sessions: [],
        nodes: [],
        ...(e.clock ? { clock: e.clock } : {}),
      })
      // Recorded with the launch (older sessions: decoded from the command line, or an external worker's labels).
      const settings = settingsOfSpawned(e)
      const launched = settings?.program === 'task-worker' || settings?.program === 'external' ? settings : undefined
      const interval = Number(launched?.commitIntervalMs ?? labels.commitIntervalMs)
      if (info.task && Number.isFinite(interval) && interval > 0) intervals.set(info.task, interval)
      if (info.task && launched?.program === 'task-worker' && launched.workload === 'binlog')
        workloads.set(info.task, 'binlog')
      if (info.task && launched?.program === 'external' && launched.election)
        elections.set(info.task, electionOf(launched.election))
      root ??= launched?.root
      if (info.task) taskNames.add(info.task)
      continue
    }
    if (!e.type.startsWith('worker.')) continue
    const started = e.type === WorkerEventTypes.started ? e : undefined
    const info = ensureWorker(e.source, started?.task, started?.workerId)
    if (info.task) taskNames.add(info.task)
    const inc = currentIncarnation(info, e)
    if (
      (e.type === WorkerEventTypes.connected || e.type === WorkerEventTypes.connection) &&
      typeof e.sessionId === 'string' &&
      !inc.sessions.includes(e.sessionId)
    ) {
      inc.sessions.push(e.sessionId)
    }
    if (e.type === WorkerEventTypes.registered && typeof e.node === 'string')
      inc.nodes.push({ node: e.node, time: e.time, seq: e.seq })
  }
  for (const e of events) {
    if (e.type === LabEventTypes.processExited && typeof e.name === 'string') {
      const info = workers.get(e.name)
      const inc = info?.incarnations.findLast((i) => i.spawnSeq < e.seq && (i.pid === undefined || i.pid === e.pid))
      if (inc && inc.exitSeq === undefined) Object.assign(inc, { exitedAt: e.time, exitSeq: e.seq })
    }
    if (e.type === LabEventTypes.taskPublished && typeof e.task === 'string') taskNames.add(e.task)
  }
  root ??= LAB_ROOT
  const rootTasks = `${root}/tasks/`
  for (const e of events) {
    if (!isEvent(e, ...ZNODE_EVENTS) || !e.path.startsWith(rootTasks)) continue
    const slash = e.path.indexOf('/', rootTasks.length)
    const name = e.path.slice(rootTasks.length, slash < 0 ? undefined : slash)
    if (name) taskNames.add(name)
  }
  taskNames.delete('')

  const teardownAt = findTeardown(events)
  const closed = events.findLast((e) => e.type === LabEventTypes.sessionClosed)
  const last = events.reduce((max, e) => Math.max(max, e.time), 0)
  const start =
    events.find((e) => e.type === LabEventTypes.sessionCreated)?.time ??
    events.reduce((min, e) => Math.min(min, e.time), Infinity)

  const tasks = new Map<string, TaskModel>()
  for (const task of [...taskNames].sort()) {
    const interval = options.commitIntervalMs ?? intervals.get(task) ?? DEFAULT_COMMIT_INTERVAL_MS
    const election = elections.get(task) ?? electionOf(undefined)
    const workload = workloads.get(task) ?? DEFAULT_WORKLOAD
    tasks.set(task, buildTask(task, interval, workload, root, election, events, workers, sinks[task]))
  }
  return {
    events,
    start: Number.isFinite(start) ? start : 0,
    end: teardownAt ?? closed?.time ?? last,
    teardownAt,
    root,
    workers,
    tasks,
  }
}

function buildTask(
  task: string,
  commitIntervalMs: number,
  workload: Workload,
  root: string,
  election: Election,
  events: readonly LabEvent[],
  workers: Map<string, WorkerInfo>,
  sink: readonly SinkRecord[] | undefined,
): TaskModel {
  const base = `${root}/tasks/${task}`
  const paths = {
    task: base,
    instance: `${base}/instance`,
    election: `${base}/${election.path}`,
    lastCommit: `${base}/lastCommit`,
    status: `${base}/status`,
  }
  const under = base + '/'
  const electionUnder = paths.election + '/'
  const names = new Set([...workers.values()].filter((w) => w.task === task).map((w) => w.name))
  const model: TaskModel = {
    task,
    commitIntervalMs,
    workload,
    workers: [...names].sort(),
    work: [],
    workFromSink: false,
    workFromCommits: false,
    externalRoles: [],
    cuts: [],
    roles: [],
    watches: [],
    fenced: [],
    sessionEnds: [],
    slowLinks: [],
    connectivity: [],
    commits: [],
    status: [],
    nodeDeletions: [],
    election,
    paths,
  }
  const epochs = { lastCommit: 0, status: 0 }
  const commitWrites = new Map<string, ZnodeWrite>()
  const statusWrites = new Map<string, ZnodeWrite>()
  // A worker's report and the observer's notification of the same write share (epoch, version).
  const merge = (into: Map<string, ZnodeWrite>, w: ZnodeWrite) => {
    const key = w.version === undefined ? `seq:${w.seq}` : `${w.epoch}:${w.version}`
    const same = into.get(key)
    if (!same) into.set(key, w)
    else mergeWrite(same, w)
  }

  for (const e of events) {
    const fromWorker = names.has(e.source)
    const aboutName = e.source === 'lab' && 'name' in e ? e.name : undefined
    const aboutWorker = aboutName !== undefined && names.has(aboutName)
    if (fromWorker) {
      switch (e.type) {
        case WorkerEventTypes.work:
        case WorkerEventTypes.commit:
          model.work.push({
            worker: e.source,
            time: e.time,
            seq: e.seq,
            id: e.id,
            what: e.type === WorkerEventTypes.work ? 'work' : 'commit',
          })
          if (e.type === WorkerEventTypes.commit) {
            merge(commitWrites, {
              // The binlog workload commits a GTID (its seq is the id): the value as ZooKeeper holds it.
              value: gtidOf(e) ?? e.id.toString(),
              version: e.version,
              epoch: epochs.lastCommit,
              time: e.time,
              seq: e.seq,
              writer: e.source,
            })
          }
          break
        case WorkerEventTypes.statusSet:
          merge(statusWrites, {
            value: e.value,
            version: e.version,
            epoch: epochs.status,
            time: e.time,
            seq: e.seq,
            writer: e.source,
          })
          break
        case WorkerEventTypes.role:
          model.roles.push({
            worker: e.source,
            role: e.role,
            node: e.node,
            smallest: e.smallest,
            time: e.time,
            seq: e.seq,
          })
          if (e.role !== 'primary') model.cuts.push({ worker: e.source, time: e.time, seq: e.seq, why: 'stepped-down' })
          break
        case WorkerEventTypes.watch:
          model.watches.push({ worker: e.source, time: e.time, seq: e.seq, event: e.event, path: e.path })
          break
        case WorkerEventTypes.exiting:
          model.cuts.push({ worker: e.source, time: e.time, seq: e.seq, why: 'exiting' })
          if (e.sessionClosed === true)
            model.sessionEnds.push({ worker: e.source, time: e.time, seq: e.seq, how: 'closed' })
          break
        case WorkerEventTypes.connection:
          if (e.state === 'closed' || e.state === 'expired')
            model.sessionEnds.push({ worker: e.source, time: e.time, seq: e.seq, how: e.state })
          model.connectivity.push({ worker: e.source, time: e.time, seq: e.seq, up: e.state === 'connected' })
          break
        case WorkerEventTypes.connected:
        case WorkerEventTypes.resumed:
          model.connectivity.push({ worker: e.source, time: e.time, seq: e.seq, up: true })
          break
        case WorkerEventTypes.suspended:
          // The recipe's primary stops working when its connection drops, and says so.
          model.cuts.push({ worker: e.source, time: e.time, seq: e.seq, why: 'suspended' })
          model.connectivity.push({ worker: e.source, time: e.time, seq: e.seq, up: false })
          break
        case WorkerEventTypes.fenced:
          model.fenced.push({ worker: e.source, time: e.time, seq: e.seq, id: e.id, reason: e.reason })
          break
      }
    } else if (aboutWorker) {
      const name = aboutName
      if (e.type === LabEventTypes.processExited)
        model.cuts.push({ worker: name, time: e.time, seq: e.seq, why: 'exited' })
      if (e.type === LabEventTypes.processAction && e.action === 'pause')
        model.cuts.push({ worker: name, time: e.time, seq: e.seq, why: 'paused' })
      if (e.type === LabEventTypes.processSpawned)
        model.cuts.push({ worker: name, time: e.time, seq: e.seq, why: 'respawned' })
      // Derived, not claimed: a role read off the election cuts no work (a deposed primary may go on working).
      if (e.type === LabEventTypes.externalRole)
        model.externalRoles.push({
          worker: name,
          role: e.role,
          node: e.node ?? undefined,
          smallest: e.smallest ?? undefined,
          time: e.time,
          seq: e.seq,
        })
      // Its proxy heard ZooKeeper refuse to resume the session: ZooKeeper had let go of it.
      if (e.type === LabEventTypes.clientSession && e.how === 'expired')
        model.sessionEnds.push({ worker: name, time: e.time, seq: e.seq, how: 'expired' })
      // Faults add up on a link (a partition leaves its latency in force); a heal clears them, a fault
      // of the same kind replaces one.
      if (e.type === LabEventTypes.networkFault) {
        const oneWayMs = worstOneWayDelayMs(e)
        if (e.fault === 'heal' || oneWayMs !== undefined) {
          for (const open of model.slowLinks)
            if (open.worker === name && open.until === Infinity && (e.fault === 'heal' || open.kind === e.fault))
              open.until = e.time
        }
        if (oneWayMs !== undefined)
          model.slowLinks.push({ worker: name, kind: e.fault, from: e.time, until: Infinity, oneWayMs })
      }
    } else if (isEvent(e, ...ZNODE_EVENTS) && (e.path === base || e.path.startsWith(under))) {
      const path = e.path
      if (e.type === ObserverEventTypes.deleted) {
        // Deleting the task (or the node itself) starts the node's versions over.
        if (paths.lastCommit.startsWith(path)) epochs.lastCommit++
        if (paths.status.startsWith(path)) epochs.status++
        const child = path.startsWith(electionUnder) ? path.slice(electionUnder.length) : undefined
        if (child && !child.includes('/')) model.nodeDeletions.push({ node: child, time: e.time, seq: e.seq })
      } else if (
        (e.type === ObserverEventTypes.changed && e.cause !== 'children') ||
        e.type === ObserverEventTypes.created
      ) {
        const write = { value: e.data, version: e.stat.version, time: e.time, seq: e.seq }
        if (path === paths.lastCommit) merge(commitWrites, { ...write, epoch: epochs.lastCommit })
        if (path === paths.status) merge(statusWrites, { ...write, epoch: epochs.status })
      }
    }
  }

  // With no word from the workers about their work (an external program), the sink tells who worked when.
  if (model.work.length === 0 && sink && sink.length > 0) {
    model.workFromSink = true
    for (const r of sink) {
      const worker = workerForRecord(workers, task, r)
      model.work.push({ worker, time: sinkRecordTime(workers, worker, r), seq: -1, id: r.id, what: 'sink' })
    }
  }
  const byTime = <T extends { time: number; seq: number }>(a: T, b: T) => a.time - b.time || a.seq - b.seq
  model.work.sort(byTime)
  model.cuts.sort(byTime)
  model.commits = zkOrder([...commitWrites.values()])
  model.status = zkOrder([...statusWrites.values()])
  // No word about the work and no sink (the seed's Go program keeps none): each write to lastCommit
  // the observer saw is the work of the primary the election named at that moment.
  if (model.work.length === 0 && !(sink && sink.length > 0) && model.externalRoles.length > 0) {
    for (const write of model.commits) {
      if (write.writer !== undefined) continue
      const worker = primaryAt(model.externalRoles, write.seq)
      if (!worker) continue
      write.writer = worker
      model.work.push({
        worker,
        time: write.time,
        seq: write.seq,
        id: commitPosition(write.value),
        what: 'commit',
      })
    }
    model.workFromCommits = model.work.length > 0
  }
  return model
}

/**
 * A write to lastCommit as a position to compare: the counter's integer (signed, as written) or a
 * GTID's seq (commitPosition's reading); undefined for anything else, the empty string included (a
 * node created without a position says nothing to compare).
 */
export function commitValue(value: string | undefined): number | undefined {
  const text = value?.trim()
  if (!text) return undefined
  if (/^[+-]?\d+$/.test(text)) return Number(text)
  return parseGtid(text)?.seq
}

/** A lastCommit value as an id a breakdown shows: commitValue's position, when not negative. */
export function commitId(value: string | undefined): number | undefined {
  const position = commitValue(value)
  return position !== undefined && position >= 0 ? position : undefined
}

/** The GTID a binlog worker's `worker.work`/`worker.commit` carries besides its seq (`id`), if any. */
export function gtidOf(e: object): string | undefined {
  const gtid = (e as { gtid?: unknown }).gtid
  return typeof gtid === 'string' && gtid !== '' ? gtid : undefined
}

/** The worker the election named primary just before `seq` (external.role), if any. */
export function primaryAt(roles: readonly RoleChange[], seq: number): string | undefined {
  const latest = new Map<string, string>()
  for (const r of roles) {
    if (r.seq > seq) break
    latest.set(r.worker, r.role)
  }
  return [...latest].find(([, role]) => role === 'primary')?.[0]
}

function mergeWrite(into: ZnodeWrite, w: ZnodeWrite): void {
  // A worker's report names the writer and is closer to the write than the observer's notification.
  into.time = Math.min(into.time, w.time)
  into.seq = Math.min(into.seq, w.seq)
  if (w.writer) {
    into.writer = w.writer
    into.value = w.value
  }
}

/** ZooKeeper's order: by version within an epoch when every write has one, journal order otherwise. */
function zkOrder(writes: ZnodeWrite[]): ZnodeWrite[] {
  const epochs = [...new Set(writes.map((w) => w.epoch))].sort((a, b) => a - b)
  return epochs.flatMap((epoch) => {
    const inEpoch = writes.filter((w) => w.epoch === epoch)
    const versioned = inEpoch.every((w) => w.version !== undefined)
    return inEpoch.sort((a, b) => (versioned ? a.version! - b.version! : 0) || a.seq - b.seq)
  })
}

/**
 * The lab's own stop-all when a session closes: its `session.closing` event or, in older journals, the run of `process.action stop` just before
 * `session.closed`, all fired at once. Before `session.closed` is written (live), a stop of the
 * observer or the monitor marks it: the lab stops those only when it closes the session. Faults there
 * are the end of the session, not experiments.
 */
export function findTeardown(events: readonly LabEvent[]): number | undefined {
  // Journals since session.closing was introduced say exactly when the lab began to close.
  const closing = events.findLast((e) => e.type === LabEventTypes.sessionClosing)
  if (closing) return closing.time
  const closedAt = events.findLastIndex((e) => e.type === LabEventTypes.sessionClosed)
  const watcherStop = events.findLastIndex(
    (e) =>
      e.type === LabEventTypes.processAction && e.action === 'stop' && (e.name === 'observer' || e.name === 'monitor'),
  )
  const from = closedAt >= 0 ? closedAt - 1 : watcherStop
  if (from < 0) return undefined
  let first: number | undefined
  let latest: number | undefined
  for (let i = from; i >= 0; i--) {
    const e = events[i]
    if (
      e.type === LabEventTypes.processSpawned ||
      e.type === LabEventTypes.scenarioStep ||
      e.type.startsWith('fault.') ||
      e.type.startsWith('task.')
    )
      break
    if (e.type !== LabEventTypes.processAction) continue
    if (e.action !== 'stop') break
    latest ??= e.time
    // stopAll fires every stop in the same moment; a stop long before it was somebody's experiment.
    if (latest - e.time > 1000) break
    first = e.time
  }
  return first
}

/** Which worker wrote a sink record: by session, else by worker id within the task. */
export function workerForRecord(workers: Map<string, WorkerInfo>, task: string, record: SinkRecord): string {
  if (record.session) {
    for (const w of workers.values())
      if (w.incarnations.some((i) => i.sessions.includes(String(record.session)))) return w.name
  }
  for (const w of workers.values()) if (w.task === task && String(w.workerId) === String(record.worker)) return w.name
  return typeof record.worker === 'string' && workers.has(record.worker) ? record.worker : `worker ${record.worker}`
}

/**
 * A sink record's time on the lab's clock. A worker whose clock the lab skewed wrote it on its own
 * clock: that is turned back with the setting its process.spawned recorded (the latest incarnation
 * the corrected time falls in). Every other worker shares the lab's clock, so its record is exact.
 */
export function sinkRecordTime(workers: Map<string, WorkerInfo>, worker: string, record: SinkRecord): number {
  const incs = workers.get(worker)?.incarnations ?? []
  for (const inc of [...incs].reverse()) {
    const time = inc.clock ? labTimeOf(inc.clock, inc.spawnedAt, record.time) : record.time
    if (time >= inc.spawnedAt) return time
  }
  return record.time
}

/** The incarnation of a worker alive at a moment (the last one spawned at or before it). */
export function incarnationAt(
  model: JournalModel,
  worker: string,
  time: number,
  session?: string,
): Incarnation | undefined {
  const incs = model.workers.get(worker)?.incarnations ?? []
  if (session) {
    const bySession = incs.find((i) => i.sessions.includes(session))
    if (bySession) return bySession
  }
  return incs.findLast((i) => i.spawnedAt <= time) ?? incs[0]
}

/**
 * The election node a worker held at a moment: its own report (the lab's workers), else the node
 * the lab derived for it from the election (external workers' external.role).
 */
export function nodeAt(model: JournalModel, worker: string, seq: number): string | undefined {
  const incs = model.workers.get(worker)?.incarnations ?? []
  const inc = incs.findLast((i) => i.spawnSeq <= seq)
  const reported = inc?.nodes.findLast((n) => n.seq <= seq)?.node
  if (reported) return reported
  const task = model.tasks.get(model.workers.get(worker)?.task ?? '')
  return task?.externalRoles.findLast((r) => r.worker === worker && r.seq <= seq && r.node)?.node
}

/** A time as the views show it: seconds since the session began. */
export function at(model: Pick<JournalModel, 'start'>, time: number): string {
  return sinceStart(time, model.start)
}

export { seconds } from '../../shared/format.js'

/** Ids as a short list: 3, 4, 5, 9 → "3–5, 9". */
export function idList(ids: readonly number[]): string {
  const sorted = [...new Set(ids)].sort((a, b) => a - b)
  const parts: string[] = []
  for (let i = 0; i < sorted.length; i++) {
    let j = i
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j] + 1) j++
    parts.push(j > i ? `${sorted[i]}–${sorted[j]}` : String(sorted[i]))
    i = j
  }
  return parts.join(', ')
}

function isSorted(events: readonly LabEvent[]): boolean {
  for (let i = 1; i < events.length; i++) if (events[i].seq < events[i - 1].seq) return false
  return true
}

/** Bytes one commit cycle of a task worker moves each way, at most (a few requests and replies). */
const CYCLE_BYTES = 1024
/** Consecutive losses a message is allowed to meet: retransmission timeouts of 200 + 400 + 800 ms. */
const LOSS_RTO_WORST_MS = 1400

/**
 * The worst delay a degrading link fault adds to one message one way, or undefined for a fault that
 * does not degrade (partition, heal, reset, slow close).
 */
function worstOneWayDelayMs(e: NetworkFaultApplied): number | undefined {
  switch (e.fault) {
    case 'slow':
      return (e.latencyMs ?? 0) + (e.jitterMs ?? 0)
    case 'loss':
      return (e.probability ?? 0) > 0 ? LOSS_RTO_WORST_MS : 0
    case 'bandwidth':
      return e.bytesPerSecond ? Math.ceil((CYCLE_BYTES * 1000) / e.bytesPerSecond) : 0
    case 'slicer':
      return e.sliceBytes ? Math.ceil(CYCLE_BYTES / e.sliceBytes) * (e.sliceDelayMs ?? 0) : 0
    default:
      return undefined
  }
}
