/**
 * The lab's watch graph and session list from one poll of every server: who watches what (`wchc`),
 * which sessions each server holds (`cons`), mapped to the lab's workers. Pure, so a recorded answer
 * tests it. Child watches are not in ZooKeeper 3.8's watch words; they are inferred from the workers'
 * own roles (see WatchEdge).
 */
import type { SessionConnection, WatchEdge, ZooKeeperSessions, ZooKeeperWatches } from '../../shared/events.js'
import { LAB_ROOT, type LabState } from '../../shared/lab-state.js'
import { normalSessionId, type Connection, type WatchTotals } from './watch-words.js'

/** A graph the journal can carry once a second: enough for the 30-worker labs the lab runs, and a cap. */
export const MAX_WATCH_EDGES = 500

export interface ServerWatchPoll {
  /** `zk-1`. */
  server: string
  /** session → watched paths (`wchc`). */
  watches: Map<string, string[]>
  totals?: WatchTotals
  connections: Connection[]
}

/** session id → worker name: its proxy's handshakes first, else the ephemeral owner of its instance node. */
export function sessionOwners(state: Pick<LabState, 'workers' | 'tree'>): Map<string, string> {
  const owners = new Map<string, string>()
  for (const worker of Object.values(state.workers)) {
    if (!worker.node) continue
    const owner = state.tree[`${LAB_ROOT}/tasks/${worker.task}/instance/${worker.node}`]?.stat.ephemeralOwner
    if (owner && owner !== '0') owners.set(normalSessionId(owner), worker.name)
  }
  for (const worker of Object.values(state.workers)) {
    for (const session of worker.sessions) owners.set(session.sessionId, worker.name)
    if (worker.sessionId) owners.set(normalSessionId(worker.sessionId), worker.name)
  }
  return owners
}

/**
 * Which workers hold a child watch on their task's instance list, by what they said: a seed standby
 * (it waits on the whole list: the herd), a recipe primary (it keeps the others' count).
 */
function inferredChildWatchers(
  state: Pick<LabState, 'workers'>,
): Array<{ worker: string; path: string; session?: string }> {
  const out: Array<{ worker: string; path: string; session?: string }> = []
  for (const w of Object.values(state.workers)) {
    if (w.status !== 'running' || !w.node) continue
    const watches = (w.strategy === 'seed' && w.role === 'standby') || (w.strategy === 'recipe' && w.role === 'primary')
    if (!watches) continue
    const session = w.sessions.at(-1)?.sessionId ?? w.sessionId
    out.push({ worker: w.name, path: `${LAB_ROOT}/tasks/${w.task}/instance`, ...(session ? { session } : {}) })
  }
  return out
}

export function buildWatchGraph(
  polls: ServerWatchPoll[],
  state: Pick<LabState, 'workers' | 'tree'>,
): { watches: ZooKeeperWatches; sessions: ZooKeeperSessions } {
  const owners = sessionOwners(state)
  const edges: WatchEdge[] = []
  const serverOfSession = new Map<string, string>()
  const connections: SessionConnection[] = []
  for (const poll of polls) {
    for (const c of poll.connections) {
      if (!c.sessionId) continue
      serverOfSession.set(c.sessionId, poll.server)
      const worker = owners.get(c.sessionId)
      connections.push({
        server: poll.server,
        client: c.client,
        session: c.sessionId,
        ...(worker ? { worker } : {}),
        ...(c.establishedAt !== undefined ? { establishedAt: c.establishedAt } : {}),
        ...(c.timeoutMs !== undefined ? { timeoutMs: c.timeoutMs } : {}),
        outstanding: c.outstanding,
        ...(c.lastOp ? { lastOp: c.lastOp } : {}),
      })
    }
    for (const [session, paths] of poll.watches) {
      const worker = owners.get(session)
      for (const path of paths) {
        if (path !== LAB_ROOT && !path.startsWith(`${LAB_ROOT}/`)) continue
        edges.push({ session, ...(worker ? { worker } : {}), path, server: poll.server, kind: 'data' })
      }
    }
  }
  // A worker's current session: the latest its proxy saw, else its instance node's owner.
  const sessionOf = new Map([...owners].map(([session, worker]) => [worker, session]))
  for (const child of inferredChildWatchers(state)) {
    child.session ??= sessionOf.get(child.worker)
    const server = child.session ? (serverOfSession.get(child.session) ?? '') : ''
    edges.push({
      session: child.session ?? '',
      worker: child.worker,
      path: child.path,
      server,
      kind: 'child',
      inferred: true,
    })
  }
  const order = (a: { server: string; session: string; path: string }, b: typeof a) =>
    a.path.localeCompare(b.path) || a.session.localeCompare(b.session) || a.server.localeCompare(b.server)
  edges.sort(order)
  connections.sort((a, b) => a.server.localeCompare(b.server) || a.session.localeCompare(b.session))
  const counts: Record<string, number> = {}
  for (const e of edges) counts[e.path] = (counts[e.path] ?? 0) + 1
  const totals = polls.flatMap((p) => (p.totals ? [{ server: p.server, ...p.totals }] : []))
  const watches: ZooKeeperWatches = { edges: edges.slice(0, MAX_WATCH_EDGES), counts, totals }
  if (edges.length > MAX_WATCH_EDGES) watches.omitted = edges.length - MAX_WATCH_EDGES
  return { watches, sessions: { connections } }
}
