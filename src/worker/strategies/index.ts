/** The task-worker strategies by name: `seed` (the blog post's program, flaws kept) and `recipe` (done right). */
import { recipeStrategy } from './recipe.js'
import { seedStrategy } from './seed.js'
import type { Strategy } from './types.js'

export const strategies = {
  seed: seedStrategy,
  recipe: recipeStrategy,
} as const satisfies Record<string, Strategy>

export type StrategyName = keyof typeof strategies
export const strategyNames = Object.keys(strategies) as [StrategyName, ...StrategyName[]]
