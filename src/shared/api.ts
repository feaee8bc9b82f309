/**
 * The Lab API: declared once here, implemented by the core's `Lab` class, and called by every shell
 * (the CLI, Electron's IPC and the browser bridge). Inputs are zod schemas so each shell validates
 * what crosses its boundary with the same rules.
 */
import { z } from 'zod'
import type { LabEvent } from './events.js'
import type { LabState } from './lab-state.js'
import { taskNameProblem } from './task-name.js'

/** Task names become znode names and file names: one rule set, shared with the worker programs. */
export const TaskName = z.string().superRefine((name, ctx) => {
  const problem = taskNameProblem(name)
  if (problem) ctx.addIssue({ code: 'custom', message: problem })
})

export const Strategy = z.enum(['seed'])
export type Strategy = z.infer<typeof Strategy>

export const ZooKeeperOptions = z
  .object({
    /** standalone: one local server; ensemble: 3 or 5 local servers; external: a connect string. */
    mode: z.enum(['standalone', 'ensemble', 'external', 'docker']).default('standalone'),
    servers: z.union([z.literal(3), z.literal(5)]).optional(),
    /** Client port of the (first) server; a free one is picked when absent. */
    port: z.number().int().min(1024).max(65535).optional(),
    /** ZooKeeper's tick; sessions may time out between 2 and 20 ticks. */
    tickTimeMs: z.number().int().min(100).max(10_000).default(500),
    connectString: z.string().min(1).optional(),
    /** An unpacked Apache ZooKeeper to use instead of the one found on the machine. */
    home: z.string().min(1).optional(),
  })
  .strict()
  .refine((o) => o.mode !== 'external' || o.connectString, {
    message: 'an external ZooKeeper needs a connectString (host:port,…)',
    path: ['connectString'],
  })
export type ZooKeeperOptions = z.input<typeof ZooKeeperOptions>

export const WorkerSettings = z
  .object({
    strategy: Strategy.default('seed'),
    /** How often the primary backs up the next id. */
    commitIntervalMs: z.number().int().min(50).max(60_000).default(1000),
    sessionTimeoutMs: z.number().int().min(1000).max(120_000).default(4000),
  })
  .strict()
export type WorkerSettings = z.output<typeof WorkerSettings>

export const CreateSessionInput = z
  .object({
    name: z.string().min(1).max(80).optional(),
    /** Exact folder for the session; otherwise a new folder under sessionsDir. */
    dir: z.string().min(1).optional(),
    sessionsDir: z.string().min(1).optional(),
    scenario: z.string().optional(),
  })
  .strict()
export type CreateSessionInput = z.input<typeof CreateSessionInput>

export const ProcessAction = z.enum(['stop', 'kill', 'pause', 'resume', 'restart'])
export type ProcessAction = z.infer<typeof ProcessAction>

export const ZooKeeperAction = z.enum(['start', 'stop', 'kill', 'pause', 'resume', 'restart'])
export type ZooKeeperAction = z.infer<typeof ZooKeeperAction>

export const TaskInput = z.object({ task: TaskName }).strict()
export const AddWorkersInput = z
  .object({ task: TaskName, count: z.number().int().min(1).max(50).default(1) })
  .extend(WorkerSettings.partial().shape)
  .strict()
export type AddWorkersInput = z.input<typeof AddWorkersInput>
export const ProcessActionInput = z.object({ name: z.string().min(1), action: ProcessAction }).strict()
export const ZooKeeperActionInput = z.object({ server: z.number().int().min(1), action: ZooKeeperAction }).strict()

export interface SessionInfo {
  dir: string
  name: string
  createdAt: number
}

export type Unsubscribe = () => void

export interface LabApi {
  createSession(input: CreateSessionInput): Promise<SessionInfo>
  startZooKeeper(input?: ZooKeeperOptions): Promise<LabState['zookeeper']>
  zooKeeperAction(input: z.input<typeof ZooKeeperActionInput>): Promise<void>
  publishTask(input: z.input<typeof TaskInput>): Promise<void>
  deleteTask(input: z.input<typeof TaskInput>): Promise<void>
  /** Starts `count` workers for a task; returns their process names. */
  addWorkers(input: AddWorkersInput): Promise<string[]>
  removeWorker(input: { name: string }): Promise<void>
  processAction(input: z.input<typeof ProcessActionInput>): Promise<void>
  /** The current state, derived from the journal the same way every view derives it. */
  snapshot(): Promise<LabState>
  /** Events in batches, in journal order. */
  subscribe(listener: (batch: LabEvent[]) => void): Unsubscribe
  closeSession(): Promise<void>
}
