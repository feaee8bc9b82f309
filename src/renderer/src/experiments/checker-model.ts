/**
 * Pure helpers for the experiments and verdicts views: what a checker report and a scenario run look
 * like on screen. No React, no store, so they are unit-tested directly.
 */
import type { LabState, VerdictView } from '../../../shared/lab-state.js'
import {
  INVARIANTS,
  VERDICT_STATE_LABEL,
  verdictState,
  type FailoverBreakdown,
  type FailoverHerd,
  type ServerFailover,
  type VerdictState,
} from '../../../shared/checker-report.js'
import { finiteNumber, seconds, sinceStart as secondsSince } from '../../../shared/format.js'

/**
 * One failover as `checker.report.failovers` carries it, read defensively from the journal: a
 * breakdown without its fault's seq is still shown. Steps are ms after the fault, null when not seen.
 */
export type FailoverBreakdownView = Omit<FailoverBreakdown, 'faultSeq'> & Partial<Pick<FailoverBreakdown, 'faultSeq'>>

// The steps, their order and the bar's scale are the shared breakdown chart's (src/shared/charts).
export { FAILOVER_STEPS } from '../../../shared/charts/failover-breakdown.js'

const stepValue = (v: unknown): number | null => finiteNumber(v) ?? null

/** The failovers of a `checker.report` event, keeping only well-formed entries. */
export function parseFailovers(value: unknown): FailoverBreakdownView[] {
  if (!Array.isArray(value)) return []
  const out: FailoverBreakdownView[] = []
  for (const raw of value) {
    if (!raw || typeof raw !== 'object') continue
    const f = raw as Record<string, unknown>
    const steps = (f.steps ?? {}) as Record<string, unknown>
    out.push({
      task: typeof f.task === 'string' ? f.task : '',
      fault: typeof f.fault === 'string' ? f.fault : '?',
      from: typeof f.from === 'string' ? f.from : '?',
      fromNode: typeof f.fromNode === 'string' ? f.fromNode : null,
      faultTime: typeof f.faultTime === 'number' ? f.faultTime : 0,
      ...(typeof f.faultSeq === 'number' ? { faultSeq: f.faultSeq } : {}),
      to: typeof f.to === 'string' ? f.to : null,
      steps: {
        sessionEnded: stepValue(steps.sessionEnded),
        nodeDeleted: stepValue(steps.nodeDeleted),
        watchFired: stepValue(steps.watchFired),
        newPrimary: stepValue(steps.newPrimary),
        firstCommit: stepValue(steps.firstCommit),
      },
      sessionEnd: f.sessionEnd === 'closed' || f.sessionEnd === 'expired' ? f.sessionEnd : null,
      lastCommitBefore: typeof f.lastCommitBefore === 'number' ? f.lastCommitBefore : null,
      firstCommitId: typeof f.firstCommitId === 'number' ? f.firstCommitId : null,
      ...serverOf(f.server),
      ...herdOf(f.herd),
    })
  }
  return out
}

/** The workers a failover's watch woke, when the report has them; malformed entries are dropped. */
function herdOf(value: unknown): { herd: FailoverHerd } | Record<string, never> {
  if (!value || typeof value !== 'object') return {}
  const h = value as Record<string, unknown>
  if (typeof h.woken !== 'number' || (h.source !== 'workers' && h.source !== 'graph')) return {}
  const workers: FailoverHerd['workers'] = []
  for (const raw of Array.isArray(h.workers) ? h.workers : []) {
    if (!raw || typeof raw !== 'object') continue
    const w = raw as Record<string, unknown>
    if (typeof w.worker !== 'string' || typeof w.watchAt !== 'number') continue
    workers.push({
      worker: w.worker,
      watchAt: w.watchAt,
      path: typeof w.path === 'string' ? w.path : '',
      ...(typeof w.reactedMs === 'number' ? { reactedMs: w.reactedMs } : {}),
      ...(typeof w.did === 'string' ? { did: w.did } : {}),
    })
  }
  return { herd: { woken: h.woken, source: h.source, workers } }
}

/**
 * The herd of a failover the timeline measured live, from the checker's breakdown of the same fault
 * (same task and primary, fault times within `slackMs`: the two read the fault from different events).
 */
export function herdOfFailover(
  failover: { task: string; from: string; faultTime: number },
  breakdowns: readonly FailoverBreakdownView[] | undefined,
  slackMs = 2000,
): FailoverHerd | undefined {
  let best: FailoverBreakdownView | undefined
  for (const b of breakdowns ?? []) {
    if (!b.herd || b.task !== failover.task || b.from !== failover.from) continue
    const off = Math.abs(b.faultTime - failover.faultTime)
    if (off <= slackMs && (!best || off < Math.abs(best.faultTime - failover.faultTime))) best = b
  }
  return best?.herd
}

/** A task's failovers with each one's herd, once the checker has graded the session (the chart draws it). */
export function withHerds<F extends { task: string; from: string; faultTime: number }, T extends { failovers: F[] }>(
  timeline: T,
  breakdowns: readonly FailoverBreakdownView[] | undefined,
): T & { failovers: Array<F & { herd?: FailoverHerd }> } {
  if (!breakdowns?.some((b) => b.herd)) return timeline
  return {
    ...timeline,
    failovers: timeline.failovers.map((f) => {
      const herd = herdOfFailover(f, breakdowns)
      return herd ? { ...f, herd } : f
    }),
  }
}

/** The transaction log's breakdown, when the report has one (reports before it, or without a log, have none). */
function serverOf(value: unknown): { server: ServerFailover } | Record<string, never> {
  if (!value || typeof value !== 'object') return {}
  const s = value as Record<string, unknown>
  if (s.source !== 'txn-log') return {}
  const steps = (s.steps ?? {}) as Record<string, unknown>
  const text = (v: unknown) => (typeof v === 'string' ? v : null)
  return {
    server: {
      source: 'txn-log',
      clock: 'same-host',
      steps: {
        sessionEnded: stepValue(steps.sessionEnded),
        nodeDeleted: stepValue(steps.nodeDeleted),
        firstCommit: stepValue(steps.firstCommit),
      },
      sessionEnd: s.sessionEnd === 'closed' || s.sessionEnd === 'expired' ? s.sessionEnd : null,
      fromSession: text(s.fromSession),
      toSession: text(s.toSession),
      toWorker: text(s.toWorker),
      firstCommitZxid: text(s.firstCommitZxid),
      firstCommitId: typeof s.firstCommitId === 'number' ? s.firstCommitId : null,
    },
  }
}

/** Invariants judged only after the run (from the binlog source's history): no tile while a session runs. */
const JUDGED_AFTER_THE_RUN: readonly string[] = ['backup-integrity', 'backup-lag']

/**
 * How many live violations each invariant has. Listed: the invariants the final verdicts graded when
 * there are some (an invariant the checker could not judge for this lab has no verdict), else every
 * known one the live check judges; zeros too; then any other invariant a violation names.
 */
export function countByInvariant(
  // Any invariant name: the known ones and whatever a violation names.
  violations: readonly { invariant: string }[],
  verdicts?: readonly { invariant: string }[],
): Array<{ invariant: string; count: number }> {
  const graded = verdicts && verdicts.length > 0 ? new Set<string>(verdicts.map((v) => v.invariant)) : undefined
  const names = graded
    ? [
        ...INVARIANTS.filter((i) => graded.has(i)),
        ...[...graded].filter((i) => !(INVARIANTS as readonly string[]).includes(i)),
      ]
    : INVARIANTS.filter((i) => !JUDGED_AFTER_THE_RUN.includes(i))
  const counts = new Map<string, number>(names.map((i) => [i, 0]))
  for (const v of violations) counts.set(v.invariant, (counts.get(v.invariant) ?? 0) + 1)
  return [...counts].map(([invariant, count]) => ({ invariant, count }))
}

/** Seconds since the session began, as the checker's messages and the CLI write them: `+12.35 s`. */
export function sinceStart(at: number, start: number | undefined): string {
  if (start === undefined || !Number.isFinite(at)) return '—'
  return secondsSince(at, start)
}

/** Step durations: whole ms under 10 s (the precision the checker measures), seconds above. */
export function formatStepMs(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '—'
  if (Math.abs(ms) < 10_000) return `${Math.round(ms)} ms`
  return seconds(ms)
}

/** A round duration as a person writes it: `500 ms`, `60 s`, `1.5 s`, `2 min`. */
export function formatShortMs(ms: number): string {
  if (!Number.isFinite(ms)) return '—'
  if (Math.abs(ms) < 1000) return `${Math.round(ms)} ms`
  if (Math.abs(ms) >= 120_000 && ms % 60_000 === 0) return `${ms / 60_000} min`
  return `${Number((ms / 1000).toFixed(2))} s`
}

export {
  afterSessionEnd,
  barPercent,
  barSegments,
  breakdownScale,
  niceCeil,
  serverBarSteps,
} from '../../../shared/charts/failover-breakdown.js'

export type RunOutcome = 'starting' | 'running' | 'grading' | 'passed' | 'failed' | 'stopped'

/**
 * Where a scenario run stands. Its steps decide first (a failed step or a broken `expect`); a run
 * whose steps all came true still fails when the final verdicts do, as `zklab run` counts it with
 * the default `expect: all`.
 */
export function runOutcome(
  scenario: LabState['scenario'],
  verdicts: LabState['verdicts'],
  closed: boolean,
): RunOutcome | undefined {
  if (!scenario) return undefined
  if (scenario.running) return 'running'
  if (scenario.ok === false && scenario.error === 'interrupted') return verdicts || closed ? 'stopped' : 'grading'
  if (scenario.ok === false) return 'failed'
  if (!verdicts) return closed ? (scenario.ok ? 'passed' : 'failed') : 'grading'
  return verdicts.ok ? 'passed' : 'failed'
}

export const OUTCOME_LABEL: Record<RunOutcome, string> = {
  starting: 'STARTING',
  running: 'RUNNING',
  grading: 'GRADING',
  passed: 'PASSED',
  failed: 'FAILED',
  stopped: 'STOPPED',
}

/** A scenario step as one line: `waitFor: commits (count 2)`, `stop: primary`, `repeat: 3`. */
export function describeStep(step: unknown): string | undefined {
  if (!step || typeof step !== 'object') return undefined
  const entries = Object.entries(step as Record<string, unknown>)
  if (entries.length === 0) return undefined
  const [action, value] = entries[0]
  // A nemesis is its kinds and time; its faults come as steps of their own.
  if (action === 'nemesis' && value && typeof value === 'object' && 'faults' in value && 'for' in value)
    return `nemesis: ${Array.isArray(value.faults) ? value.faults.join(', ') : ''} for ${formatShortMs(Number(value.for))}`
  const main =
    typeof value === 'object' && value !== null
      ? Array.isArray(value)
        ? `${value.length} step(s)`
        : '…'
      : String(value)
  const extras = entries
    .slice(1)
    .filter(
      ([k, v]) =>
        k !== 'steps' && k !== 'note' && (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean'),
    )
    .map(([k, v]) => (k.endsWith('Ms') ? `${k.slice(0, -2)} ${formatShortMs(Number(v))}` : `${k} ${String(v)}`))
  return `${action}: ${main}${extras.length ? ` (${extras.join(', ')})` : ''}`
}

/** The final verdicts, failed first, then unknown, ok and not judged, each in invariant order. */
export function sortVerdicts(verdicts: readonly VerdictView[]): VerdictView[] {
  const rank = (i: string) => {
    const at = (INVARIANTS as readonly string[]).indexOf(i)
    return at < 0 ? INVARIANTS.length : at
  }
  const order: VerdictState[] = ['fail', 'unknown', 'ok', 'not-judged']
  const stateRank = (v: VerdictView) => order.indexOf(verdictState(v))
  return [...verdicts].sort(
    (a, b) => stateRank(a) - stateRank(b) || a.task.localeCompare(b.task) || rank(a.invariant) - rank(b.invariant),
  )
}

/**
 * A verdict's tag: the words the CLI and the reports use for its state (ok, FAIL, unknown, not
 * judged), a tone distinct for each, and why it was not judged (or could not be) as its tooltip.
 */
export function verdictTag(v: Pick<VerdictView, 'ok' | 'reason'> & { state?: VerdictState }): {
  state: VerdictState
  text: string
  className: string
  title?: string
} {
  const state = verdictState(v)
  const className = { ok: 'tag-ok', fail: 'tag-bad', unknown: 'tag-warn', 'not-judged': 'tag-muted' }[state]
  return { state, text: VERDICT_STATE_LABEL[state], className, ...(v.reason ? { title: v.reason } : {}) }
}

/** How many final verdicts are in each state. */
export function countVerdicts(
  verdicts: readonly (Pick<VerdictView, 'ok'> & { state?: VerdictState })[],
): Record<VerdictState, number> {
  const counts: Record<VerdictState, number> = { ok: 0, fail: 0, unknown: 0, 'not-judged': 0 }
  for (const v of verdicts) counts[verdictState(v)]++
  return counts
}

/**
 * The final verdicts in a line: `all 4 checks passed`, `1 of 5 checks failed`, with what was not
 * judged or could not be said apart (`all 4 checks passed · 1 not judged`).
 */
export function verdictsLine(verdicts: readonly (Pick<VerdictView, 'ok'> & { state?: VerdictState })[]): string {
  const n = countVerdicts(verdicts)
  const judged = n.ok + n.fail
  const head = n.fail > 0 ? `${n.fail} of ${plural(judged, 'check')} failed` : `all ${plural(judged, 'check')} passed`
  const rest = [
    n.unknown > 0 ? `${n.unknown} unknown` : '',
    n['not-judged'] > 0 ? `${n['not-judged']} not judged` : '',
  ].filter(Boolean)
  return [head, ...rest].join(' · ')
}

/** The median of the values that are numbers; undefined for none. */
export function median(values: ReadonlyArray<number | null | undefined>): number | undefined {
  const sorted = values.filter((v): v is number => typeof v === 'number' && Number.isFinite(v)).sort((a, b) => a - b)
  if (sorted.length === 0) return undefined
  const mid = sorted.length >> 1
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
}

/** `worker-task01-2` → `#2` when the task is known, to keep the tables narrow. */
export function shortWorker(name: string | null | undefined, task: string): string {
  if (!name) return '—'
  const prefix = `worker-${task}-`
  return name.startsWith(prefix) ? `#${name.slice(prefix.length)}` : name
}

/** The header's checker badge: the final verdicts once there are some, else the live count. */
export function badgeText(
  liveViolations: number,
  verdicts: LabState['verdicts'],
): { text: string; tone: 'ok' | 'bad' | 'idle' } {
  if (verdicts) {
    const n = countVerdicts(verdicts.verdicts)
    if (verdicts.ok) return { text: n['not-judged'] > 0 ? 'all judged checks passed' : 'all checks passed', tone: 'ok' }
    const total = verdicts.verdicts.reduce((sum, v) => sum + (Number(v.violations) || 0), 0) || liveViolations
    if (total > 0) return { text: plural(total, 'violation'), tone: 'bad' }
    // Not ok without a violation: checks that failed without one, or that could not be judged.
    return n.fail === 0 && n.unknown > 0
      ? { text: `${plural(n.unknown, 'check')} unknown`, tone: 'bad' }
      : { text: `${plural(n.fail, 'check')} failed`, tone: 'bad' }
  }
  return { text: plural(liveViolations, 'violation'), tone: liveViolations > 0 ? 'bad' : 'idle' }
}

export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`
}

/** A binlog task's backup as the app shows it beside the verdicts: where it stands and how far it trailed. */
export interface BackupRow {
  task: string
  state: VerdictState
  /** The last GTID in the sink and lastCommit's last value, when backup-integrity judged it. */
  sinkGtid: string | null
  lastCommit: string | null
  /** Source commit → first backup write, ms (backup-lag's stats), when measured. */
  lag?: { p50: number; p99: number; max: number; transactions: number }
}

/**
 * One row per task a backup invariant judged (binlog tasks; counter tasks and sessions without the
 * source's history have none), in task order.
 */
export function backupRows(verdicts: readonly VerdictView[]): BackupRow[] {
  const rows = new Map<string, BackupRow>()
  for (const v of verdicts) {
    if (v.invariant !== 'backup-integrity' && v.invariant !== 'backup-lag') continue
    if (verdictState(v) === 'not-judged') continue
    const row = rows.get(v.task) ?? { task: v.task, state: 'ok', sinkGtid: null, lastCommit: null }
    if (v.invariant === 'backup-integrity') {
      row.state = verdictState(v)
      row.sinkGtid = v.position?.sinkGtid ?? null
      row.lastCommit = v.position?.lastCommit ?? null
    }
    const s = v.stats
    if (v.invariant === 'backup-lag' && s && s.p50Ms !== undefined && s.p99Ms !== undefined && s.maxMs !== undefined)
      row.lag = { p50: s.p50Ms, p99: s.p99Ms, max: s.maxMs, transactions: s.transactions ?? 0 }
    rows.set(v.task, row)
  }
  return [...rows.values()].sort((a, b) => a.task.localeCompare(b.task))
}
