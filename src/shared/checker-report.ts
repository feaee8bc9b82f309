/**
 * What the checker answers: one verdict per invariant per task, each violation in words with the
 * journal events that show it, and a breakdown of every failover. Plain data, so it can cross IPC,
 * go into report.json and be rendered by any shell.
 */
import type { LabEvent } from './events.js'

export type InvariantName =
  | 'single-primary'
  | 'sink-integrity'
  | 'commit-monotonic'
  | 'status-truth'
  | 'zombie-write'
  | 'backup-integrity'
  | 'backup-lag'

/**
 * Every invariant, in the order verdicts list them. zombie-write is judged only where the lab has
 * ZooKeeper's transaction log (its own servers); backup-integrity and backup-lag only for binlog tasks,
 * where the lab read the source's history back after the run.
 */
export const INVARIANTS: readonly InvariantName[] = [
  'single-primary',
  'sink-integrity',
  'commit-monotonic',
  'status-truth',
  'zombie-write',
  'backup-integrity',
  'backup-lag',
]

export type ViolationKind =
  /** single-primary: two workers' working intervals overlap. */
  | 'split-brain'
  /** sink-integrity: ids between 1 and the highest that no record holds; backup-integrity: source transactions the backup lacks. */
  | 'missing'
  /** sink-integrity, backup-integrity: recorded, never committed, the writer died, and the next primary did it again. */
  | 'redo-after-crash'
  /** sink-integrity, backup-integrity: recorded, never committed, the writer was still alive (paused, cut off) when another did it again. */
  | 'redo-after-stall'
  /** sink-integrity, backup-integrity: any other id (transaction) recorded twice (already committed when redone, or one worker twice). */
  | 'duplicate'
  /** backup-integrity: a transaction first backed up after one that follows it in the binlog. */
  | 'out-of-order'
  /** backup-integrity: a backed-up row whose table, operation or values differ from the source's. */
  | 'mismatch'
  /** backup-integrity: a backed-up GTID the source's history does not hold (or holds before the backup's start). */
  | 'foreign'
  /** commit-monotonic: a write to lastCommit with a lower id than the one before it. */
  | 'commit-backwards'
  /** status-truth: status "0" while a primary kept working. */
  | 'stopped-while-working'
  /** status-truth: status "1" while nobody worked. */
  | 'running-while-idle'
  /** zombie-write (transaction log): lastCommit set by a session that did not hold the smallest instance node. */
  | 'zombie-write'
  /** zombie-write (transaction log): lastCommit set lower than it was, by the primary's own session. */
  | 'commit-regression'
  /** zombie-write (transaction log): lastCommit set to the value it held, by another session than the one that wrote it. */
  | 'lost-update'

export interface Violation {
  invariant: InvariantName
  task: string
  kind: ViolationKind
  /** When it began (ms since the epoch). */
  time: number
  /** When it ended, for violations that last. */
  endTime?: number
  /** The journal event that shows it best. */
  seq?: number
  /** What broke, when and by whom, in words. */
  message: string
  workers?: string[]
  ids?: number[]
  /** The events around it from the workers involved, in journal order (bounded). */
  context: LabEvent[]
  /** ZooKeeper transaction ids of the writes it is about (`0x33`), for violations found in the transaction log. */
  zxids?: string[]
}

/**
 * How an invariant fared for a task:
 * - `ok`: judged, and it held;
 * - `fail`: judged, and it broke (its violations say how);
 * - `unknown`: the judge itself failed (its error is the `reason`): nobody knows whether it held;
 * - `not-judged`: the lab lacks what the invariant is judged from (`reason`: e.g. no transaction log
 *   with an external ZooKeeper), known before judging; no claim either way.
 */
export type VerdictState = 'ok' | 'fail' | 'unknown' | 'not-judged'

export interface Verdict {
  invariant: InvariantName
  task: string
  state: VerdictState
  /**
   * Whether the verdict lets the session pass: true for `ok` and `not-judged` (nothing found, and
   * nothing claimed), false for `fail` and `unknown` (a checker that failed does not vouch for a run).
   * A session's `ok` is every verdict's `ok`.
   */
  ok: boolean
  /** Why the invariant was not judged (`not-judged`) or could not be (`unknown`: the error). */
  reason?: string
  violations: Violation[]
  /** One line on what was checked and what was found. */
  summary: string
  /** Counts worth showing next to the verdict (flaps, records, commits, …). */
  stats?: Record<string, number>
  /** backup-integrity: where the backup stands at the end. */
  position?: BackupPosition
  /** backup-lag: the lag over the run, for the chart on the leadership timeline. */
  lagSeries?: LagSeries
}

/** Where a binlog task's backup stands: the last GTID its sink holds, and what lastCommit last said. */
export interface BackupPosition {
  sinkGtid: string | null
  lastCommit: string | null
}

/**
 * A binlog backup's lag over the run: source commit → first sink write of each transaction, bucketed
 * by the source commit's time (`time` is the bucket's start, ms since the epoch).
 */
export interface LagSeries {
  bucketMs: number
  points: Array<{ time: number; maxMs: number; transactions: number }>
}

/** Milliseconds after the fault, or null when the step did not happen (before the next fault on the task). */
export interface FailoverSteps {
  /** The old primary's ZooKeeper session ended: closed by it, or expired (its ephemeral node went away). */
  sessionEnded: number | null
  /** The old primary's instance node was deleted. */
  nodeDeleted: number | null
  /** Another worker of the task was told of a change by a watch. */
  watchFired: number | null
  /** Another worker said it is primary. */
  newPrimary: number | null
  /** The new primary committed for the first time: the failover gap. */
  firstCommit: number | null
}

/**
 * One failover as ZooKeeper's transaction log recorded it: the server's own times, ms after the fault
 * (the fault's time is the lab's, from the journal). The same measurement for every program, the lab's
 * workers and external ones alike, with no hop through a watch or a worker's own report.
 */
export interface ServerFailoverSteps {
  /** The old primary's session ended: its closeSession, asked by its client or by the server's expiry. */
  sessionEnded: number | null
  /** Its election node was deleted (with the session, or by a delete). */
  nodeDeleted: number | null
  /** The first write to lastCommit by another session after the fault: the gap as the server saw it. */
  firstCommit: number | null
}

export interface ServerFailover {
  source: 'txn-log'
  /**
   * `same-host`: the server's clock is the lab's (a ZooKeeper the lab ran on this machine), so server and
   * journal times compare to the millisecond. The log's times have millisecond resolution.
   */
  clock: 'same-host'
  steps: ServerFailoverSteps
  /** How the old session ended, as the log says: `expired` when the server's session tracker closed it. */
  sessionEnd: 'closed' | 'expired' | null
  /** Sessions as hex without 0x: the old primary's, and the one that wrote the first commit. */
  fromSession: string | null
  toSession: string | null
  /** The worker that session belongs to (proxy handshake, journal, node name or sink), or null. */
  toWorker: string | null
  firstCommitZxid: string | null
  firstCommitId: number | null
}

export interface FailoverBreakdown {
  task: string
  /** kill, stop, pause, restart, or a network fault (`fault.<kind>`). */
  fault: string
  /** The primary the fault hit. */
  from: string
  fromNode: string | null
  faultTime: number
  faultSeq: number
  /** The worker that took over, or null. */
  to: string | null
  steps: FailoverSteps
  /** How the old session ended, when it did. */
  sessionEnd: 'closed' | 'expired' | null
  /** The highest id committed before the fault, and the new primary's first. */
  lastCommitBefore: number | null
  firstCommitId: number | null
  /**
   * The same failover from ZooKeeper's transaction log, where the lab ran the servers and kept their
   * logs; absent otherwise (an external ZooKeeper). `steps` above are what the workers and the observer
   * reported: the second column.
   */
  server?: ServerFailover
  /** The workers a watch on the task's election woke in this failover, and how fast each reacted. */
  herd?: FailoverHerd
}

/**
 * A failover's herd. `workers`: the workers' own watch reports (`worker.watch`: the first watch on the
 * election each got in the window); `graph`: a program that reports none, read off the lab's watch
 * graph before the fault (the other sessions' exists/data watches on the old primary's node; child
 * watches are not in ZooKeeper 3.8's watch lists, so a herd on the whole list is not seen there).
 */
export interface FailoverHerd {
  woken: number
  source: 'workers' | 'graph'
  workers: Array<{
    worker: string
    /** When its watch fired, ms after the fault (graph: when the node was seen deleted; -1 if not seen). */
    watchAt: number
    path: string
    /** ms from the watch to its next role report or predecessor watch (`did`: the role, or `watching`). */
    reactedMs?: number
    did?: string
  }>
}

export interface CheckReport {
  ok: boolean
  tasks: string[]
  /** When the session began, so views can show times relative to it. */
  sessionStart: number
  verdicts: Verdict[]
  failovers: FailoverBreakdown[]
}

/** What `ok` is for each state (see Verdict). */
export const VERDICT_STATE_OK: Readonly<Record<VerdictState, boolean>> = {
  ok: true,
  fail: false,
  unknown: false,
  'not-judged': true,
}

/** How each state is written in the CLI, the app and reports, distinct from one another. */
export const VERDICT_STATE_LABEL: Readonly<Record<VerdictState, string>> = {
  ok: 'ok',
  fail: 'FAIL',
  unknown: 'unknown',
  'not-judged': 'not judged',
}

/**
 * A verdict's state, also for verdicts recorded before states existed (old journals, session.json and
 * report.json files carry only `ok`; then an invariant was either judged or left out).
 */
export function verdictState(v: { ok?: boolean; state?: string }): VerdictState {
  if (v.state === 'ok' || v.state === 'fail' || v.state === 'unknown' || v.state === 'not-judged') return v.state
  return v.ok === false ? 'fail' : 'ok'
}

/** A verdict as the `checker.report` event, the app and comparisons carry it: its violations counted, not listed. */
export type VerdictSummary = Pick<
  Verdict,
  'invariant' | 'task' | 'state' | 'ok' | 'reason' | 'summary' | 'position' | 'lagSeries'
> & {
  violations: number
  /** The backup invariants' stats (lag percentiles, counts), which the app shows per task. */
  stats?: Record<string, number>
}

/** Invariants whose stats and series travel with their summary: the app's backup position and lag. */
const SUMMARY_WITH_STATS: readonly InvariantName[] = ['backup-integrity', 'backup-lag']

export function summarizeVerdict(v: Verdict): VerdictSummary {
  return {
    invariant: v.invariant,
    task: v.task,
    state: v.state,
    ok: v.ok,
    ...(v.reason !== undefined ? { reason: v.reason } : {}),
    summary: v.summary,
    violations: v.violations.length,
    ...(SUMMARY_WITH_STATS.includes(v.invariant) && v.stats ? { stats: v.stats } : {}),
    ...(v.position ? { position: v.position } : {}),
    ...(v.lagSeries ? { lagSeries: v.lagSeries } : {}),
  }
}
