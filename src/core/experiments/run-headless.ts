import type { Scenario } from '../../shared/scenario.js'
import { Lab } from '../lab.js'
import { runScenarioInLab, type RunOptions, type RunResult } from './run-scenario.js'

/** `zklab run`: a lab of its own for one scenario, gone with every process when the run ends. */
export async function runScenario(scenario: Scenario, options: RunOptions = {}): Promise<RunResult> {
  const lab = new Lab()
  try {
    return await runScenarioInLab(lab, scenario, options)
  } finally {
    await lab.dispose()
  }
}
