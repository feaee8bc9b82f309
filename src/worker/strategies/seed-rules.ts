/**
 * The seed program's decisions, as pure functions (no ZooKeeper), so they can be tested on their own.
 * They copy the Go code, quirks included.
 */
import type { WorkerRole } from '../../shared/events.js'

/**
 * The sequence number of a registration node, read from the LAST 10 characters of its name
 * (`server_3_0000000042` → 42). The Go code reads the last 8 only: past 10^8 registrations under one
 * task its numbers wrap and the ordering breaks. That flaw is harmless in the lab (no run comes near
 * 10^8 registrations), so we read all 10 digits ZooKeeper appends rather than port a wrap nobody can see.
 * Like Go's ignored strconv.Atoi error, anything that is not a number counts as 0.
 */
export function instanceSequence(node: string): number {
  const digits = node.slice(-10)
  return /^\d+$/.test(digits) ? Number(digits) : 0
}

/**
 * Go's checkInstanceStatus: primary when no child has a smaller sequence than our own node. Our own node
 * need not be in the list (after a session expiry it is gone, and the Go code does not notice).
 * `smallest` is the node holding the minimum.
 */
export function seedRole(ownNode: string, children: readonly string[]): { role: WorkerRole; smallest: string } {
  const own = instanceSequence(ownNode)
  let min = own
  let smallest = ownNode
  for (const child of children) {
    const seq = instanceSequence(child)
    if (seq <= min) {
      if (seq < min || child === ownNode) smallest = child
      min = seq
    }
  }
  return { role: min === own ? 'primary' : 'standby', smallest }
}

/** Go's strconv.Atoi with its error ignored: anything that is not a plain integer reads as 0. */
export function atoi(text: string): number {
  return /^[+-]?\d+$/.test(text) ? Number(text) : 0
}

/** One line of the sink: what the primary "backed up". */
export function sinkRecord(id: number, workerId: number, sessionId: string, time = Date.now()): string {
  return JSON.stringify({ id, worker: workerId, time, session: sessionId }) + '\n'
}
