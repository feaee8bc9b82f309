/**
 * The `recipe` strategy's decisions, as pure functions (no ZooKeeper, no files), so they can be tested
 * on their own: who is primary, whom a standby watches, what a new primary must reconcile, and how long
 * a successful request proves the session is still ours.
 */
import type { WorkerRole } from '../../shared/events.js'

/** A registration node as ZooKeeper names it: `<prefix><10 digits>`. */
const REGISTRATION = /^(.*_)(\d{10})$/

/** The sequence number of a registration node, or null for a child that is not one. */
export function registrationSequence(node: string): number | null {
  const m = REGISTRATION.exec(node)
  return m ? Number(m[2]) : null
}

/**
 * The registration nodes of an instance list, oldest first. Children that are not registrations
 * (written by hand, by an external worker) are left out: a name without a sequence must not sort
 * first and block the election forever.
 */
export function orderRegistrations(children: readonly string[]): string[] {
  return children
    .filter((c) => registrationSequence(c) !== null)
    .sort((a, b) => registrationSequence(a)! - registrationSequence(b)! || (a < b ? -1 : a > b ? 1 : 0))
}

export type Election =
  | { role: Extract<WorkerRole, 'primary'>; smallest: string }
  /** `predecessor`: the next smaller registration, the only node this standby watches. */
  | { role: Extract<WorkerRole, 'standby'>; smallest: string; predecessor: string }
  /** Our own node is not in the list: the session that held it is gone, or someone deleted it. */
  | { role: 'lost' }

/** The standard recipe: primary when our node is the smallest, otherwise watch the one just before it. */
export function electRecipe(ownNode: string, children: readonly string[]): Election {
  const ordered = orderRegistrations(children)
  const index = ordered.indexOf(ownNode)
  if (index === -1) return { role: 'lost' }
  if (index === 0) return { role: 'primary', smallest: ownNode }
  return { role: 'standby', smallest: ordered[0], predecessor: ordered[index - 1] }
}

/** Whether the worker that owns `ownNode` is the only registration left (it may then set status "0"). */
export function isLastRegistration(ownNode: string, children: readonly string[]): boolean {
  return orderRegistrations(children).every((c) => c === ownNode)
}

/** lastCommit's data as an id: a plain non-negative integer, anything else (empty, garbage) is 0. */
export function parseCommitted(text: string): number {
  return /^\d+$/.test(text.trim()) ? Number(text.trim()) : 0
}

export interface SinkTail {
  /** Highest id among the readable records (0 for an empty or missing sink). */
  lastId: number
  /** False when the file ends in a torn line: the next append must start on a new line. */
  endsClean: boolean
}

/** Reads what a new primary needs from the sink's text: its highest id, and whether it ends cleanly. */
export function readSinkTail(text: string): SinkTail {
  let lastId = 0
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue
    try {
      const record = JSON.parse(line) as { id?: unknown }
      if (typeof record.id === 'number' && Number.isInteger(record.id) && record.id > lastId) lastId = record.id
    } catch {
      // A torn line (a crash mid-write): its id counts as not recorded, so it is redone.
    }
  }
  return { lastId, endsClean: text === '' || text.endsWith('\n') }
}

export interface ReconcilePlan {
  /** Ids committed to lastCommit but missing from the sink: redo them, recording each once. */
  append: number[]
  /**
   * Records beyond lastCommit (only a writer that records before committing leaves these, e.g. a seed
   * worker): the work was done, so lastCommit is moved up to them instead of doing it again.
   */
  fastForwardTo: number | null
}

/**
 * The takeover rule. The recipe commits first and records second, so a crash in between leaves a
 * committed id with no record; the next primary redoes it. The sink then holds every id exactly once.
 */
export function reconcilePlan(committed: number, sinkLast: number): ReconcilePlan {
  if (sinkLast < committed) {
    const append: number[] = []
    for (let id = sinkLast + 1; id <= committed; id++) append.push(id)
    return { append, fastForwardTo: null }
  }
  return { append: [], fastForwardTo: sinkLast > committed ? sinkLast : null }
}

/**
 * The part of the session timeout a successful request vouches for. The server expires a session only
 * after a full timeout without hearing from it, and a reply proves it heard the request at or after it
 * was sent, so nobody can have replaced us before `sentAt + timeout`. Half of that is the margin for
 * clocks and for the successor's own delays being shorter than ours.
 */
export const LEASE_FRACTION = 0.5

/** True while a request sent at `sentAt` (monotonic ms) still proves our session holds its node. */
export function leaseHolds(sentAt: number, now: number, sessionTimeoutMs: number, fraction = LEASE_FRACTION): boolean {
  return now - sentAt < sessionTimeoutMs * fraction
}

/** One line of the sink, as the seed writes it plus the fencing token (lastCommit's version). */
export function recipeSinkRecord(
  id: number,
  workerId: number,
  sessionId: string,
  extra: { version?: number; reconciled?: boolean } = {},
  time = Date.now(),
): string {
  return JSON.stringify({ id, worker: workerId, time, session: sessionId, ...extra }) + '\n'
}
