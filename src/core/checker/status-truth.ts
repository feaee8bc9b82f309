/**
 * Invariant status-truth: `status` says running ("1") exactly while a primary works.
 *
 * The status timeline comes from the workers' `worker.status {value, version}` and the observer's
 * `znode.created/changed` of `.../status`, in ZooKeeper's order (node version). "Working" is the
 * union of the task's working intervals (see single-primary). With I the commit interval:
 * - `stopped-while-working`: status is not "1" for longer than 2·I (a flap undone within that is
 *   forgiven) and some worker works during it. A new primary's first 2·I of work are forgiven when it
 *   took over (said primary) inside the stretch, at most 2·I before it worked: it may work before its
 *   "1" lands. The seed's flap (a standby writes "0" while the primary keeps working) is never
 *   forgiven, however soon after a takeover it comes;
 * - `running-while-idle`: while status is "1", nobody works for longer than 3·I. When the last worker
 *   to work loses its session meanwhile (its instance node deleted, its session closed or expired,
 *   another worker becoming primary or told by a watch), the status could not have been corrected
 *   before that: the allowance then runs until 2·I after it. A crash leaves "1" until its session
 *   expires, and that is ZooKeeper, not the recipe. Likewise while that worker is cut off from
 *   ZooKeeper (its connection lost, or the recipe's `worker.suspended`): the allowance runs until 3·I
 *   after it is back. Likewise while the ensemble has no quorum (fewer than a majority of its servers
 *   serving, by their srvr modes): nobody can write, so the allowance runs until 3·I after it serves
 *   again. While the lab slows that worker's link (latency, loss, a bandwidth cap, a
 *   slicer), each commit cycle costs I plus SLOW_CYCLE_ROUND_TRIPS round trips at the worst delay the
 *   faults add; the limit is then 3 such cycles.
 * The last stretch ends where the analysis ends (the lab's stop-all at session close, or the last event).
 * Flaps: every "0" written while a worker was inside a working interval (it worked before and after).
 */
import type { LabEvent } from '../../shared/events.js'
import { EnsembleTimeline } from '../../shared/zk-ensemble.js'
import { contextAround } from './context.js'
import {
  at,
  idList,
  nodeAt,
  seconds,
  type JournalModel,
  type TaskModel,
  type WorkEvidence,
  type ZnodeWrite,
} from './journal-model.js'
import { nearestSeq, workingIntervals, type WorkingInterval } from './single-primary.js'
import type { Judgement, Violation } from './types.js'

export const STATUS_GRACE_INTERVALS = 2
export const IDLE_LIMIT_INTERVALS = 3
/** Round trips to ZooKeeper in one commit cycle of a primary (check its node, write lastCommit). */
export const SLOW_CYCLE_ROUND_TRIPS = 2

interface Stretch {
  running: boolean
  start: number
  end: number
  first: ZnodeWrite
}

export function checkStatusTruth(
  model: JournalModel,
  task: TaskModel,
  intervals: readonly WorkingInterval[] = workingIntervals(task),
): Judgement {
  const I = task.commitIntervalMs
  const grace = STATUS_GRACE_INTERVALS * I
  const stretches = timeline(task.status, model.end)
  const violations: Violation[] = []
  const outages = quorumOutages(model.events)
  for (const s of stretches) {
    if (!s.running) {
      const v = stoppedWhileWorking(model, task, s, intervals, grace)
      if (v) violations.push(v)
    } else {
      violations.push(...runningWhileIdle(model, task, s, IDLE_LIMIT_INTERVALS * I, grace, outages))
    }
  }
  const flaps = task.status.filter(
    (w) => w.value !== '1' && intervals.some((i) => i.start < w.time && w.time < i.end),
  ).length
  const stopped = violations.filter((v) => v.kind === 'stopped-while-working').length
  const idle = violations.length - stopped
  return {
    invariant: 'status-truth',
    task: task.task,
    ok: violations.length === 0,
    violations,
    summary:
      task.status.length === 0
        ? 'no write to status seen (neither the observer nor a worker reported one)'
        : violations.length === 0
          ? `${task.status.length} write(s) to status, each true to the primary's work${flaps ? ` (${flaps} flap(s) undone within the grace)` : ''}`
          : `status said "0" while a primary worked ${stopped} time(s), "1" while nobody worked ${idle} time(s); ${flaps} flap(s)`,
    stats: { writes: task.status.length, flaps, stoppedWhileWorking: stopped, runningWhileIdle: idle },
  }
}

/** Consecutive writes of the same meaning merged into stretches, each lasting until the next change or `end`. */
function timeline(writes: readonly ZnodeWrite[], end: number): Stretch[] {
  const stretches: Stretch[] = []
  let clock = -Infinity
  for (const w of writes) {
    // ZooKeeper's order is the truth; a report that reached us late must not move time backwards.
    clock = Math.max(clock, w.time)
    if (clock > end) break
    const running = w.value === '1'
    const last = stretches.at(-1)
    if (last && last.running === running) continue
    if (last) last.end = clock
    stretches.push({ running, start: clock, end, first: w })
  }
  return stretches
}

function stoppedWhileWorking(
  model: JournalModel,
  task: TaskModel,
  s: Stretch,
  intervals: readonly WorkingInterval[],
  grace: number,
): Violation | undefined {
  // A flap undone within the grace is forgiven.
  if (s.end - s.start <= grace) return undefined
  // So are a new primary's first moments: it may work before its "1" lands. A primary that merely
  // resumes after a gap (its connection back) is not new. A worker that never reports its role
  // (external) cannot be told apart, so any start of its work counts as new.
  const tookOver = (i: WorkingInterval) => {
    const roles = task.roles.filter((r) => r.worker === i.worker)
    return (
      roles.length === 0 || roles.some((r) => r.role === 'primary' && r.time <= i.start && i.start - r.time <= grace)
    )
  }
  const excused = (i: WorkingInterval, time: number) => i.start > s.start && time - i.start <= grace && tookOver(i)
  const evidence = intervals
    .flatMap((i) =>
      i.evidence.filter((w) => w.time > s.start && w.time < s.end && !excused(i, w.time)).map((w) => ({ w, i })),
    )
    .sort((a, b) => a.w.time - b.w.time)
  if (evidence.length === 0) return undefined
  const first = evidence[0]
  const flap = first.i.start < s.start
  const from = flap ? s.start : first.w.time
  const to = evidence.at(-1)!.w.time
  const ids = [...new Set(evidence.filter((x) => x.w.id !== undefined).map((x) => x.w.id!))].sort((a, b) => a - b)
  const workers = [...new Set(evidence.map((x) => x.w.worker))]
  const writer = s.first.writer
  const role = writer ? roleAt(task, writer, s.first.seq) : undefined
  const by = writer ? `${writer}${role ? `, a ${role},` : ''}` : 'a client the journal does not name'
  const cause = flap
    ? `${JSON.stringify(s.first.value)} was written at ${at(model, s.start)} by ${by} while ${first.w.worker} was primary and working`
    : `${first.w.worker} worked from ${at(model, first.i.start)} without setting it to "1"`
  const anchor = flap ? s.first.seq : first.w.seq
  const involved = [...new Set([...(writer ? [writer] : []), ...workers])]
  const until = s.end >= model.end ? 'to the end' : `until ${at(model, s.end)}`
  return {
    invariant: 'status-truth',
    task: task.task,
    kind: 'stopped-while-working',
    time: from,
    endTime: to,
    seq: anchor >= 0 ? anchor : nearestSeq(model, from),
    message:
      `Status of ${task.task} said stopped (${JSON.stringify(s.first.value)}) from ${at(model, s.start)} ${until} while ${workers.join(' and ')} kept working ` +
      `(${ids.length ? `ids ${idList(ids)}, ` : ''}until ${at(model, to)}): ${cause}.`,
    workers: involved,
    ids,
    context: contextAround(model.events, anchor >= 0 ? anchor : nearestSeq(model, from), {
      workers: involved,
      paths: [task.paths.status],
    }),
  }
}

function runningWhileIdle(
  model: JournalModel,
  task: TaskModel,
  s: Stretch,
  limit: number,
  grace: number,
  outages: readonly Outage[],
): Violation[] {
  const work = task.work.filter((w) => w.time > s.start && w.time < s.end)
  const before = task.work.filter((w) => w.time <= s.start).at(-1)
  const found: Violation[] = []
  // Idle periods: from the status write to the first work, between works, from the last work to the end.
  const marks: { time: number; worker?: string; last?: WorkEvidence }[] = [
    { time: s.start, worker: before?.worker ?? s.first.writer, last: before },
  ]
  for (const w of work) marks.push({ time: w.time, worker: w.worker, last: w })
  for (let i = 0; i < marks.length; i++) {
    const from = marks[i]
    const until = i + 1 < marks.length ? marks[i + 1].time : s.end
    let allowedUntil = from.time + limit
    if (until <= allowedUntil) continue
    const lost = from.worker
      ? sessionLost(model, task, from.worker, from.time, from.last?.seq ?? s.first.seq)
      : undefined
    // The loss may reach the journal a little after the successor's first work (sink records are placed
    // by their own time, the observer's deletion by when it heard of it): within the grace it still counts.
    if (lost !== undefined && lost <= until + grace) allowedUntil = Math.max(allowedUntil, lost + grace)
    // A primary cut off from ZooKeeper (its server restarting, a partition) cannot write status either.
    const back = from.worker ? reconnectedAfterLoss(task, from.worker, from.time, until) : undefined
    if (back !== undefined) allowedUntil = Math.max(allowedUntil, back + limit)
    // Nobody can write while the ensemble has no quorum (an election, a leader cut off): not the primary's doing.
    const served = ensembleBackAfter(outages, from.time, until)
    if (served !== undefined) allowedUntil = Math.max(allowedUntil, served + limit)
    // A primary on a link the lab slowed is slow, not idle.
    const slowed = from.worker ? slowCycleMs(task, from.worker, from.time, until) : undefined
    if (slowed !== undefined) allowedUntil = Math.max(allowedUntil, from.time + IDLE_LIMIT_INTERVALS * slowed)
    if (until <= allowedUntil) continue
    const idleFrom = Math.max(from.time, from.last?.time ?? from.time)
    const anchor =
      from.last?.seq !== undefined && from.last.seq >= 0 ? from.last.seq : (s.first.seq ?? nearestSeq(model, from.time))
    const workers = from.worker ? [from.worker] : []
    const lastWork = from.last
      ? `the last work was by ${from.last.worker} at ${at(model, from.last.time)}${from.last.id !== undefined ? ` (id ${from.last.id})` : ''}`
      : 'nobody had worked since it was set'
    const lostText =
      lost !== undefined && lost <= until + grace ? `; ZooKeeper dropped ${from.worker} at ${at(model, lost)}` : ''
    found.push({
      invariant: 'status-truth',
      task: task.task,
      kind: 'running-while-idle',
      time: idleFrom,
      endTime: until,
      seq: anchor,
      message: `Status of ${task.task} said running from ${at(model, idleFrom)} to ${at(model, until)} (${seconds(until - idleFrom)}) while no primary worked: ${lastWork}${lostText}.`,
      workers,
      context: contextAround(model.events, anchor, { workers, paths: [task.paths.status] }),
    })
  }
  return found
}

/**
 * When ZooKeeper let go of a worker after `time`: its election node deleted, its session closed or
 * expired (its own word, or its proxy told the resume was refused), another worker of the task
 * becoming primary (its own word, or read off the election for external workers: it can only be once
 * the node is gone), or another worker's watch firing (the earliest sign where no observer runs).
 * The same for every worker, the lab's and external.
 */
export function sessionLost(
  model: JournalModel,
  task: TaskModel,
  worker: string,
  time: number,
  seq: number,
): number | undefined {
  // Evidence from a sink has no journal position (seq -1): its time places it.
  const position = seq >= 0 ? seq : (nearestSeq(model, time) ?? 0)
  const node = nodeAt(model, worker, position) ?? nodeAt(model, worker, Number.MAX_SAFE_INTEGER)
  const times: number[] = []
  const deleted = task.nodeDeletions.find((d) => d.node === node && d.time >= time)
  if (deleted) times.push(deleted.time)
  const own = task.sessionEnds.find((e) => e.worker === worker && e.time >= time)
  if (own) times.push(own.time)
  const successor = [...task.roles, ...task.externalRoles].filter(
    (r) => r.worker !== worker && r.role === 'primary' && r.time >= time,
  )
  if (successor.length) times.push(Math.min(...successor.map((r) => r.time)))
  // Without an observer, another worker's watch firing is the first sign (the seed's fire on any change).
  const watched = task.watches.find((w) => w.worker !== worker && w.time >= time)
  if (watched) times.push(watched.time)
  return times.length ? Math.min(...times) : undefined
}

/** The stretches an ensemble had no quorum, as the app's and the report's ensemble timeline finds them. */
export function quorumOutages(events: readonly LabEvent[]): Outage[] {
  const outages: Outage[] = []
  for (const mark of new EnsembleTimeline().applyAll(events).marks) {
    if (mark.kind === 'quorum-lost') outages.push({ from: mark.time, until: Infinity })
    else if (mark.kind === 'quorum-regained' && outages.at(-1)?.until === Infinity) outages.at(-1)!.until = mark.time
  }
  return outages
}

interface Outage {
  from: number
  until: number
}

/** When the ensemble served again after a quorum outage between `from` and `until` (Infinity: not yet). */
function ensembleBackAfter(outages: readonly Outage[], from: number, until: number): number | undefined {
  return outages.findLast((o) => o.from <= until && o.until >= from)?.until
}

/**
 * When a worker that lost its connection between `from` and `until` (or had already lost it at
 * `from`) got it back: Infinity while it is still cut off, undefined if it was never cut off.
 */
function reconnectedAfterLoss(task: TaskModel, worker: string, from: number, until: number): number | undefined {
  const mine = task.connectivity.filter((c) => c.worker === worker)
  const before = mine.findLast((c) => c.time <= from)
  const downAt = before && !before.up ? from : mine.find((c) => !c.up && c.time > from && c.time < until)?.time
  if (downAt === undefined) return undefined
  return mine.find((c) => c.up && c.time >= downAt)?.time ?? Infinity
}

/** A commit cycle's worst length while the lab degraded `worker`'s link between `from` and `until`. */
function slowCycleMs(task: TaskModel, worker: string, from: number, until: number): number | undefined {
  const slow = task.slowLinks.filter((l) => l.worker === worker && l.from < until && l.until > from)
  if (slow.length === 0) return undefined
  // Different kinds add up (latency and a bandwidth cap); the worst of each kind counts.
  const worstByKind = new Map<string, number>()
  for (const l of slow) worstByKind.set(l.kind, Math.max(worstByKind.get(l.kind) ?? 0, l.oneWayMs))
  const worstOneWay = [...worstByKind.values()].reduce((a, b) => a + b, 0)
  return task.commitIntervalMs + SLOW_CYCLE_ROUND_TRIPS * 2 * worstOneWay
}

function roleAt(task: TaskModel, worker: string, seq: number): string | undefined {
  return task.roles.findLast((r) => r.worker === worker && r.seq <= seq)?.role
}
