/**
 * The shape of an exported history, as Jepsen's checkers read it: a flat list of operation maps, each an
 * invocation or its completion (`ok`, `fail`, `info` when the outcome is unknown), keyed by `process`.
 * Followed: elle-cli's README (its JSON input: "a series of operation maps, or a single vector" with
 * `type`, `f`, `process`, `time`, `value`, `index`) and Knossos's own histories (`cas` takes
 * `[expected new]`, `read` is invoked with `null`, a `mutex` has `acquire`/`release` without values).
 * The zod schema is the documented format, so tests and readers can check a file against it.
 */
import { z } from 'zod'

/** A register value: lastCommit's data (a number when it is all digits), or null when the node is absent. */
export const RegisterValue = z.union([z.number(), z.string(), z.null()])
export type RegisterValue = z.infer<typeof RegisterValue>

const Common = {
  type: z.enum(['invoke', 'ok', 'fail', 'info']),
  /** One number per worker; a worker gets a fresh one after an `info` (Jepsen: a crashed process never returns). */
  process: z.number().int().nonnegative(),
  /** Nanoseconds since the session began. */
  time: z.number().int().nonnegative(),
  /** Position in the history, from 0. */
  index: z.number().int().nonnegative(),
  /** Not read by the checkers: who it was (`worker-task01-2`, `publisher-1`, `unknown session 0x…`). */
  worker: z.string(),
  /** Not read by the checkers: the write's transaction id in ZooKeeper's log, when it has one. */
  zxid: z.string().optional(),
}

export const RegisterOp = z.discriminatedUnion('f', [
  z.object({ ...Common, f: z.literal('write'), value: RegisterValue }),
  z.object({ ...Common, f: z.literal('cas'), value: z.tuple([RegisterValue, RegisterValue]) }),
  z.object({ ...Common, f: z.literal('read'), value: RegisterValue }),
])
export type RegisterOp = z.infer<typeof RegisterOp>

export const MutexOp = z.object({ ...Common, f: z.enum(['acquire', 'release']) })
export type MutexOp = z.infer<typeof MutexOp>

export const RegisterHistory = z.array(RegisterOp)
export const MutexHistory = z.array(MutexOp)
export type JepsenOp = RegisterOp | MutexOp

/**
 * One operation before it is numbered and placed: who did it, when it was invoked and completed (ms,
 * the lab's clock) and how it ended. The exporters turn a list of these into a Jepsen history.
 */
export interface Operation {
  /** The process it belongs to (worker name, or another writer's label). */
  actor: string
  /** The worker's number within its task, when it has one. */
  actorId?: number
  f: 'write' | 'cas' | 'read' | 'acquire' | 'release'
  /** The invocation's value (a read's is null) and, for `ok`, the completion's (a read's result). */
  value?: RegisterValue | [RegisterValue, RegisterValue]
  result?: RegisterValue
  invokedAt: number
  completedAt: number
  outcome: 'ok' | 'fail' | 'info'
  zxid?: string
}
