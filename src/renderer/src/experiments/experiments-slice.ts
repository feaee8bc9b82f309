import type { ScenarioSummary, Strategy, StrategyInfo } from '../../../shared/api.js'
import type { LabState, ViolationView } from '../../../shared/lab-state.js'
import type { Slice } from '../app/store.js'
import type { FailoverBreakdownView } from './checker-model.js'

/** Where the lab's current session is: open, being closed (processes stopping, grading), or closed. */
export type SessionPhase = 'open' | 'closing' | 'closed'

/** A scenario step as it was reached, for the run's progress list. */
export interface StepSeen {
  path: string
  /** The step's own definition, described (`waitFor: failover`). */
  text?: string
  time: number
}

/** A finished run, remembered across sessions so runs can be compared (seed against recipe). */
export interface RunRecord {
  sessionDir: string
  scenario: string
  strategy?: string
  /** The seed its random choices came from (`zklab run --seed` replays them). */
  seed?: number
  startedAt: number
  durationMs?: number
  ok: boolean
  error?: string
  /** Final verdicts: how many failed, of how many. */
  failedVerdicts: number
  verdicts: number
  violations: number
  failovers: number
  /** Median ms from the fault to the new primary, over the run's failovers. */
  medianNewPrimaryMs?: number
}

export interface ExperimentsSlice {
  /** The session's scenario (LabState.scenario), copied when it changes. */
  scenario?: LabState['scenario']
  scenarioSteps: StepSeen[]
  /** When the scenario's result came (its steps ended). */
  scenarioEndedAt?: number
  /** Found live by the checker. */
  violations: ViolationView[]
  /** Final verdicts, once the session has closed. */
  verdicts?: LabState['verdicts']
  /** The failover breakdown of the final report. */
  checkFailovers?: FailoverBreakdownView[]
  sessionPhase: SessionPhase
  /** When the session closed: durations that ran to "now" stop there. */
  sessionClosedAt?: number
  /** The bundled scenarios (listScenarios), loaded when the experiments view first opens. */
  scenarios?: ScenarioSummary[]
  scenariosError?: string
  /** Every strategy with whether it runs here (listStrategies), loaded once for the pickers. */
  strategies?: StrategyInfo[]
  strategiesError?: string
  /** A run asked for whose session has not started yet (the previous one is being closed). */
  pendingRun?: { name: string; strategy?: Exclude<StrategyChoice, 'default'>; since: number }
  /** Finished runs of this window, newest first; kept across sessions. */
  runs: RunRecord[]
  /** The scenario and strategy chosen in the picker (kept while the view is closed and across sessions). */
  chosenScenario?: string
  runStrategy: StrategyChoice
  setPendingRun(run: ExperimentsSlice['pendingRun']): void
  chooseScenario(name: string): void
  setRunStrategy(strategy: StrategyChoice): void
}

/** A run's strategy override: none (each task's own), one strategy (the lab's or a peer) for every task, or an external program. */
export type StrategyChoice = 'default' | Strategy | 'external'

/** Runs remembered in the list. */
export const MAX_RUNS = 20

/** What a new session starts from (everything here but the scenario list and past runs). */
export function emptySessionExperiments(): Pick<
  ExperimentsSlice,
  | 'scenario'
  | 'scenarioSteps'
  | 'scenarioEndedAt'
  | 'violations'
  | 'verdicts'
  | 'checkFailovers'
  | 'sessionPhase'
  | 'sessionClosedAt'
> {
  return {
    scenario: undefined,
    scenarioSteps: [],
    scenarioEndedAt: undefined,
    violations: [],
    verdicts: undefined,
    checkFailovers: undefined,
    sessionPhase: 'open',
    sessionClosedAt: undefined,
  }
}

export const createExperimentsSlice: Slice<ExperimentsSlice> = (set) => ({
  ...emptySessionExperiments(),
  runs: [],
  runStrategy: 'default',
  setPendingRun: (pendingRun) => set({ pendingRun }),
  chooseScenario: (chosenScenario) => set({ chosenScenario }),
  setRunStrategy: (runStrategy) => set({ runStrategy }),
})
