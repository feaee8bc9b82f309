/**
 * ZooKeeper's own view of its clients at the end of the session: the sessions every server held
 * (`cons`, the lab's last `zookeeper.sessions` snapshot) and who watched what (`wchc`, its last
 * `zookeeper.watches` graph). "The end" is the last snapshot before the lab's stop-all, which takes
 * every worker away; a journal cut off before its close has its last snapshot. Each connection gets
 * its watches from the graph and the ephemeral nodes its session owned from the observer's tree as of
 * that snapshot.
 */
import { LabEventTypes, type EventOf, type LabEvent } from '../../shared/events.js'
import { replay } from '../../shared/lab-state.js'
import { normalSessionId } from '../zookeeper/watch-words.js'
import type { ReportConnection, ReportWatchedPath, ReportZooKeeperView } from './types.js'

type Snapshot<T extends 'zookeeper.sessions' | 'zookeeper.watches'> = EventOf<T>

/** The last event of a type before the lab's stop-all (or the last at all, when none came before it). */
function lastBeforeClosing<T extends 'zookeeper.sessions' | 'zookeeper.watches'>(
  events: readonly LabEvent[],
  type: T,
  closingSeq: number,
): Snapshot<T> | undefined {
  const isType = (e: LabEvent): e is Snapshot<T> => e.type === type
  return events.findLast((e): e is Snapshot<T> => isType(e) && e.seq < closingSeq) ?? events.findLast(isType)
}

export function zookeeperView(events: readonly LabEvent[]): ReportZooKeeperView | undefined {
  const closingSeq = events.find((e) => e.type === LabEventTypes.sessionClosing)?.seq ?? Infinity
  const sessions = lastBeforeClosing(events, LabEventTypes.zookeeperSessions, closingSeq)
  const watches = lastBeforeClosing(events, LabEventTypes.zookeeperWatches, closingSeq)
  if (!sessions && !watches) return undefined

  const watchesOf = new Map<string, number>()
  for (const e of watches?.edges ?? []) {
    const key = normalSessionId(e.session)
    if (key) watchesOf.set(key, (watchesOf.get(key) ?? 0) + 1)
  }
  const ownedAt = sessions ? ephemeralOwners(events, sessions.seq) : new Map<string, string[]>()
  const connections: ReportConnection[] = (sessions?.connections ?? []).map((c) => {
    const key = normalSessionId(c.session)
    return {
      server: c.server,
      client: c.client,
      session: `0x${key}`,
      worker: c.worker ?? null,
      establishedAt: c.establishedAt ?? null,
      timeoutMs: c.timeoutMs ?? null,
      lastOp: c.lastOp ?? null,
      outstanding: c.outstanding,
      // Edges cut past the graph's cap are not counted: then it is unknown, not zero.
      watches: watches && !watches.omitted ? (watchesOf.get(key) ?? 0) : (watchesOf.get(key) ?? null),
      ephemeralNodes: ownedAt.get(key) ?? [],
    }
  })
  connections.sort(
    (a, b) =>
      Number(a.worker === null) - Number(b.worker === null) ||
      (a.worker ?? '').localeCompare(b.worker ?? '', 'en', { numeric: true }) ||
      a.server.localeCompare(b.server) ||
      a.session.localeCompare(b.session),
  )
  return {
    sessions: sessions ? { time: sessions.time, seq: sessions.seq, connections } : null,
    watches: watches
      ? {
          time: watches.time,
          seq: watches.seq,
          paths: watchedPaths(watches),
          totals: watches.totals,
          omitted: watches.omitted ?? 0,
        }
      : null,
  }
}

/** Session (normalised) → the ephemeral nodes it owned in the observer's tree as of the given event. */
function ephemeralOwners(events: readonly LabEvent[], seq: number): Map<string, string[]> {
  const tree = replay(events.filter((e) => e.seq <= seq)).tree
  const owned = new Map<string, string[]>()
  for (const node of Object.values(tree)) {
    const owner = node.stat?.ephemeralOwner
    if (!owner || owner === '0') continue
    const key = normalSessionId(owner)
    owned.set(key, [...(owned.get(key) ?? []), node.path])
  }
  for (const paths of owned.values()) paths.sort()
  return owned
}

/** Per path: how many watches, of which kind, and whose. */
function watchedPaths(graph: Snapshot<'zookeeper.watches'>): ReportWatchedPath[] {
  const byPath = new Map<string, ReportWatchedPath>()
  for (const e of graph.edges) {
    const p = byPath.get(e.path) ?? { path: e.path, watches: 0, data: 0, child: 0, inferred: 0, workers: [] }
    p[e.kind] += 1
    if (e.inferred) p.inferred += 1
    if (e.worker && !p.workers.includes(e.worker)) p.workers.push(e.worker)
    byPath.set(e.path, p)
  }
  // The counts count edges left out past the cap too.
  for (const [path, count] of Object.entries(graph.counts)) {
    const p = byPath.get(path) ?? { path, watches: 0, data: 0, child: 0, inferred: 0, workers: [] }
    p.watches = Math.max(count, p.data + p.child)
    byPath.set(path, p)
  }
  for (const p of byPath.values()) {
    p.watches = Math.max(p.watches, p.data + p.child)
    p.workers.sort((a, b) => a.localeCompare(b, 'en', { numeric: true }))
  }
  return [...byPath.values()].sort((a, b) => a.path.localeCompare(b.path, 'en', { numeric: true }))
}
