/** What every task-worker strategy gets from the entry point, and what it must provide. */
import type { TaskWorkerSettings } from '../../shared/worker-launch/index.js'
import type { Emitter } from '../common/emitter.js'
import type { TaskPaths } from '../common/paths.js'

export interface StrategyContext {
  /** The task worker's command line, decoded by the worker-launch codec. */
  options: TaskWorkerSettings
  paths: TaskPaths
  emit: Emitter['emit']
}

/** A strategy runs until the process ends; it reports through ctx.emit and exits the process itself. */
export type Strategy = (ctx: StrategyContext) => Promise<void>
