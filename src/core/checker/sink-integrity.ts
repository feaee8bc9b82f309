/**
 * Invariant sink-integrity: the task's sink holds every id from 1 to the highest, each exactly once.
 *
 * Read from the sink's records when they are given, else from the workers' `worker.work` events (one
 * per append). Each run of absent ids is one `missing` violation. Each record of an id already
 * recorded is judged against the record before it, and classified by what happened in between
 * (consecutive ids redone the same way by the same two workers make one violation):
 * - `duplicate`: the id had been committed (by anyone) before it was written again, or the same
 *   process wrote it twice: work known to be done was done again;
 * - `redo-after-crash`: never committed, and the earlier writer's process had ended (or been
 *   replaced) before the redo: the seed's append-then-commit window, hit by a crash;
 * - `redo-after-stall`: never committed, the earlier writer was still alive (paused, cut off).
 */
import { contextAround } from './context.js'
import {
  at,
  idList,
  sinkRecordTime,
  workerForRecord,
  type JournalModel,
  type TaskModel,
  type WorkEvidence,
} from './journal-model.js'
import { classifyRedo, redoReason, type RedoKind } from './redo.js'
import { nearestSeq } from './single-primary.js'
import type { SinkRecord } from '../session-folder/index.js'
import type { Judgement, Violation, ViolationKind } from './types.js'

interface Entry {
  id: number
  worker: string
  time: number
  session?: string
  seq?: number
  /** The recipe's fencing token. */
  version?: number
}

export function checkSinkIntegrity(model: JournalModel, task: TaskModel, sink?: readonly SinkRecord[]): Judgement {
  const entries = sink ? fromSink(model, task, sink) : fromEvents(task)
  const violations: Violation[] = []
  const byId = new Map<number, Entry[]>()
  for (const e of entries) byId.set(e.id, [...(byId.get(e.id) ?? []), e])
  const last = entries.reduce((max, e) => Math.max(max, e.id), 0)

  // Missing: one violation per run of absent ids, pinned to the record that jumped over them.
  for (let id = 1; id <= last; id++) {
    if (byId.has(id)) continue
    let to = id
    while (to + 1 <= last && !byId.has(to + 1)) to++
    violations.push(missing(model, task, id, to, byId.get(id - 1)?.[0], byId.get(to + 1)?.[0]))
    id = to
  }
  // Repeats: each extra record of an id is judged against the record before it; a run of
  // consecutive ids redone the same way by the same two workers is one violation (a zombie's streak).
  const repeats: Repeat[] = []
  for (const [id, records] of [...byId].sort((a, b) => a[0] - b[0])) {
    for (let i = 1; i < records.length; i++) repeats.push(repeat(model, task, id, records[i - 1], records[i], records))
  }
  violations.push(...groupRepeats(model, task, repeats))
  violations.sort((a, b) => a.time - b.time)

  const count = (kind: ViolationKind) => repeats.filter((r) => r.violation.kind === kind).length
  const missingIds = violations.filter((v) => v.kind === 'missing').flatMap((v) => v.ids ?? [])
  const source = sink ? 'sink' : 'work events'
  const twice = repeats.length
  return {
    invariant: 'sink-integrity',
    task: task.task,
    ok: violations.length === 0,
    violations,
    summary:
      entries.length === 0
        ? `nothing recorded yet (${source})`
        : `${entries.length} record(s), ids 1..${last} (${source}); missing: ${missingIds.length ? idList(missingIds) : 'none'}; done twice: ${twice || 'none'}`,
    stats: {
      records: entries.length,
      last,
      missing: missingIds.length,
      duplicates: count('duplicate'),
      redoAfterCrash: count('redo-after-crash'),
      redoAfterStall: count('redo-after-stall'),
    },
  }
}

function fromSink(model: JournalModel, task: TaskModel, sink: readonly SinkRecord[]): Entry[] {
  const appends = new Map<string, WorkEvidence[]>()
  for (const w of task.work)
    if (w.what === 'work') appends.set(`${w.worker}|${w.id}`, [...(appends.get(`${w.worker}|${w.id}`) ?? []), w])
  const names = new Map<string, string>()
  return sink.map((r) => {
    const key = `${r.worker}|${r.session}`
    const worker = names.get(key) ?? workerForRecord(model.workers, task.task, r)
    names.set(key, worker)
    // On the lab's clock: a worker whose clock the lab skewed wrote its own.
    const time = sinkRecordTime(model.workers, worker, r)
    // The append's own journal event, when the worker reported it: the best anchor for evidence.
    const event = (appends.get(`${worker}|${r.id}`) ?? [])
      .slice()
      .sort((a, b) => Math.abs(a.time - time) - Math.abs(b.time - time))[0]
    return {
      id: r.id,
      worker,
      time,
      session: r.session === undefined ? undefined : String(r.session),
      seq: event?.seq,
      version: typeof r.version === 'number' ? r.version : undefined,
    }
  })
}

function fromEvents(task: TaskModel): Entry[] {
  return task.work
    .filter((w) => (w.what === 'work' || w.what === 'sink') && w.id !== undefined)
    .map((w) => ({ id: w.id!, worker: w.worker, time: w.time, seq: w.seq >= 0 ? w.seq : undefined }))
}

function missing(
  model: JournalModel,
  task: TaskModel,
  from: number,
  to: number,
  before: Entry | undefined,
  after: Entry | undefined,
): Violation {
  const ids = Array.from({ length: to - from + 1 }, (_, i) => from + i)
  const what = from === to ? `id ${from} was` : `ids ${from}–${to} were`
  const prev = before
    ? `the record before is ${before.id} by ${before.worker} at ${at(model, before.time)}`
    : 'nothing was recorded before them'
  const next = after ? `${after.worker} wrote ${after.id} at ${at(model, after.time)}` : ''
  const workers = [...new Set([before?.worker, after?.worker].filter((w): w is string => !!w))]
  const time = after?.time ?? before?.time ?? model.start
  const seq = after?.seq ?? nearestSeq(model, time)
  return {
    invariant: 'sink-integrity',
    task: task.task,
    kind: 'missing',
    time,
    seq,
    message: `Progress lost on ${task.task}: ${what} never written to the sink; ${prev}${next ? `, then ${next}` : ''}.`,
    workers,
    ids,
    context: contextAround(model.events, seq, { workers, paths: [task.paths.lastCommit] }),
  }
}

interface Repeat {
  id: number
  earlier: Entry
  again: Entry
  times: number
  violation: Violation
}

function groupRepeats(model: JournalModel, task: TaskModel, repeats: readonly Repeat[]): Violation[] {
  const groups: Repeat[][] = []
  for (const r of repeats) {
    const group = groups.at(-1)
    const last = group?.at(-1)
    const same =
      last &&
      last.id + 1 === r.id &&
      last.times === 2 &&
      r.times === 2 &&
      last.violation.kind === r.violation.kind &&
      last.earlier.worker === r.earlier.worker &&
      last.again.worker === r.again.worker
    if (same) group!.push(r)
    else groups.push([r])
  }
  return groups.map((g) => (g.length === 1 ? g[0].violation : streak(model, task, g)))
}

function streak(model: JournalModel, task: TaskModel, g: readonly Repeat[]): Violation {
  const first = g[0]
  const last = g.at(-1)!
  const { earlier, again } = first
  const kind = first.violation.kind
  const span = (from: Entry, to: Entry) =>
    from.time === to.time ? `at ${at(model, from.time)}` : `from ${at(model, from.time)} to ${at(model, to.time)}`
  const reason = redoReason(kind as RedoKind, earlier.worker)
  const ids = g.map((r) => r.id)
  const workers = [...new Set([earlier.worker, again.worker])]
  return {
    ...first.violation,
    endTime: last.again.time,
    message: `Ids ${idList(ids)} of ${task.task} were done twice: ${earlier.worker} wrote them ${span(earlier, last.earlier)}, and ${again.worker} again ${span(again, last.again)}; ${reason}.`,
    workers,
    ids,
  }
}

function repeat(
  model: JournalModel,
  task: TaskModel,
  id: number,
  earlier: Entry,
  again: Entry,
  all: readonly Entry[],
): Repeat {
  const commit = task.work.find((w) => w.what === 'commit' && w.id === id && w.time <= again.time)
  // Each message reads: who wrote it first, then what made the second record wrong.
  const { kind, story } = classifyRedo(model, earlier, again, commit)
  const writers = all.map((e) => `${e.worker} at ${at(model, e.time)}`).join(', ')
  // Records with fencing tokens say which write was stale: the lower token lost the race.
  const tokens =
    earlier.version !== undefined && again.version !== undefined
      ? ` Fencing tokens: ${earlier.version} then ${again.version}${again.version < earlier.version ? ', so the second record is the stale one' : ''}.`
      : ''
  const workers = [...new Set([earlier.worker, again.worker])]
  const seq = again.seq ?? nearestSeq(model, again.time)
  const violation: Violation = {
    invariant: 'sink-integrity',
    task: task.task,
    kind,
    time: again.time,
    seq,
    message: `Id ${id} of ${task.task} was done ${all.length} times (${writers}): ${story}.${tokens}`,
    workers,
    ids: [id],
    context: contextAround(model.events, seq, { workers }),
  }
  return { id, earlier, again, times: all.length, violation }
}
