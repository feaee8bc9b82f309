/**
 * Operations → a Jepsen history: each actor gets a process number (its worker id where it has one,
 * so worker 2 is process 2), its operations are kept in order and never overlap one another, and the
 * entries are merged by time. After an `info` an actor continues under a new number (id + k × stride,
 * e.g. 2, 12, 22 with fewer than ten workers): Jepsen assumes a process whose operation ended in
 * `info` never invokes again.
 */
import type { JepsenOp, Operation, RegisterValue } from './operations.js'

interface Entry {
  op: Operation
  phase: 'invoke' | 'complete'
  time: number
  process: number
}

/** ms → ns since `start`, never negative. */
export function nanosSince(start: number, ms: number): number {
  return Math.max(0, Math.round((ms - start) * 1e6))
}

export function assembleHistory(operations: readonly Operation[], start: number): JepsenOp[] {
  const byActor = new Map<string, Operation[]>()
  for (const op of operations) {
    const list = byActor.get(op.actor) ?? []
    list.push(op)
    byActor.set(op.actor, list)
  }
  const ids = [...byActor.values()].flatMap((ops) => (ops[0].actorId === undefined ? [] : [ops[0].actorId]))
  const taken = new Set(ids)
  const stride = 10 ** String(Math.max(0, ...ids, byActor.size)).length
  // Actors without an id (the publisher, unknown sessions) take the lowest numbers no worker uses.
  let free = 0
  const baseOf = (ops: Operation[]): number => {
    if (ops[0].actorId !== undefined) return ops[0].actorId
    while (taken.has(free)) free++
    taken.add(free)
    return free
  }

  const queues: Entry[][] = []
  for (const [, unsorted] of [...byActor].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const ops = [...unsorted].sort((a, b) => a.invokedAt - b.invokedAt || a.completedAt - b.completedAt)
    const base = baseOf(ops)
    let life = 0
    let freeAt = -Infinity
    const queue: Entry[] = []
    for (const op of ops) {
      // One operation at a time per process: an invocation waits for the previous completion.
      const invokedAt = Math.max(op.invokedAt, freeAt)
      const completedAt = Math.max(op.completedAt, invokedAt)
      const process = base + life * stride
      queue.push({ op, phase: 'invoke', time: invokedAt, process })
      queue.push({ op, phase: 'complete', time: completedAt, process })
      freeAt = completedAt
      if (op.outcome === 'info') life++
    }
    queues.push(queue)
  }

  // Merge by time; at a tie an invocation goes first, so operations that may have overlapped stay concurrent.
  const heads = queues.map(() => 0)
  const out: JepsenOp[] = []
  for (;;) {
    let pick = -1
    for (let q = 0; q < queues.length; q++) {
      const e = queues[q][heads[q]]
      if (!e) continue
      const best = pick < 0 ? undefined : queues[pick][heads[pick]]
      if (!best || e.time < best.time || (e.time === best.time && e.phase === 'invoke' && best.phase !== 'invoke'))
        pick = q
    }
    if (pick < 0) break
    const e = queues[pick][heads[pick]++]
    out.push(toJepsen(e, start, out.length))
  }
  return out
}

function toJepsen(e: Entry, start: number, index: number): JepsenOp {
  const { op } = e
  const type: JepsenOp['type'] = e.phase === 'invoke' ? 'invoke' : op.outcome
  const base = {
    type,
    process: e.process,
    time: nanosSince(start, e.time),
    index,
    worker: op.actor,
    ...(op.zxid ? { zxid: op.zxid } : {}),
  }
  switch (op.f) {
    case 'acquire':
    case 'release':
      return { ...base, f: op.f }
    case 'read':
      return { ...base, f: 'read', value: e.phase === 'complete' && type === 'ok' ? (op.result ?? null) : null }
    case 'cas':
      return { ...base, f: 'cas', value: op.value as [RegisterValue, RegisterValue] }
    case 'write':
      return { ...base, f: 'write', value: (op.value ?? null) as RegisterValue }
  }
}
