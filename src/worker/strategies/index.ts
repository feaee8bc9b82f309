/** The task-worker strategies by name. `recipe` (the corrected recipe) will sit beside `seed`. */
import { seedStrategy } from './seed.js'
import type { Strategy } from './types.js'

export const strategies = {
  seed: seedStrategy,
} as const satisfies Record<string, Strategy>

export type StrategyName = keyof typeof strategies
export const strategyNames = Object.keys(strategies) as [StrategyName, ...StrategyName[]]
