/**
 * The scenario format: a ZooKeeper, tasks with their workers, and steps run in order. Written as
 * YAML or JSON; every error names the field it is about (`steps[2].timeoutMs: …`).
 */
import { z } from 'zod'
import {
  ClockSkew,
  ElectionSettings,
  ExternalWorker,
  MAX_WORKERS_PER_SESSION,
  NetworkFaultParams,
  type FaultDirection,
  SessionTimeoutMs,
  SourceSettings,
  Strategy,
  TaskName,
  ZooKeeperOptions,
} from './api.js'
import { Workload } from './binlog.js'
import { DEFAULT_COMMIT_INTERVAL_MS } from './worker-launch/index.js'
import { sessionTimeoutProblem, TICK_TIME_DEFAULT_MS } from './session-timeout.js'
import { ServerPartitionShape, ServerPartitionSpec, ServerTarget } from './server-partitions.js'
import { MAX_SEED, NEMESIS_FAULT_KINDS, targetsFor, type NemesisFault } from './nemesis/index.js'

/**
 * What a fault hits. Workers: the current primary, a standby, a random live worker, worker N of the
 * step's task, or a worker by name. ZooKeeper: server N (`zk-1`), the ensemble's current leader or a
 * follower. `mariadb`: the binlog workload's source (kill, stop, pause, resume, restart).
 */
export const Target = z.union([
  z.enum(['primary', 'standby', 'random', 'zk-leader', 'zk-follower', 'mariadb']),
  z.number().int().min(1),
  z
    .string()
    .regex(/^(worker-[A-Za-z0-9._-]+-\d+|zk-\d+)$/, 'a worker name like worker-task01-2, or a server like zk-1'),
])
export type Target = z.infer<typeof Target>
/** A target, or `faulted`: whatever the last fault step hit (for the steps that undo a fault). */
export const TargetOrFaulted = z.union([z.literal('faulted'), Target])
export type TargetOrFaulted = z.infer<typeof TargetOrFaulted>

/** The invariants the checker grades; `expect` steps and a scenario's `expect` name them. */
export const Invariant = z.enum([
  'single-primary',
  'sink-integrity',
  'commit-monotonic',
  'status-truth',
  'zombie-write',
  'backup-integrity',
  'backup-lag',
])
export type Invariant = z.infer<typeof Invariant>

/**
 * What one scenario may ask of the lab. A file past these is refused before anything starts, with
 * the field that crosses the line: a mistyped repeat count should not start a billion steps, a day
 * of sleeping, or a thousand workers.
 */
export const SCENARIO_LIMITS = {
  /** Bytes of the file; checked before it is parsed. */
  fileBytes: 1024 * 1024,
  /** repeat and parallel inside one another. */
  nestingDepth: 8,
  /** Steps once every repeat is multiplied out. */
  expandedSteps: 10_000,
  /** The longest the steps can take: sleeps, `for` durations and waitFor timeouts, repeats multiplied out. */
  runTimeMs: 24 * 3_600_000,
  /** Workers the scenario starts in all: its tasks' workers and every addWorkers step, repeats multiplied out. */
  workers: MAX_WORKERS_PER_SESSION,
} as const

const Timeout = z.number().int().min(100).max(3_600_000)
const Duration = z.number().int().min(1).max(3_600_000)

const Common = { task: TaskName.optional(), note: z.string().optional() }

const WaitFor = z
  .object({
    /** primary: a live primary exists; failover: the last fault's takeover is complete; commits: n more commits. */
    waitFor: z.enum(['primary', 'failover', 'commits']),
    count: z.number().int().min(1).max(100_000).optional(),
    timeoutMs: Timeout.default(60_000),
    ...Common,
  })
  .strict()

const Kill = z.object({ kill: Target, ...Common }).strict()
const Stop = z.object({ stop: Target, ...Common }).strict()
/** SIGSTOP, like a GC pause: resumed after `for` ms, or by a later `resume` step. */
const Pause = z.object({ pause: Target, for: Duration.optional(), ...Common }).strict()
const Resume = z.object({ resume: TargetOrFaulted, ...Common }).strict()
/** Starts a stopped or crashed worker or server again; a worker rejoins as a standby. */
const Restart = z.object({ restart: TargetOrFaulted, ...Common }).strict()
/**
 * What every lasting fault on a worker's link may say: which way it hits, the share of connections
 * it hits (Toxiproxy's toxicity), a seed for its random draws, and `for` ms before it is healed.
 */
const LinkFault = {
  direction: NetworkFaultParams.direction,
  toxicity: NetworkFaultParams.toxicity,
  seed: NetworkFaultParams.seed,
  for: Duration.optional(),
  ...Common,
}
/** Cuts a worker's link to ZooKeeper (one way with `direction`): healed after `for` ms, or by a later `heal` step. */
const Partition = z.object({ partition: Target, ...LinkFault }).strict()
const Heal = z.object({ heal: TargetOrFaulted, ...Common }).strict()
/** Adds latency (± jitter) to a worker's link; back to normal after `for` ms, or by `heal`. */
const Slow = z
  .object({
    slow: Target,
    latencyMs: z.number().int().min(0).max(60_000),
    jitterMs: z.number().int().min(0).max(60_000).default(0),
    ...LinkFault,
  })
  .strict()
/** Packet loss, as TCP shows it: each chunk, with this probability, waits a retransmission timeout. */
const Loss = z.object({ loss: Target, probability: z.number().min(0).max(1), ...LinkFault }).strict()
/** Caps the link's throughput (bytes per second each way hit); chunks are paced, in order. */
const Bandwidth = z
  .object({ bandwidth: Target, bytesPerSecond: NetworkFaultParams.bytesPerSecond.unwrap(), ...LinkFault })
  .strict()
/** Splits chunks into slices of sliceBytes, sliceDelayMs apart (Toxiproxy's slicer). */
const Slicer = z
  .object({
    slicer: Target,
    sliceBytes: NetworkFaultParams.sliceBytes.unwrap(),
    sliceDelayMs: NetworkFaultParams.sliceDelayMs.unwrap().default(0),
    ...LinkFault,
  })
  .strict()
/** When one side of a connection closes, the proxy closes the other delayMs later (Toxiproxy's slow_close). */
const SlowClose = z.object({ slowClose: Target, delayMs: NetworkFaultParams.delayMs.unwrap(), ...LinkFault }).strict()
/** Resets a worker's TCP connections to ZooKeeper. */
const Reset = z.object({ reset: Target, ...Common }).strict()
/**
 * Cuts links between the ensemble's servers in a named shape (see server-partitions.ts): healed
 * after `for` ms, or by `healServers`. A new one replaces the partition in force.
 */
const PartitionServers = z
  .object({
    partitionServers: ServerPartitionShape,
    server: ServerTarget.optional(),
    from: ServerTarget.optional(),
    to: z.union([z.literal('others'), ServerTarget]).optional(),
    for: Duration.optional(),
    ...Common,
  })
  .strict()
  .superRefine((step, ctx) => {
    const spec = ServerPartitionSpec.safeParse(serverPartitionOf(step))
    if (!spec.success) for (const issue of spec.error.issues) ctx.addIssue({ ...issue, path: issue.path })
  })
/**
 * Changes the MariaDB source's load and goes on at once: `rate` alone is the new steady rate, `rate`
 * with `for` holds it that many ms and then goes back, `burst` adds that many transactions as fast
 * as the source takes them.
 */
const SourceLoad = z
  .object({
    sourceLoad: z
      .object({
        rate: z.number().min(0).max(10_000).optional(),
        for: Duration.optional(),
        burst: z.number().int().min(1).max(1_000_000).optional(),
      })
      .strict()
      .refine((l) => (l.rate === undefined) !== (l.burst === undefined), {
        message: 'give either rate (with for, optionally) or burst',
      })
      .refine((l) => l.for === undefined || l.rate !== undefined, { message: 'for goes with rate', path: ['for'] }),
    ...Common,
  })
  .strict()
/** Heals every link between the ensemble's servers. */
const HealServers = z.object({ healServers: z.literal(true), ...Common }).strict()

/** The partition a partitionServers step asks for, in the Lab API's terms. */
export function serverPartitionOf(step: {
  partitionServers: ServerPartitionShape
  server?: ServerTarget
  from?: ServerTarget
  to?: ServerPartitionSpec['to']
}): ServerPartitionSpec {
  return {
    shape: step.partitionServers,
    ...(step.server ? { server: step.server } : {}),
    ...(step.from ? { from: step.from } : {}),
    ...(step.to ? { to: step.to } : {}),
  }
}

/** Standbys joining: start n more workers for the task (with a clock of their own, or the task's). */
const AddWorkers = z
  .object({ addWorkers: z.number().int().min(1).max(50), clock: ClockSkew.optional(), ...Common })
  .strict()
const Sleep = z.object({ sleep: z.number().int().min(0).max(3_600_000), ...Common }).strict()
/** Checks, at this point of the run, that the named invariants hold so far (or all of them). */
const Expect = z
  .object({
    expect: z.union([z.literal('all'), z.array(Invariant).min(1)]),
    /** And that the last failover's first commit came within this many ms of its fault. */
    maxFailoverMs: z.number().int().min(1).optional(),
    ...Common,
  })
  .strict()

const MsRange = z
  .object({ minMs: z.number().int().min(1).max(3_600_000), maxMs: z.number().int().min(1).max(3_600_000) })
  .strict()
  .refine((r) => r.minMs <= r.maxMs, { message: 'minMs must not be more than maxMs', path: ['maxMs'] })
/**
 * Faults drawn from the run's seed for `for` ms: after a quiet `interval`, a kind of `faults`, a
 * target of `targets` it can hit, held for a `duration` and undone; then the next. See
 * src/shared/nemesis.
 */
const NemesisOptions = z
  .object({
    for: Duration,
    faults: z.array(z.enum(NEMESIS_FAULT_KINDS)).min(1),
    // At least 100 ms apart: a schedule is a handful of faults, not a flood.
    interval: MsRange.refine((r) => r.minMs >= 100, { message: 'minMs must be at least 100', path: ['minMs'] }),
    duration: MsRange,
    // The source is not (yet) one of the nemesis's targets: its faults are steps of their own.
    targets: z
      .array(Target.refine((t) => t !== 'mariadb', 'the nemesis does not hit the MariaDB source; use a step'))
      .min(1)
      .optional(),
  })
  .strict()
  .superRefine((n, ctx) => {
    for (const [i, kind] of n.faults.entries())
      if (targetsFor(kind, n.targets).length === 0)
        ctx.addIssue({
          code: 'custom',
          path: ['faults', i],
          message: `${kind} cannot hit any of the targets listed (${n.targets?.join(', ')}): add one it can hit`,
        })
  })
const Nemesis = z.object({ nemesis: NemesisOptions, ...Common }).strict()

type WithCommon<T> = T & { task?: string; note?: string }
type WithLink<T> = WithCommon<T> & { direction?: FaultDirection; toxicity?: number; seed?: number; for?: number }
export type Step =
  | z.output<typeof WaitFor>
  | WithCommon<{ kill: Target }>
  | WithCommon<{ stop: Target }>
  | WithCommon<{ pause: Target; for?: number }>
  | WithCommon<{ resume: TargetOrFaulted }>
  | WithCommon<{ restart: TargetOrFaulted }>
  | WithLink<{ partition: Target }>
  | WithCommon<{ heal: TargetOrFaulted }>
  | WithLink<{ slow: Target; latencyMs: number; jitterMs: number }>
  | WithLink<{ loss: Target; probability: number }>
  | WithLink<{ bandwidth: Target; bytesPerSecond: number }>
  | WithLink<{ slicer: Target; sliceBytes: number; sliceDelayMs: number }>
  | WithLink<{ slowClose: Target; delayMs: number }>
  | WithCommon<{ reset: Target }>
  | WithCommon<{
      partitionServers: ServerPartitionShape
      server?: ServerTarget
      from?: ServerTarget
      to?: ServerPartitionSpec['to']
      for?: number
    }>
  | WithCommon<{ healServers: true }>
  | WithCommon<{ sourceLoad: { rate?: number; for?: number; burst?: number } }>
  | WithCommon<{ addWorkers: number; clock?: ClockSkew }>
  | WithCommon<{
      nemesis: {
        for: number
        faults: NemesisFault[]
        interval: { minMs: number; maxMs: number }
        duration: { minMs: number; maxMs: number }
        targets?: Target[]
      }
    }>
  | z.output<typeof Sleep>
  | z.output<typeof Expect>
  | { repeat: number; steps: Step[]; note?: string }
  | { parallel: Step[]; note?: string }

const SCHEMAS = {
  waitFor: () => WaitFor,
  kill: () => Kill,
  stop: () => Stop,
  pause: () => Pause,
  resume: () => Resume,
  restart: () => Restart,
  partition: () => Partition,
  heal: () => Heal,
  slow: () => Slow,
  loss: () => Loss,
  bandwidth: () => Bandwidth,
  slicer: () => Slicer,
  slowClose: () => SlowClose,
  reset: () => Reset,
  partitionServers: () => PartitionServers,
  healServers: () => HealServers,
  sourceLoad: () => SourceLoad,
  addWorkers: () => AddWorkers,
  nemesis: () => Nemesis,
  sleep: () => Sleep,
  expect: () => Expect,
  repeat: () => Repeat,
  parallel: () => Parallel,
} as const
export const STEP_ACTIONS = Object.keys(SCHEMAS) as Array<keyof typeof SCHEMAS>

/** Each step is an object with exactly one action key; validate it by that key so errors are precise. */
export const StepSchema: z.ZodType<Step> = z.lazy(() =>
  z.unknown().transform((value, ctx): Step => {
    if (!value || typeof value !== 'object' || Array.isArray(value)) {
      ctx.addIssue({ code: 'custom', message: `a step is an object with one of: ${STEP_ACTIONS.join(', ')}` })
      return z.NEVER
    }
    const keys = STEP_ACTIONS.filter((a) => a in value)
    if (keys.length !== 1) {
      ctx.addIssue({
        code: 'custom',
        message:
          keys.length === 0
            ? `a step needs one of: ${STEP_ACTIONS.join(', ')}`
            : `a step has one action, not ${keys.join(' and ')}`,
      })
      return z.NEVER
    }
    const parsed = (SCHEMAS[keys[0]]() as z.ZodType).safeParse(value)
    if (!parsed.success) {
      for (const issue of parsed.error.issues) ctx.addIssue({ ...issue, path: issue.path })
      return z.NEVER
    }
    return parsed.data as Step
  }),
)

const Repeat = z
  .object({ repeat: z.number().int().min(1).max(1000), steps: z.array(StepSchema).min(1), note: z.string().optional() })
  .strict()

/** Steps that run at the same time; the step ends when all of them have. */
const Parallel = z.object({ parallel: z.array(StepSchema).min(2), note: z.string().optional() }).strict()

export const ScenarioTask = z
  .object({
    name: TaskName,
    workers: z.number().int().min(1).max(50),
    // Scenarios grade the recipe unless told otherwise; a worker added by hand runs DEFAULT_STRATEGY.
    strategy: Strategy.default('recipe'),
    commitIntervalMs: z.number().int().min(50).max(60_000).default(DEFAULT_COMMIT_INTERVAL_MS),
    sessionTimeoutMs: SessionTimeoutMs,
    /** Any program as the task's workers (`strategy` is then ignored): see ExternalWorker. */
    external: ExternalWorker.optional(),
    /** Where the task's election is held and how its children order (external programs and peers). */
    election: ElectionSettings.optional(),
    /** How many times each server appears in each worker's connect string (see WorkerSettings). */
    connectRepeat: z.number().int().min(1).max(5).optional(),
    /** Every worker's wall clock set apart: offsetMs and/or rate (libfaketime; see WorkerSettings). */
    clock: ClockSkew.optional(),
    /** What the primary does: `counter` (default) or `binlog` (back up the scenario's MariaDB source). */
    workload: Workload.default('counter'),
    /** binlog: commit the GTID to lastCommit after this many row events (or commitIntervalMs). */
    commitEvents: z.number().int().min(1).max(1_000_000).optional(),
  })
  .strict()

export const Scenario = z
  .object({
    name: z.string().min(1).max(80),
    description: z.string().optional(),
    zookeeper: ZooKeeperOptions.default({ mode: 'standalone', tickTimeMs: TICK_TIME_DEFAULT_MS }),
    tasks: z.array(ScenarioTask).min(1),
    /**
     * The binlog workload's MariaDB source and its load generator (`{ rate: 50 }`). The lab runs one
     * when this is given or a task's workload is `binlog` (then with the defaults).
     */
    source: SourceSettings.optional(),
    steps: z.array(StepSchema).default([]),
    /** Seeds every random choice of the run (nemesis schedules, `random` targets); drawn and recorded when absent. */
    seed: z.number().int().min(0).max(MAX_SEED).optional(),
    /** Invariants the run must keep; checked at the end (default: all). A violation fails the run. */
    expect: z.union([z.literal('all'), z.literal('none'), z.array(Invariant)]).default('all'),
    /**
     * What a strategy is known to break here (`seed: [single-primary]`). A run with it still fails on
     * them (exit 1, naming them); the summary says whether it broke exactly what is written.
     */
    breaks: z.partialRecord(Strategy, z.array(Invariant).min(1)).optional(),
  })
  .strict()
  .superRefine((s, ctx) => {
    checkScenarioTotals(s, ctx)
    const names = s.tasks.map((t) => t.name)
    names.forEach((n, i) => {
      if (names.indexOf(n) !== i)
        ctx.addIssue({ code: 'custom', message: `task ${n} is listed twice`, path: ['tasks', i, 'name'] })
    })
    if (s.zookeeper.mode !== 'ensemble') {
      const at = findStep(
        s.steps,
        (step) =>
          'partitionServers' in step ||
          'healServers' in step ||
          ('nemesis' in step && step.nemesis.faults.some((f) => f === 'isolate' || f === 'halves')),
      )
      if (at)
        ctx.addIssue({
          code: 'custom',
          path: at,
          message: `partitions between servers need a local ensemble (zookeeper: { mode: ensemble, servers: 3 }); this scenario runs ${s.zookeeper.mode ?? 'standalone'}`,
        })
    }
    if (!needsSource(s)) {
      const at = findStep(s.steps, (step) => 'sourceLoad' in step || Object.values(step).includes('mariadb'))
      if (at)
        ctx.addIssue({
          code: 'custom',
          path: at,
          message:
            'this step hits the MariaDB source, which runs only with a `source:` or a task of `workload: binlog`',
        })
    }
    // ZooKeeper grants session timeouts between 2 and 20 ticks; outside that range it silently changes them.
    s.tasks.forEach((t, i) => {
      const problem = sessionTimeoutProblem(t.sessionTimeoutMs, s.zookeeper.tickTimeMs)
      if (problem) ctx.addIssue({ code: 'custom', message: problem, path: ['tasks', i, 'sessionTimeoutMs'] })
    })
  })
export type Scenario = z.output<typeof Scenario>

/** A task's workload settings as addWorkers takes them (nothing for the counter, the default). */
export function workloadOf(task: { workload?: Workload; commitEvents?: number }): {
  workload?: 'binlog'
  commitEvents?: number
} {
  if (task.workload !== 'binlog') return {}
  return { workload: 'binlog', ...(task.commitEvents ? { commitEvents: task.commitEvents } : {}) }
}

/** Whether a scenario runs the MariaDB source: it says `source:`, or one of its tasks backs up a binlog. */
export function needsSource(s: { source?: unknown; tasks: Array<{ workload?: Workload }> }): boolean {
  return s.source !== undefined || s.tasks.some((t) => t.workload === 'binlog')
}

/**
 * The nesting of repeat and parallel in a parsed but not yet validated scenario, checked before the
 * schema walks it (a deep nesting would exhaust the stack there). Returns the first step that is
 * nested too deeply, as a field path and a message, or undefined.
 */
export function findTooDeepStep(raw: unknown): { path: string; message: string } | undefined {
  const steps = raw && typeof raw === 'object' ? (raw as { steps?: unknown }).steps : undefined
  return deeper(steps, 'steps', 1)
}

function deeper(steps: unknown, path: string, depth: number): { path: string; message: string } | undefined {
  if (!Array.isArray(steps)) return undefined
  for (const [i, step] of steps.entries()) {
    if (!step || typeof step !== 'object') continue
    const inner =
      'repeat' in step
        ? { key: 'steps', list: (step as { steps?: unknown }).steps }
        : 'parallel' in step
          ? { key: 'parallel', list: (step as { parallel?: unknown }).parallel }
          : undefined
    if (!inner) continue
    const here = `${path}[${i}]`
    if (depth > SCENARIO_LIMITS.nestingDepth) {
      return {
        path: here,
        message: `repeat and parallel are nested ${depth} deep here; at most ${SCENARIO_LIMITS.nestingDepth} levels are allowed (flatten the inner steps)`,
      }
    }
    const found = deeper(inner.list, `${here}.${inner.key}`, depth + 1)
    if (found) return found
  }
  return undefined
}

/** The path of the first step (nested ones too) that `match` accepts. */
function findStep(
  steps: Step[],
  match: (step: Step) => boolean,
  path: (string | number)[] = ['steps'],
): (string | number)[] | undefined {
  for (const [i, step] of steps.entries()) {
    const here = [...path, i]
    if (match(step)) return here
    const inner =
      'repeat' in step
        ? { key: 'steps', list: step.steps }
        : 'parallel' in step
          ? { key: 'parallel', list: step.parallel }
          : undefined
    const found = inner && findStep(inner.list, match, [...here, inner.key])
    if (found) return found
  }
  return undefined
}

/** Upper bounds of what the steps do, repeats multiplied out: steps, milliseconds, workers started. */
interface StepTotals {
  steps: number
  ms: number
  workers: number
}

function totalsOf(step: Step): StepTotals {
  if ('repeat' in step) {
    const inner = sequenceTotals(step.steps)
    return { steps: 1 + step.repeat * inner.steps, ms: step.repeat * inner.ms, workers: step.repeat * inner.workers }
  }
  if ('parallel' in step) {
    // Branches run at once: the step takes as long as its longest branch.
    const branches = step.parallel.map(totalsOf)
    return {
      steps: 1 + branches.reduce((n, b) => n + b.steps, 0),
      ms: Math.max(0, ...branches.map((b) => b.ms)),
      workers: branches.reduce((n, b) => n + b.workers, 0),
    }
  }
  const ms =
    'sleep' in step
      ? step.sleep
      : 'waitFor' in step
        ? step.timeoutMs
        : 'for' in step && typeof step.for === 'number'
          ? step.for
          : 'nemesis' in step
            ? step.nemesis.for
            : 0
  return { steps: 1, ms, workers: 'addWorkers' in step ? step.addWorkers : 0 }
}

function sequenceTotals(steps: Step[]): StepTotals {
  return steps
    .map(totalsOf)
    .reduce((a, b) => ({ steps: a.steps + b.steps, ms: a.ms + b.ms, workers: a.workers + b.workers }), {
      steps: 0,
      ms: 0,
      workers: 0,
    })
}

/** Expanded steps, run time and workers; each error names the step (or task) where the total crosses its cap. */
function checkScenarioTotals(s: { tasks: Array<{ workers: number }>; steps: Step[] }, ctx: z.RefinementCtx): void {
  const limits = SCENARIO_LIMITS
  let workers = 0
  for (const [i, task] of s.tasks.entries()) {
    workers += task.workers
    if (workers > limits.workers) {
      ctx.addIssue({
        code: 'custom',
        path: ['tasks', i, 'workers'],
        message: `the tasks start ${workers} workers so far; a scenario may start at most ${limits.workers}`,
      })
      return
    }
  }
  const total: StepTotals = { steps: 0, ms: 0, workers }
  const reported = { steps: false, ms: false, workers: false }
  for (const [i, step] of s.steps.entries()) {
    const t = totalsOf(step)
    total.steps += t.steps
    total.ms += t.ms
    total.workers += t.workers
    const at = ['steps', i]
    if (!reported.steps && total.steps > limits.expandedSteps) {
      reported.steps = true
      ctx.addIssue({
        code: 'custom',
        path: at,
        message: `with repeats multiplied out the steps come to ${total.steps} by here; a scenario may run at most ${limits.expandedSteps}`,
      })
    }
    if (!reported.ms && total.ms > limits.runTimeMs) {
      reported.ms = true
      ctx.addIssue({
        code: 'custom',
        path: at,
        message: `sleeps, \`for\` durations and waitFor timeouts, repeats multiplied out, come to ${hours(total.ms)} by here; a scenario may run at most ${hours(limits.runTimeMs)}`,
      })
    }
    if (!reported.workers && total.workers > limits.workers) {
      reported.workers = true
      ctx.addIssue({
        code: 'custom',
        path: at,
        message: `the tasks and addWorkers steps start ${total.workers} workers by here; a scenario may start at most ${limits.workers}`,
      })
    }
  }
}

function hours(ms: number): string {
  return `${(ms / 3_600_000).toLocaleString('en', { maximumFractionDigits: 1 })} h`
}

/** Formats zod issues as `path: message` lines, with paths like `steps[2].timeoutMs`. */
export function describeIssues(error: z.ZodError): string[] {
  return error.issues.map((issue) => {
    const path = issue.path.reduce<string>(
      (acc, part) => (typeof part === 'number' ? `${acc}[${part}]` : acc ? `${acc}.${String(part)}` : String(part)),
      '',
    )
    return `${path || '(top level)'}: ${issue.message}`
  })
}
