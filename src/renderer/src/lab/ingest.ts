import {
  LabEventTypes,
  MonitorEventTypes,
  ObserverEventTypes,
  type EventOf,
  type LabEvent,
} from '../../../shared/events.js'
import { finiteNumber, seconds } from '../../../shared/format.js'
import { applyEvent, type LabState } from '../../../shared/lab-state.js'
import { useStore, type Store } from '../app/store.js'
import { emptySessionCluster, type ZkStats } from '../cluster/cluster-slice.js'
import { logBuffers } from '../logs/log-store.js'
import { emptySessionLogs, logViewStart } from '../logs/logs-slice.js'
import { timelineViewStart } from '../timeline/timeline-slice.js'
import { timelineModel } from '../timeline/timeline-store.js'
import { emptySessionTree, treeViewStart } from '../tree/tree-slice.js'
import { buildChildIndex } from '../tree/tree-model.js'
import { describeStep, median, parseFailovers } from '../experiments/checker-model.js'
import { emptyIngest } from './ingest-slice.js'
import {
  emptySessionExperiments,
  MAX_RUNS,
  type RunRecord,
  type SessionPhase,
  type StepSeen,
} from '../experiments/experiments-slice.js'

/** Highlights older than this are forgotten, so the change map stays small. */
const CHANGE_MEMORY_MS = 5_000
/** Scenario steps kept for the progress list. */
const MAX_STEPS = 200

interface Touched {
  workers: Set<string>
  processes: Set<string>
  zookeeper: boolean
  tasks: boolean
  tree: boolean
  treeStructure: boolean
  alerts: boolean
  session: boolean
  scenario: boolean
  violations: boolean
  verdicts: boolean
  watches: boolean
  source: boolean
}

function touch(e: LabEvent, t: Touched): void {
  if (e.type.startsWith('zk.')) t.zookeeper = true
  else if (e.type.startsWith('process.')) {
    const name = 'name' in e ? e.name : ''
    t.processes.add(name)
    t.workers.add(name)
    // Servers are processes too (pause, exit).
    t.zookeeper = true
  } else if (e.type.startsWith('worker.')) t.workers.add(e.source)
  // The lab's reading of an external worker's role: about that worker, though the lab says it.
  else if (e.type === LabEventTypes.externalRole) t.workers.add(e.name)
  else if (e.type.startsWith('znode.')) {
    t.tree = true
    t.tasks = true
    if (e.type !== ObserverEventTypes.changed) t.treeStructure = true
  } else if (e.type === MonitorEventTypes.alert || e.type === MonitorEventTypes.cleared) t.alerts = true
  else if (e.type === LabEventTypes.sessionCreated || e.type === LabEventTypes.recordingFailed) t.session = true
  else if (e.type.startsWith('scenario.')) t.scenario = true
  else if (e.type === LabEventTypes.violation) t.violations = true
  else if (e.type === LabEventTypes.checkReport) t.verdicts = true
  else if (e.type === LabEventTypes.zookeeperWatches || e.type === LabEventTypes.zookeeperSessions) t.watches = true
  else if (e.type.startsWith('mariadb.')) t.source = true
}

/**
 * Applies a batch of journal events to everything the renderer shows, in one store update: the lab
 * state (shared reducer), the znode tree, the log buffers and the timeline. Events already applied
 * (by seq) are skipped, so history and live batches may overlap. `live: false` for history: it raises
 * no toasts.
 */
export function ingest(events: readonly LabEvent[], options: IngestOptions = {}): void {
  // A replay is one journal, read whole, as the shared `replay()` reads it: nothing to split.
  if (options.replay) return applyBatch(events, options)
  // A lab runs one session after another (a scenario closes the open one and starts its own), and
  // each session numbers its journal from 1: the view starts over at each new session.created.
  let from = 0
  for (let i = 0; i < events.length; i++) {
    const e = events[i]
    if (e.type === LabEventTypes.sessionCreated && startsNewSession(e)) {
      if (i > from) applyBatch(events.slice(from, i), options)
      beginNewSession()
      from = i
    }
  }
  applyBatch(from === 0 ? events : events.slice(from), options)
}

export interface IngestOptions {
  /** Batches from the live subscription: they may raise toasts. */
  live?: boolean
  /** Only the lab state (logs and lanes already have these events). */
  stateOnly?: boolean
  /**
   * A past session being replayed (library/replay.ts): no toasts, not one of this window's runs, and
   * the timeline is left alone (it already holds the whole session, with a cursor at the position).
   */
  replay?: boolean
}

/** A session.created for another folder than the one shown (a replay of the shown one is not new). */
function startsNewSession(e: EventOf<'session.created'>): boolean {
  const { labMirror: live, lastSeq } = useStore.getState()
  if (lastSeq === 0 && !live.session) return false
  if (!live.session || live.session.dir !== e.dir) return true
  // The same folder again (createSession with its dir): the journal goes on numbering from its end.
  return e.seq > lastSeq && live.session.createdAt !== e.time
}

/**
 * Forgets everything about the session shown, keeping what belongs to the window (theme, tab, log
 * filters, the scenario list, past runs): the next events are another session's. `rewind`: the same
 * replayed journal again, from an earlier position; the timeline (the whole session) and what the
 * user is looking at (the selected znode, the log tab, follow) stay.
 */
export function beginNewSession(options: { rewind?: boolean } = {}): void {
  resetIngest({ keepTimeline: options.rewind })
  const s = useStore.getState()
  useStore.setState({
    ...emptySessionCluster(),
    ...emptySessionTree(),
    ...emptySessionLogs(),
    logsVersion: s.logsVersion + 1,
    ...(options.rewind
      ? {}
      : { ...treeViewStart(), ...logViewStart(), ...timelineViewStart(), timelineVersion: s.timelineVersion + 1 }),
    ...emptySessionExperiments(),
  })
}

/** The folder of the session the view shows. */
export function currentSessionDir(): string | undefined {
  return useStore.getState().labMirror.session?.dir
}

function applyBatch(events: readonly LabEvent[], options: IngestOptions): void {
  const { labMirror: live } = useStore.getState()
  let { lastSeq } = useStore.getState()
  const fresh: LabEvent[] = []
  for (const e of events) {
    if (e.seq > lastSeq) {
      fresh.push(e)
      lastSeq = e.seq
    }
  }
  if (fresh.length === 0) return
  const s = useStore.getState()
  const t: Touched = {
    workers: new Set(),
    processes: new Set(),
    zookeeper: false,
    tasks: false,
    tree: false,
    treeStructure: false,
    alerts: false,
    session: false,
    scenario: false,
    violations: false,
    verdicts: false,
    watches: false,
    source: false,
  }
  const patch: Partial<Store> = { lastSeq }
  let changed: Map<string, number> | undefined
  let stats: Record<string, ZkStats> | undefined
  let net: Store['workerNet'] | undefined
  const toasts: Array<Parameters<Store['pushToast']>[0]> = []
  let steps: StepSeen[] | undefined
  let phase: SessionPhase | undefined

  for (const e of fresh) {
    applyEvent(live, e)
    touch(e, t)
    if (e.type === ObserverEventTypes.created || e.type === ObserverEventTypes.changed) {
      changed ??= new Map(s.treeChanged)
      changed.set(e.path, e.time)
    } else if (e.type === LabEventTypes.zkStats) {
      stats ??= { ...s.zkStats }
      applyZkStats(stats, e)
    } else if (e.type === LabEventTypes.networkFault) {
      net ??= { ...s.workerNet }
      applyNetworkFault(net, e)
    } else if (e.type === LabEventTypes.scenarioStep) {
      steps ??= [...s.scenarioSteps]
      steps.push(stepSeen(e))
      if (steps.length > MAX_STEPS) steps.splice(0, steps.length - MAX_STEPS)
    } else if (e.type === LabEventTypes.scenarioStarted) {
      steps = []
      patch.pendingRun = undefined
      patch.scenarioEndedAt = undefined
    } else if (e.type === LabEventTypes.scenarioResult) {
      patch.scenarioEndedAt = e.time
    } else if (e.type === LabEventTypes.sessionCreated) {
      phase = 'open'
    } else if (e.type === LabEventTypes.sessionClosing) {
      phase = 'closing'
    } else if (e.type === LabEventTypes.sessionClosed) {
      phase = 'closed'
      patch.sessionClosedAt = e.time
    } else if (e.type === LabEventTypes.checkReport) {
      patch.checkFailovers = parseFailovers(e.failovers)
      phase ??= 'closing'
    } else if (options.live && e.type === LabEventTypes.recordingFailed) {
      toasts.push({ kind: 'error', title: 'Recording failed', message: e.reason, time: e.time })
    } else if (options.live && e.type === LabEventTypes.violation) {
      toasts.push({ kind: 'alert', title: `Violation: ${e.invariant} (${e.task})`, message: e.message, time: e.time })
    } else if (options.live && e.type === MonitorEventTypes.alert) {
      toasts.push({ kind: 'alert', title: `${e.task}: ${e.kind}`, message: e.message, time: e.time })
    } else if (options.live && e.type === LabEventTypes.failover) {
      const gap = finiteNumber(e.firstCommitMs) ?? finiteNumber(e.gapMs)
      toasts.push({
        kind: 'cleared',
        title: `${e.task}: failover`,
        message: `${e.from} → ${e.to ?? '?'}${gap !== undefined ? `, first commit after ${seconds(gap)}` : ''}`,
        time: e.time,
      })
    }
  }

  if (t.session) patch.session = live.session && { ...live.session }
  if (t.zookeeper) patch.zookeeper = { ...live.zookeeper, servers: live.zookeeper.servers.map((srv) => ({ ...srv })) }
  if (t.processes.size) {
    const processes = { ...s.processes }
    for (const name of t.processes) if (live.processes[name]) processes[name] = { ...live.processes[name] }
    patch.processes = processes
  }
  if (t.workers.size) {
    let workers: Store['workers'] | undefined
    for (const name of t.workers) {
      const w = live.workers[name]
      if (!w) continue
      workers ??= { ...s.workers }
      workers[name] = { ...w }
    }
    if (workers) patch.workers = workers
  }
  if (t.tasks)
    patch.tasks = Object.fromEntries(
      Object.entries(live.tasks).map(([k, v]) => [k, { ...v, instances: [...v.instances] }]),
    )
  if (t.tree) patch.tree = { ...live.tree }
  if (t.treeStructure) patch.treeIndex = buildChildIndex(Object.keys(live.tree))
  if (changed) {
    const horizon = fresh[fresh.length - 1].time - CHANGE_MEMORY_MS
    for (const [path, time] of changed) if (time < horizon) changed.delete(path)
    patch.treeChanged = changed
  }
  if (t.alerts) patch.alerts = [...live.alerts]
  if (stats) patch.zkStats = stats
  if (net) patch.workerNet = net
  if (t.scenario) patch.scenario = live.scenario && { ...live.scenario }
  if (steps) patch.scenarioSteps = steps
  if (t.violations) patch.violations = [...live.violations]
  // The reducer stores a new object per snapshot: no copy needed.
  if (t.watches) {
    patch.zkWatches = live.watches
    patch.zkSessions = live.sessions
  }
  if (t.source) patch.source = live.source && structuredClone(live.source)
  if (t.verdicts) patch.verdicts = live.verdicts && { ok: live.verdicts.ok, verdicts: [...live.verdicts.verdicts] }
  if (phase) patch.sessionPhase = phase
  if (t.verdicts && live.scenario && live.verdicts && live.session && !options.replay) {
    const endedAt = 'scenarioEndedAt' in patch ? patch.scenarioEndedAt : s.scenarioEndedAt
    patch.runs = rememberRun(s.runs, runRecord(live, patch.checkFailovers ?? s.checkFailovers ?? [], endedAt))
  }

  if (!options.stateOnly) {
    const newSources = logBuffers.append(fresh)
    patch.logsVersion = s.logsVersion + 1
    if (newSources.length) patch.logSources = [...s.logSources, ...newSources].sort(compareSources)
    if (!options.replay && timelineModel.applyAll(fresh)) patch.timelineVersion = s.timelineVersion + 1
  }
  if (!s.timelineTask && timelineModel.tasks.size > 0) patch.timelineTask = [...timelineModel.tasks.keys()][0]

  useStore.setState(patch)
  for (const toast of toasts) useStore.getState().pushToast(toast)
}

/**
 * Starts from a snapshot (the lab state at `snapshot.lastSeq`) plus the events the lab still holds in
 * memory. The lab state comes from the snapshot, which covers the whole session even when the lab's
 * in-memory history no longer reaches back to its start; logs and lanes come from the events.
 */
export function loadHistory(snapshot: LabState, recent: readonly LabEvent[], options: { replay?: boolean } = {}): void {
  let { lastSeq } = useStore.getState()
  const events = recent.filter((e) => e.seq > lastSeq)
  logBuffers.append(events)
  if (!options.replay) timelineModel.applyAll(events)
  const live = structuredClone(snapshot)
  dropHeldOver(live, events)
  lastSeq = Math.max(lastSeq, snapshot.lastSeq)
  const s = useStore.getState()
  // What the snapshot does not hold: the steps reached, the report's breakdown, whether it closed.
  let phase: SessionPhase = 'open'
  let checkFailovers: ReturnType<typeof parseFailovers> | undefined
  const scenarioSteps: StepSeen[] = []
  let scenarioEndedAt: number | undefined
  let sessionClosedAt: number | undefined
  const zkStats: Record<string, ZkStats> = {}
  const workerNet: Store['workerNet'] = {}
  for (const e of events) {
    if (e.seq > snapshot.lastSeq) break
    switch (e.type) {
      case LabEventTypes.zkStats:
        applyZkStats(zkStats, e)
        break
      case LabEventTypes.networkFault:
        applyNetworkFault(workerNet, e)
        break
      case LabEventTypes.sessionCreated:
        phase = 'open'
        break
      case LabEventTypes.sessionClosing:
        phase = 'closing'
        break
      case LabEventTypes.sessionClosed:
        phase = 'closed'
        sessionClosedAt = e.time
        break
      case LabEventTypes.checkReport:
        checkFailovers = parseFailovers(e.failovers)
        break
      case LabEventTypes.scenarioStarted:
        scenarioSteps.length = 0
        break
      case LabEventTypes.scenarioResult:
        scenarioEndedAt = e.time
        break
      case LabEventTypes.scenarioStep:
        scenarioSteps.push(stepSeen(e))
        break
    }
  }
  if (live.verdicts && phase === 'open') phase = 'closed'
  const runs =
    !options.replay &&
    live.scenario &&
    live.verdicts &&
    live.session &&
    !s.runs.some((r) => r.sessionDir === live.session?.dir)
      ? rememberRun(s.runs, runRecord(live, checkFailovers ?? [], scenarioEndedAt))
      : s.runs
  useStore.setState({
    labMirror: live,
    lastSeq,
    scenario: live.scenario && { ...live.scenario },
    scenarioSteps: scenarioSteps.slice(-MAX_STEPS),
    scenarioEndedAt,
    sessionClosedAt,
    violations: [...live.violations],
    verdicts: live.verdicts && { ok: live.verdicts.ok, verdicts: [...live.verdicts.verdicts] },
    checkFailovers,
    sessionPhase: phase,
    runs,
    session: live.session && { ...live.session },
    zookeeper: structuredClone(live.zookeeper),
    processes: structuredClone(live.processes),
    workers: structuredClone(live.workers),
    tasks: structuredClone(live.tasks),
    tree: { ...live.tree },
    treeIndex: buildChildIndex(Object.keys(live.tree)),
    alerts: [...live.alerts],
    zkStats,
    workerNet,
    zkWatches: live.watches,
    zkSessions: live.sessions,
    source: live.source && structuredClone(live.source),
    logSources: logBuffers.sources().sort(compareSources),
    logsVersion: s.logsVersion + 1,
    timelineVersion: s.timelineVersion + 1,
    timelineTask: s.timelineTask ?? [...timelineModel.tasks.keys()][0],
    loaded: true,
  })
  // Events newer than the snapshot: their lines and lanes are in, the state still needs them.
  const newer = events.filter((e) => e.seq > lastSeq)
  if (newer.length) ingest(newer, { stateOnly: true, replay: options.replay })
}

/**
 * When the events reach back to the session's own session.created, they are the whole story: final
 * verdicts or a scenario that none of them produced are left over from the lab's previous session (its
 * snapshot after createSession can still carry them) and would show a new, open session as closed.
 */
function dropHeldOver(state: LabState, events: readonly LabEvent[]): void {
  const first = events[0]
  if (!first || first.type !== LabEventTypes.sessionCreated || String(first.dir) !== state.session?.dir) return
  if (state.verdicts && !events.some((e) => e.type === LabEventTypes.checkReport)) delete state.verdicts
  if (state.scenario && !events.some((e) => e.type === LabEventTypes.scenarioStarted)) delete state.scenario
}

export function lastAppliedSeq(): number {
  return useStore.getState().lastSeq
}

/** Back to an empty renderer state (tests, and a new session). */
export function resetIngest(options: { keepTimeline?: boolean } = {}): void {
  useStore.setState(emptyIngest())
  logBuffers.reset()
  if (!options.keepTimeline) timelineModel.reset()
}

/** The latest four-letter-word figures of a server (not part of LabState: the cluster panel's extra detail). */
function applyZkStats(stats: Record<string, ZkStats>, e: EventOf<'zk.stats'>): void {
  const name = e.name
  stats[name] = {
    server: e.server,
    name,
    nodeCount: e.nodeCount,
    connections: e.connections,
    mode: e.mode,
    zxid: e.zxid,
    latencyAvg: e.latencyAvg,
    outstanding: e.outstanding,
    time: e.time,
  }
}

/**
 * Network faults in force on each worker's link, until healed. As on the proxy, a fault replaces one
 * of its kind on the directions it names; a one-way fault leaves the other way of a two-way one.
 */
function applyNetworkFault(net: Store['workerNet'], e: EventOf<'fault.network'>): void {
  const { name, fault } = e
  if (fault === 'heal') {
    delete net[name]
    return
  }
  if (fault === 'reset') return
  const way = e.direction ?? 'both'
  const kept = (net[name]?.faults ?? []).flatMap((f) => {
    if (f.fault !== fault) return [f]
    const was = f.direction ?? 'both'
    if (way === 'both' || was === way) return []
    return was === 'both'
      ? [{ ...f, direction: way === 'upstream' ? ('downstream' as const) : ('upstream' as const) }]
      : [f]
  })
  const { name: _name, seq: _seq, time: _time, type: _type, source: _source, ...recorded } = e
  net[name] = { faults: [...kept, recorded], since: net[name]?.since ?? e.time }
}

function stepSeen(e: EventOf<'scenario.step'>): StepSeen {
  const text = describeStep(e.step)
  return { path: e.path, ...(text ? { text } : {}), time: e.time }
}

/** A finished run as the runs list shows it. */
export function runRecord(state: LabState, failovers: ReturnType<typeof parseFailovers>, endedAt?: number): RunRecord {
  const scenario = state.scenario!
  const verdicts = state.verdicts?.verdicts ?? []
  const failed = verdicts.filter((v) => !v.ok).length
  return {
    sessionDir: state.session?.dir ?? '',
    scenario: scenario.name,
    ...(scenario.strategy ? { strategy: scenario.strategy } : {}),
    ...(scenario.seed !== undefined ? { seed: scenario.seed } : {}),
    startedAt: scenario.startedAt,
    durationMs: Math.max(0, (endedAt ?? state.lastTime) - scenario.startedAt),
    ok: scenario.ok !== false && state.verdicts?.ok !== false,
    ...(scenario.error ? { error: scenario.error } : {}),
    failedVerdicts: failed,
    verdicts: verdicts.length,
    violations: verdicts.reduce((sum, v) => sum + (Number(v.violations) || 0), 0),
    failovers: failovers.length,
    medianNewPrimaryMs: median(failovers.map((f) => f.steps.newPrimary)),
  }
}

function rememberRun(runs: readonly RunRecord[], run: RunRecord): RunRecord[] {
  return [run, ...runs.filter((r) => r.sessionDir !== run.sessionDir)].slice(0, MAX_RUNS)
}

/** Merged first, then the lab, ZooKeeper servers, workers by task and number, then helpers. */
export function compareSources(a: string, b: string): number {
  const rank = (s: string) => (s === 'lab' ? 0 : s.startsWith('zk-') ? 1 : s.startsWith('worker-') ? 2 : 3)
  return rank(a) - rank(b) || a.localeCompare(b, 'en', { numeric: true })
}
