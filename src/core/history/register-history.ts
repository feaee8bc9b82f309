/**
 * A task's lastCommit as a compare-and-set register: every write ZooKeeper's transaction log holds,
 * joined to the worker's own word about it where the journal has one.
 * - A write a worker reported (`worker.commit`, same worker, value and version): invoked when
 *   ZooKeeper logged it, completed `ok` when the worker said so. The `recipe` sets conditionally on
 *   the version it last saw: `cas [previous, new]`; every other program's set is a `write`.
 * - A commit the recipe saw refused (`worker.fenced`, badversion): `cas` completed `fail`, invoked at
 *   ZooKeeper's logged error for that session when there is one.
 * - A commit whose outcome the worker never learnt (fenced: session, expired, lost, node-deleted):
 *   `ok` if the log holds it, else `info`.
 * - The recipe's takeover read (`worker.reconciled`): a `read`, invoked at the worker's last word before it.
 * - A write nobody reported (an external program, the publisher's create): invoke and `ok` at the log's time.
 * Without a transaction log, the workers' commits alone, each a `write` at the time they reported it.
 */
import { isEvent, WorkerEventTypes, type LabEvent } from '../../shared/events.js'
import { ownerOf, type SessionOwners } from '../txnlog/attribution.js'
import type { TxnHistory, TxnWrite } from '../txnlog/history.js'
import { normalizeSessionId, zxidHex } from '../txnlog/txn-log-file.js'
import type { Operation, RegisterValue } from './operations.js'
import { taskWorkers } from './task-workers.js'

const BADVERSION = -103
/** Refusals the recipe reports before any write could land. */
const UNKNOWN_OUTCOME = new Set(['session', 'expired', 'lost', 'node-deleted'])
/** Events after which a worker sends its takeover reads (the election's list goes out right after). */
const BEFORE_READ: string[] = [
  WorkerEventTypes.watch,
  WorkerEventTypes.registered,
  WorkerEventTypes.connected,
  WorkerEventTypes.resumed,
]

export interface TxnLogInput {
  history: TxnHistory
  owners: SessionOwners
}

/** lastCommit's data as a register value: digits become a number, an absent node null. */
export function registerValue(data: string | undefined | null): RegisterValue {
  if (data === undefined || data === null) return null
  return /^-?\d{1,15}$/.test(data) ? Number(data) : data
}

export function registerOperations(events: readonly LabEvent[], task: string, txn?: TxnLogInput): Operation[] {
  const workers = taskWorkers(events, task)
  const idOf = (actor: string) => workers.get(actor)?.id
  const conditional = (actor: string) => workers.get(actor)?.strategy === 'recipe'
  const ops: Operation[] = []
  const mine = events.filter((e) => workers.has(e.source))

  // Reads: the recipe's takeover repair reports what it read.
  for (const e of mine) {
    if (!isEvent(e, WorkerEventTypes.reconciled)) continue
    const before = mine.findLast((x) => x.source === e.source && x.seq < e.seq && BEFORE_READ.includes(x.type))
    if (!before) continue
    ops.push({
      actor: e.source,
      actorId: idOf(e.source),
      f: 'read',
      value: null,
      result: e.lastCommit,
      invokedAt: before.time,
      completedAt: e.time,
      outcome: 'ok',
    })
  }

  if (!txn) {
    for (const e of mine) {
      if (!isEvent(e, WorkerEventTypes.commit)) continue
      ops.push({
        actor: e.source,
        actorId: idOf(e.source),
        f: 'write',
        value: e.id,
        invokedAt: e.time,
        completedAt: e.time,
        outcome: 'ok',
      })
    }
    return ops
  }

  const writes = (txn.history.tasks.get(task)?.writes ?? []).filter((w) => w.node === 'lastCommit')
  const writerOf = (w: TxnWrite) => ownerOf(txn.owners, w.session) ?? `unknown session 0x${w.session}`
  // The value before each write, and the value each version held (versions start over when the node is recreated).
  const before = new Map<TxnWrite, RegisterValue>()
  let current: RegisterValue = null
  for (const w of writes) {
    before.set(w, current)
    current = w.op === 'delete' ? null : registerValue(w.value)
  }
  const valueAtVersion = (version: number, at: number): RegisterValue => {
    const w = writes.findLast((x) => x.time <= at && x.op !== 'delete' && x.version === version)
    return w ? registerValue(w.value) : null
  }
  const reported = new Map<TxnWrite, LabEvent>()
  const unmatched = new Set(writes)
  const claim = (actor: string, value: number, version?: number) => {
    const w = [...unmatched].find(
      (x) =>
        writerOf(x) === actor &&
        x.op !== 'delete' &&
        registerValue(x.value) === value &&
        (version === undefined || x.version === version),
    )
    if (w) unmatched.delete(w)
    return w
  }
  const writeOp = (w: TxnWrite, actor: string, invokedAt: number, completedAt: number): Operation => {
    const value = w.op === 'delete' ? null : registerValue(w.value)
    const cas = w.op === 'setData' && conditional(actor)
    return {
      actor,
      actorId: idOf(actor),
      f: cas ? 'cas' : 'write',
      value: cas ? [before.get(w) ?? null, value] : value,
      invokedAt,
      completedAt,
      outcome: 'ok',
      zxid: zxidHex(w.zxid),
    }
  }

  for (const e of mine) {
    if (isEvent(e, WorkerEventTypes.commit)) {
      const w = claim(e.source, e.id, e.version)
      if (w) {
        reported.set(w, e)
        ops.push(writeOp(w, e.source, Math.min(w.time, e.time), Math.max(w.time, e.time)))
      }
    } else if (isEvent(e, WorkerEventTypes.fenced)) {
      const value: [RegisterValue, RegisterValue] = [valueAtVersion(e.version, e.time), e.id]
      const base = { actor: e.source, actorId: idOf(e.source), f: 'cas' as const, value }
      if (e.reason === 'badversion') {
        const sessions = sessionsOf(events, e.source)
        const refused = [...sessions]
          .flatMap((s) => txn.history.errors.get(s) ?? [])
          .filter((x) => x.code === BADVERSION && x.time <= e.time)
          .sort((a, b) => a.time - b.time)
          .at(-1)
        ops.push({ ...base, invokedAt: refused?.time ?? e.time, completedAt: e.time, outcome: 'fail' })
      } else if (UNKNOWN_OUTCOME.has(e.reason)) {
        const w = claim(e.source, e.id)
        if (w) ops.push(writeOp(w, e.source, Math.min(w.time, e.time), Math.max(w.time, e.time)))
        else ops.push({ ...base, invokedAt: e.time, completedAt: e.time, outcome: 'info' })
      }
    }
  }
  for (const w of unmatched) {
    const actor = writerOf(w)
    ops.push(writeOp(w, actor, w.time, w.time))
  }
  return ops
}

/** Every ZooKeeper session a worker reported, normalized as the transaction log spells them. */
function sessionsOf(events: readonly LabEvent[], worker: string): Set<string> {
  const out = new Set<string>()
  for (const e of events)
    if (e.source === worker && 'sessionId' in e && typeof e.sessionId === 'string')
      out.add(normalizeSessionId(e.sessionId))
  return out
}
