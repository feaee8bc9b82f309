/** What every task-worker strategy gets from the entry point, and what it must provide. */
import type { Emitter } from '../common/emitter.js'
import type { TaskPaths } from '../common/paths.js'

export interface WorkerOptions {
  connect: string
  task: string
  workerId: number
  /** ms between two units of work of the primary */
  commitInterval: number
  /** requested ZooKeeper session timeout, ms */
  sessionTimeout: number
  /** file the primary appends one JSON line to per unit of work */
  sink: string
  root: string
  strategy: string
  connectTimeout: number
}

export interface StrategyContext {
  options: WorkerOptions
  paths: TaskPaths
  emit: Emitter['emit']
}

/** A strategy runs until the process ends; it reports through ctx.emit and exits the process itself. */
export type Strategy = (ctx: StrategyContext) => Promise<void>
