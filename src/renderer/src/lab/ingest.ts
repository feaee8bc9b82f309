import { LabEventTypes, MonitorEventTypes, ObserverEventTypes, type LabEvent } from '../../../shared/events.js'
import { applyEvent, emptyLabState, type LabState } from '../../../shared/lab-state.js'
import { useStore, type Store } from '../app/store.js'
import type { ZkStats } from '../cluster/cluster-slice.js'
import { logBuffers } from '../logs/log-store.js'
import { timelineModel } from '../timeline/timeline-store.js'
import { buildChildIndex } from '../tree/tree-model.js'

/** The renderer's copy of the lab state, mutated by the shared reducer; the store gets copies of what changed. */
let live: LabState = emptyLabState()
/** Highest sequence number applied: batches are deduplicated against it. */
let lastSeq = 0

/** Highlights older than this are forgotten, so the change map stays small. */
const CHANGE_MEMORY_MS = 5_000

interface Touched {
  workers: Set<string>
  processes: Set<string>
  zookeeper: boolean
  tasks: boolean
  tree: boolean
  treeStructure: boolean
  alerts: boolean
  session: boolean
}

function touch(e: LabEvent, t: Touched): void {
  if (e.type.startsWith('zk.')) t.zookeeper = true
  else if (e.type.startsWith('process.')) {
    const name = String(e.name)
    t.processes.add(name)
    t.workers.add(name)
    // Servers are processes too (pause, exit).
    t.zookeeper = true
  } else if (e.type.startsWith('worker.')) t.workers.add(e.source)
  else if (e.type.startsWith('znode.')) {
    t.tree = true
    t.tasks = true
    if (e.type !== ObserverEventTypes.changed) t.treeStructure = true
  } else if (e.type === MonitorEventTypes.alert || e.type === MonitorEventTypes.cleared) t.alerts = true
  else if (e.type === LabEventTypes.sessionCreated) t.session = true
}

/**
 * Applies a batch of journal events to everything the renderer shows, in one store update: the lab
 * state (shared reducer), the znode tree, the log buffers and the timeline. Events already applied
 * (by seq) are skipped, so history and live batches may overlap. `live: false` for history: it raises
 * no toasts.
 */
export function ingest(events: readonly LabEvent[], options: { live?: boolean; stateOnly?: boolean } = {}): void {
  const fresh: LabEvent[] = []
  for (const e of events) {
    if (e.seq > lastSeq) {
      fresh.push(e)
      lastSeq = e.seq
    }
  }
  if (fresh.length === 0) return
  const s = useStore.getState()
  const t: Touched = { workers: new Set(), processes: new Set(), zookeeper: false, tasks: false, tree: false, treeStructure: false, alerts: false, session: false }
  const patch: Partial<Store> = {}
  let changed: Map<string, number> | undefined
  let stats: Record<string, ZkStats> | undefined
  let net: Store['workerNet'] | undefined
  const toasts: Array<Parameters<Store['pushToast']>[0]> = []

  for (const e of fresh) {
    applyEvent(live, e)
    touch(e, t)
    if (e.type === ObserverEventTypes.created || e.type === ObserverEventTypes.changed) {
      changed ??= new Map(s.treeChanged)
      changed.set(String(e.path), e.time)
    } else if (e.type === 'zk.stats') {
      stats ??= { ...s.zkStats }
      const name = String(e.name ?? `zk-${String(e.server)}`)
      stats[name] = {
        server: Number(e.server),
        name,
        nodeCount: num(e.nodeCount),
        connections: num(e.connections),
        mode: typeof e.mode === 'string' ? e.mode : undefined,
        zxid: typeof e.zxid === 'string' ? e.zxid : e.zxid === undefined ? undefined : String(e.zxid),
        latencyAvg: num(e.latencyAvg),
        outstanding: num(e.outstanding),
        time: e.time,
      }
    } else if (e.type === 'fault.network') {
      net ??= { ...s.workerNet }
      const name = String(e.name)
      if (e.fault === 'heal') delete net[name]
      else if (e.fault === 'partition' || e.fault === 'slow') net[name] = { fault: e.fault, latencyMs: num(e.latencyMs), since: e.time }
    } else if (options.live && e.type === MonitorEventTypes.alert) {
      toasts.push({ kind: 'alert', title: `${String(e.task)}: ${String(e.kind)}`, message: String(e.message ?? e.kind), time: e.time })
    } else if (options.live && e.type === LabEventTypes.failover) {
      const gap = num(e.firstCommitMs) ?? num(e.gapMs)
      toasts.push({
        kind: 'cleared',
        title: `${String(e.task)}: failover`,
        message: `${String(e.from)} → ${String(e.to ?? '?')}${gap !== undefined ? `, first commit after ${(gap / 1000).toFixed(2)} s` : ''}`,
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
  if (t.tasks) patch.tasks = Object.fromEntries(Object.entries(live.tasks).map(([k, v]) => [k, { ...v, instances: [...v.instances] }]))
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

  if (!options.stateOnly) {
    const newSources = logBuffers.append(fresh)
    patch.logsVersion = s.logsVersion + 1
    if (newSources.length) patch.logSources = [...s.logSources, ...newSources].sort(compareSources)
    if (timelineModel.applyAll(fresh)) patch.timelineVersion = s.timelineVersion + 1
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
export function loadHistory(snapshot: LabState, recent: readonly LabEvent[]): void {
  const events = recent.filter((e) => e.seq > lastSeq)
  logBuffers.append(events)
  timelineModel.applyAll(events)
  live = structuredClone(snapshot)
  lastSeq = Math.max(lastSeq, snapshot.lastSeq)
  const s = useStore.getState()
  useStore.setState({
    session: live.session && { ...live.session },
    zookeeper: structuredClone(live.zookeeper),
    processes: structuredClone(live.processes),
    workers: structuredClone(live.workers),
    tasks: structuredClone(live.tasks),
    tree: { ...live.tree },
    treeIndex: buildChildIndex(Object.keys(live.tree)),
    alerts: [...live.alerts],
    logSources: logBuffers.sources().sort(compareSources),
    logsVersion: s.logsVersion + 1,
    timelineVersion: s.timelineVersion + 1,
    timelineTask: s.timelineTask ?? [...timelineModel.tasks.keys()][0],
    loaded: true,
  })
  // Events newer than the snapshot: their lines and lanes are in, the state still needs them.
  const newer = events.filter((e) => e.seq > lastSeq)
  if (newer.length) ingest(newer, { stateOnly: true })
}

export function lastAppliedSeq(): number {
  return lastSeq
}

/** Back to an empty renderer state (tests, and a new session). */
export function resetIngest(): void {
  live = emptyLabState()
  lastSeq = 0
  logBuffers.reset()
  timelineModel.reset()
}

/** Merged first, then the lab, ZooKeeper servers, workers by task and number, then helpers. */
export function compareSources(a: string, b: string): number {
  const rank = (s: string) => (s === 'lab' ? 0 : s.startsWith('zk-') ? 1 : s.startsWith('worker-') ? 2 : 3)
  return rank(a) - rank(b) || a.localeCompare(b, 'en', { numeric: true })
}

const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined)
