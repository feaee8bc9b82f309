/**
 * The scenario format: a ZooKeeper, tasks with their workers, and steps run in order. Written as
 * YAML or JSON; every error names the field it is about (`steps[2].timeoutMs: …`).
 */
import { z } from 'zod'
import { ExternalWorker, Strategy, TaskName, ZooKeeperOptions } from './api.js'

/**
 * What a fault hits. Workers: the current primary, a standby, a random live worker, worker N of the
 * step's task, or a worker by name. ZooKeeper: server N (`zk-1`), the ensemble's current leader or a
 * follower.
 */
export const Target = z.union([
  z.enum(['primary', 'standby', 'random', 'zk-leader', 'zk-follower']),
  z.number().int().min(1),
  z.string().regex(/^(worker-[A-Za-z0-9._-]+-\d+|zk-\d+)$/, 'a worker name like worker-task01-2, or a server like zk-1'),
])
export type Target = z.infer<typeof Target>

/** The invariants the checker grades; `expect` steps and a scenario's `expect` name them. */
export const Invariant = z.enum(['single-primary', 'sink-integrity', 'commit-monotonic', 'status-truth', 'zombie-write'])
export type Invariant = z.infer<typeof Invariant>

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
const Resume = z.object({ resume: z.union([z.literal('faulted'), Target]), ...Common }).strict()
/** Starts a stopped or crashed worker or server again; a worker rejoins as a standby. */
const Restart = z.object({ restart: z.union([z.literal('faulted'), Target]), ...Common }).strict()
/** Cuts a worker's link to ZooKeeper: healed after `for` ms, or by a later `heal` step. */
const Partition = z.object({ partition: Target, for: Duration.optional(), ...Common }).strict()
const Heal = z.object({ heal: z.union([z.literal('faulted'), Target]), ...Common }).strict()
/** Adds latency (± jitter) to a worker's link; back to normal after `for` ms, or by `heal`. */
const Slow = z
  .object({ slow: Target, latencyMs: z.number().int().min(0).max(60_000), jitterMs: z.number().int().min(0).max(60_000).default(0), for: Duration.optional(), ...Common })
  .strict()
/** Resets a worker's TCP connections to ZooKeeper. */
const Reset = z.object({ reset: Target, ...Common }).strict()
/** Standbys joining: start n more workers for the task. */
const AddWorkers = z.object({ addWorkers: z.number().int().min(1).max(50), ...Common }).strict()
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

type WithCommon<T> = T & { task?: string; note?: string }
export type Step =
  | z.output<typeof WaitFor>
  | WithCommon<{ kill: Target }>
  | WithCommon<{ stop: Target }>
  | WithCommon<{ pause: Target; for?: number }>
  | WithCommon<{ resume: Target | 'faulted' }>
  | WithCommon<{ restart: Target | 'faulted' }>
  | WithCommon<{ partition: Target; for?: number }>
  | WithCommon<{ heal: Target | 'faulted' }>
  | WithCommon<{ slow: Target; latencyMs: number; jitterMs: number; for?: number }>
  | WithCommon<{ reset: Target }>
  | WithCommon<{ addWorkers: number }>
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
  reset: () => Reset,
  addWorkers: () => AddWorkers,
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
        message: keys.length === 0 ? `a step needs one of: ${STEP_ACTIONS.join(', ')}` : `a step has one action, not ${keys.join(' and ')}`,
      })
      return z.NEVER
    }
    const parsed = (SCHEMAS[keys[0]]() as z.ZodType).safeParse(value)
    if (!parsed.success) {
      for (const issue of parsed.error.issues) ctx.addIssue({ ...issue, path: issue.path } as never)
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
    strategy: Strategy.default('recipe'),
    commitIntervalMs: z.number().int().min(50).max(60_000).default(1000),
    sessionTimeoutMs: z.number().int().min(1000).max(120_000).default(4000),
    /** Any program as the task's workers (`strategy` is then ignored): see ExternalWorker. */
    external: ExternalWorker.optional(),
  })
  .strict()

export const Scenario = z
  .object({
    name: z.string().min(1).max(80),
    description: z.string().optional(),
    zookeeper: ZooKeeperOptions.default({ mode: 'standalone', tickTimeMs: 500 }),
    tasks: z.array(ScenarioTask).min(1),
    steps: z.array(StepSchema).default([]),
    /** Invariants the run must keep; checked at the end (default: all). A violation fails the run. */
    expect: z.union([z.literal('all'), z.literal('none'), z.array(Invariant)]).default('all'),
  })
  .strict()
  .superRefine((s, ctx) => {
    const names = s.tasks.map((t) => t.name)
    names.forEach((n, i) => {
      if (names.indexOf(n) !== i) ctx.addIssue({ code: 'custom', message: `task ${n} is listed twice`, path: ['tasks', i, 'name'] })
    })
    // ZooKeeper grants session timeouts between 2 and 20 ticks; outside that range it silently changes them.
    const tick = s.zookeeper.tickTimeMs
    s.tasks.forEach((t, i) => {
      if (t.sessionTimeoutMs < 2 * tick || t.sessionTimeoutMs > 20 * tick) {
        ctx.addIssue({
          code: 'custom',
          message: `sessionTimeoutMs ${t.sessionTimeoutMs} is outside what ZooKeeper grants with tickTimeMs ${tick} (${2 * tick}–${20 * tick})`,
          path: ['tasks', i, 'sessionTimeoutMs'],
        })
      }
    })
  })
export type Scenario = z.output<typeof Scenario>

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
