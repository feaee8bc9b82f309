/**
 * Why a unit of work was written twice, judged the same way for the counter's ids (sink-integrity)
 * and the binlog's transactions (backup-integrity): from what happened between the first write and
 * the second.
 * - `duplicate`: it had been committed before it was written again, or the same process wrote it twice;
 * - `redo-after-crash`: never committed, and the first writer's process had ended (or been replaced)
 *   before the redo: the seed's append-then-commit window, hit by a crash;
 * - `redo-after-stall`: never committed, the first writer still alive (paused, cut off): a zombie.
 */
import { LabEventTypes, type EventOf } from '../../shared/events.js'
import { at, incarnationAt, type JournalModel } from './journal-model.js'
import type { ViolationKind } from './types.js'

export interface SinkWrite {
  worker: string
  time: number
  session?: string
}

export type RedoKind = Extract<ViolationKind, 'duplicate' | 'redo-after-crash' | 'redo-after-stall'>

/**
 * The kind of a second write and its story in words ("<first> …; <why the second was wrong>").
 * `commit`: the commit that covered the work before the second write, if any.
 */
export function classifyRedo(
  model: JournalModel,
  earlier: SinkWrite,
  again: SinkWrite,
  commit: { worker: string; time: number } | undefined,
): { kind: RedoKind; story: string } {
  const firstInc = incarnationAt(model, earlier.worker, earlier.time, earlier.session)
  const againInc = incarnationAt(model, again.worker, again.time, again.session)
  const ended = firstInc?.exitedAt !== undefined && firstInc.exitedAt <= again.time
  const samePlace = earlier.worker === again.worker && firstInc === againInc
  const first = `${earlier.worker} wrote it at ${at(model, earlier.time)}`
  const redo = `${again.worker} wrote it again at ${at(model, again.time)}`
  if (commit) {
    const by = commit.worker === earlier.worker ? '' : `${commit.worker} `
    return { kind: 'duplicate', story: `${first} and ${by}committed it at ${at(model, commit.time)}, yet ${redo}` }
  }
  if (samePlace)
    return { kind: 'duplicate', story: `${first}; the same process wrote it again at ${at(model, again.time)}` }
  if (ended || (earlier.worker === again.worker && firstInc !== againInc)) {
    const how = exitHow(model, earlier.worker, firstInc?.spawnSeq ?? 0, firstInc?.exitSeq)
    const when = firstInc?.exitedAt !== undefined ? ` at ${at(model, firstInc.exitedAt)}` : ''
    return {
      kind: 'redo-after-crash',
      story: `${first} and ${how}${when} before committing it; ${again.worker} redid it at ${at(model, again.time)} from the last commit`,
    }
  }
  return {
    kind: 'redo-after-stall',
    story: `${first}; it was never committed, and its writer was still alive (paused or cut off) when ${redo}`,
  }
}

/** Why a run of redone work was wrong, for a violation that names the whole run. */
export function redoReason(kind: RedoKind, earlierWorker: string): string {
  if (kind === 'duplicate') return 'each had been committed before it was written again'
  if (kind === 'redo-after-crash') return `${earlierWorker} had ended before committing them`
  return `${earlierWorker} had not committed them and was still alive (paused or cut off)`
}

/** How a worker's process ended, in words: killed, stopped, or exited on its own. */
function exitHow(model: JournalModel, worker: string, spawnSeq: number, exitSeq: number | undefined): string {
  if (exitSeq === undefined) return 'was restarted'
  const exit = model.events.find(
    (e): e is EventOf<'process.exited'> => e.seq === exitSeq && e.type === LabEventTypes.processExited,
  )
  const action = model.events.findLast(
    (e): e is EventOf<'process.action'> =>
      e.seq < exitSeq && e.seq > spawnSeq && e.type === LabEventTypes.processAction && e.name === worker,
  )
  if (action?.action === 'kill') return 'was killed'
  if (action?.action === 'stop' || action?.action === 'restart') return 'was stopped'
  return exit?.signal ? `died (${exit.signal})` : `exited (code ${exit?.code})`
}
