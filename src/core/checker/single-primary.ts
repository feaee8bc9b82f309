/**
 * Invariant single-primary: at most one worker of a task does the primary's work at any instant.
 *
 * A worker's working intervals are built from its own evidence of work (`worker.work` and
 * `worker.commit`, or the sink's records for a worker that reports nothing): consecutive evidence
 * belongs to one interval while the gap between two pieces is at most 2 × the commit interval and
 * nothing cut it in between. Cuts: its process exited or was paused, it reported a role other than
 * primary, it said it was exiting or suspended (recipe, connection lost), or it was spawned again.
 * A fenced commit (`worker.fenced`) is not work: the write was refused and nothing was recorded. An interval spans from its first to its
 * last piece of evidence; it does not reach forward into time the worker might have worked.
 *
 * Split brain = two intervals of different workers that overlap with positive length, or one worker's
 * work strictly inside another's interval: A worked, then B, then A again (or the reverse). A clean
 * handover (the old primary's last work before the new primary's first) never overlaps.
 */
import { LabEventTypes, WorkerEventTypes } from '../../shared/events.js'
import { contextAround } from './context.js'
import { at, idList, seconds, type Cut, type JournalModel, type TaskModel, type WorkEvidence } from './journal-model.js'
import type { Judgement, Violation } from './types.js'

/** A gap longer than this many commit intervals means the worker stopped working. */
export const WORK_GAP_INTERVALS = 2

export interface WorkingInterval {
  worker: string
  start: number
  end: number
  evidence: WorkEvidence[]
  /** What ended this worker's previous stretch of work, if something did (a pause, a step-down). */
  after?: Cut
  endedBy: Cut['why'] | 'gap' | 'open'
}

export function workingIntervals(task: TaskModel): WorkingInterval[] {
  const maxGap = WORK_GAP_INTERVALS * task.commitIntervalMs
  const intervals: WorkingInterval[] = []
  const workers = new Set(task.work.map((w) => w.worker))
  for (const worker of workers) {
    type Item = { time: number; seq: number; work?: WorkEvidence; cut?: Cut }
    const items: Item[] = [
      ...task.work.filter((w) => w.worker === worker).map((w) => ({ time: w.time, seq: w.seq, work: w })),
      ...task.cuts.filter((c) => c.worker === worker).map((c) => ({ time: c.time, seq: c.seq, cut: c })),
    ].sort((a, b) => a.time - b.time || a.seq - b.seq)
    let current: WorkingInterval | undefined
    let lastCut: Cut | undefined
    for (const item of items) {
      if (item.cut) {
        if (current) {
          current.endedBy = item.cut.why
          intervals.push(current)
          current = undefined
        }
        lastCut = item.cut
        continue
      }
      const w = item.work!
      if (current && w.time - current.end <= maxGap) {
        current.end = w.time
        current.evidence.push(w)
        continue
      }
      if (current) {
        current.endedBy = 'gap'
        intervals.push(current)
      }
      current = { worker, start: w.time, end: w.time, evidence: [w], after: lastCut, endedBy: 'open' }
      lastCut = undefined
    }
    if (current) intervals.push(current)
  }
  return intervals.sort((a, b) => a.start - b.start || a.end - b.end)
}

export interface Overlap {
  first: WorkingInterval
  second: WorkingInterval
  start: number
  end: number
}

/** Every pair of overlapping intervals of different workers, `first` being the one that began first. */
export function overlaps(intervals: readonly WorkingInterval[]): Overlap[] {
  const found: Overlap[] = []
  for (let i = 0; i < intervals.length; i++) {
    const a = intervals[i]
    for (let j = i + 1; j < intervals.length; j++) {
      const b = intervals[j]
      // Sorted by start: nothing further can begin before `a` ends.
      if (b.start >= a.end) break
      if (a.worker === b.worker || !(a.start < b.end && b.start < a.end)) continue
      found.push({ first: a, second: b, start: Math.max(a.start, b.start), end: Math.min(a.end, b.end) })
    }
  }
  return found
}

export function checkSinglePrimary(
  model: JournalModel,
  task: TaskModel,
  intervals = workingIntervals(task),
): Judgement {
  const violations = overlaps(intervals).map((o) => splitBrain(model, task, intervals, o))
  const workers = new Set(intervals.map((i) => i.worker))
  const source = task.workFromSink ? 'sink records' : 'work and commit events'
  // Fenced commits are the recipe refusing a stale primary: worth showing, and not work.
  const fenced = task.fenced.length ? `; ${task.fenced.length} stale commit(s) fenced off` : ''
  return {
    invariant: 'single-primary',
    task: task.task,
    ok: violations.length === 0,
    violations,
    summary:
      violations.length === 0
        ? `${intervals.length} working interval(s) of ${workers.size} worker(s) from ${source}; never two at once${fenced}`
        : `split brain ${violations.length} time(s): two workers worked at once${fenced}`,
    stats: {
      intervals: intervals.length,
      workers: workers.size,
      overlapMs: violations.reduce((sum, v) => sum + ((v.endTime ?? v.time) - v.time), 0),
      fenced: task.fenced.length,
    },
  }
}

function splitBrain(
  model: JournalModel,
  task: TaskModel,
  intervals: readonly WorkingInterval[],
  o: Overlap,
): Violation {
  const { first, second } = o
  // The overlap is proven by the first worker's work after the second began.
  const proof = first.evidence.find((w) => w.time > second.start) ?? second.evidence[0]
  const within = (i: WorkingInterval) =>
    i.evidence.filter((w) => w.time >= o.start && w.time <= o.end && w.id !== undefined).map((w) => w.id!)
  const idsFirst = within(first)
  const idsSecond = within(second)
  const why = (i: WorkingInterval) => {
    const notes = comeback(model, intervals, i)
    return notes.length ? ` (${notes.join(', ')})` : ''
  }
  const message =
    `Split brain on ${task.task}: ${first.worker} and ${second.worker} both worked from ${at(model, o.start)} to ${at(model, o.end)} (${seconds(o.end - o.start)}). ` +
    `${first.worker} worked from ${at(model, first.start)}${why(first)}; ${second.worker} worked from ${at(model, second.start)}${why(second)}. ` +
    `Ids written meanwhile by ${first.worker}: ${idList(idsFirst) || 'none'}; by ${second.worker}: ${idList(idsSecond) || 'none'}.`
  const workers = [first.worker, second.worker]
  return {
    invariant: 'single-primary',
    task: task.task,
    kind: 'split-brain',
    time: o.start,
    endTime: o.end,
    seq: proof.seq >= 0 ? proof.seq : undefined,
    message,
    workers,
    ids: [...new Set([...idsFirst, ...idsSecond])].sort((a, b) => a - b),
    context: contextAround(model.events, proof.seq >= 0 ? proof.seq : nearestSeq(model, proof.time), { workers }),
  }
}

/** Why a worker was back at work: what happened to it since its previous interval (pause, expiry, new session). */
function comeback(model: JournalModel, intervals: readonly WorkingInterval[], i: WorkingInterval): string[] {
  const previous = intervals.filter((x) => x.worker === i.worker && x.end < i.start).at(-1)
  const since = previous?.end ?? -Infinity
  const notes: string[] = []
  if (i.after?.why === 'paused') notes.push(`paused at ${at(model, i.after.time)}`)
  for (const e of model.events) {
    if (e.time <= since || e.time > i.start) continue
    const about = e.source === i.worker || (e.source === 'lab' && 'name' in e && e.name === i.worker)
    if (!about) continue
    if (e.type === LabEventTypes.processAction && e.action === 'resume') notes.push(`resumed at ${at(model, e.time)}`)
    if (e.type === WorkerEventTypes.connection && e.state === 'expired')
      notes.push(`its session expired at ${at(model, e.time)}`)
    if (e.type === WorkerEventTypes.connected && e.replaced === true)
      notes.push(`opened a new session at ${at(model, e.time)}`)
  }
  return previous ? notes : []
}

/** For evidence without a journal event (sink records): the journal event nearest in time. */
export function nearestSeq(model: JournalModel, time: number): number | undefined {
  let best: number | undefined
  let bestDistance = Infinity
  for (const e of model.events) {
    const d = Math.abs(e.time - time)
    if (d < bestDistance) {
      best = e.seq
      bestDistance = d
    }
  }
  return best
}
