/**
 * The scenario format: a ZooKeeper, tasks with their workers, and steps run in order. Written as
 * YAML or JSON; every error names the field it is about (`steps[2].timeoutMs: …`).
 */
import { z } from 'zod'
import { Strategy, TaskName, ZooKeeperOptions } from './api.js'

/** Which worker a fault hits: the current primary, a standby, a random live worker, or worker N. */
export const WorkerTarget = z.union([
  z.enum(['primary', 'standby', 'random']),
  z.number().int().min(1),
  z.string().regex(/^worker-[A-Za-z0-9._-]+-\d+$/, 'a worker name like worker-task01-2'),
])
export type WorkerTarget = z.infer<typeof WorkerTarget>

const Timeout = z.number().int().min(100).max(3_600_000)

const Common = { task: TaskName.optional(), note: z.string().optional() }

const WaitFor = z
  .object({
    /** primary: a live primary exists; failover: a new primary has committed after the last fault; commits: n more commits. */
    waitFor: z.enum(['primary', 'failover', 'commits']),
    count: z.number().int().min(1).max(100_000).optional(),
    timeoutMs: Timeout.default(60_000),
    ...Common,
  })
  .strict()

const Kill = z.object({ kill: WorkerTarget, ...Common }).strict()
const Stop = z.object({ stop: WorkerTarget, ...Common }).strict()

/** Starts a stopped or crashed worker again (same id, new session): it rejoins as a standby. */
const Restart = z.object({ restart: z.union([z.literal('faulted'), WorkerTarget]), ...Common }).strict()

const Sleep = z.object({ sleep: z.number().int().min(0).max(3_600_000), ...Common }).strict()

export type Step =
  | z.output<typeof WaitFor>
  | { kill: WorkerTarget; task?: string; note?: string }
  | { stop: WorkerTarget; task?: string; note?: string }
  | z.output<typeof Sleep>
  | { restart: WorkerTarget | 'faulted'; task?: string; note?: string }
  | { repeat: number; steps: Step[]; note?: string }

const ACTIONS = ['waitFor', 'kill', 'stop', 'restart', 'sleep', 'repeat'] as const

/** Each step is an object with exactly one action key; validate it by that key so errors are precise. */
export const StepSchema: z.ZodType<Step> = z.lazy(() =>
  z.unknown().transform((value, ctx): Step => {
    if (!value || typeof value !== 'object' || Array.isArray(value)) {
      ctx.addIssue({ code: 'custom', message: `a step is an object with one of: ${ACTIONS.join(', ')}` })
      return z.NEVER
    }
    const keys = ACTIONS.filter((a) => a in value)
    if (keys.length !== 1) {
      ctx.addIssue({
        code: 'custom',
        message: keys.length === 0 ? `a step needs one of: ${ACTIONS.join(', ')}` : `a step has one action, not ${keys.join(' and ')}`,
      })
      return z.NEVER
    }
    const schema = { waitFor: WaitFor, kill: Kill, stop: Stop, restart: Restart, sleep: Sleep, repeat: Repeat }[keys[0]]
    const parsed = schema.safeParse(value)
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

export const ScenarioTask = z
  .object({
    name: TaskName,
    workers: z.number().int().min(1).max(50),
    strategy: Strategy.default('seed'),
    commitIntervalMs: z.number().int().min(50).max(60_000).default(1000),
    sessionTimeoutMs: z.number().int().min(1000).max(120_000).default(4000),
  })
  .strict()

export const Scenario = z
  .object({
    name: z.string().min(1).max(80),
    description: z.string().optional(),
    zookeeper: ZooKeeperOptions.default({ mode: 'standalone', tickTimeMs: 500 }),
    tasks: z.array(ScenarioTask).min(1),
    steps: z.array(StepSchema).default([]),
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
