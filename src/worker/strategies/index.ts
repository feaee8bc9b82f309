/** The task-worker strategies by name: `seed` (the blog post's program, flaws kept) and `recipe` (done right). */
import { recipeStrategy } from './recipe.js'
import { seedStrategy } from './seed.js'
import type { TaskWorkerStrategy as StrategyName } from '../../shared/worker-launch/index.js'
import type { Strategy } from './types.js'

/** One program per strategy name the worker-launch codec accepts. */
export const strategies = {
  seed: seedStrategy,
  recipe: recipeStrategy,
} as const satisfies Record<StrategyName, Strategy>
