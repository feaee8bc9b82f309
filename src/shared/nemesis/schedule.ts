/**
 * A nemesis step's schedule, planned up front from a seed: when each fault comes, which kind, which
 * target, for how long. The same seed and step give the same schedule, so a run can be replayed; the
 * workers a target like `primary` or `random` resolves to depend on the run, and are journalled as
 * each fault is made.
 */
import type { Target } from '../scenario.js'
import { isServerTarget } from '../targets.js'
import { NEMESIS_FAULTS, type FaultTargetClass, type NemesisFault } from './fault-kinds.js'
import { between, pick, seededRandom } from './random.js'

export interface MsRange {
  minMs: number
  maxMs: number
}

/** What a `nemesis` step asks for (the scenario format validates it). */
export interface NemesisSpec {
  /** How long the nemesis runs, ms: faults start while there is time left, each cut to fit. */
  for: number
  faults: readonly NemesisFault[]
  /** The quiet time before each fault. */
  interval: MsRange
  /** How long each fault lasts before it is undone. */
  duration: MsRange
  /** Whom the faults may hit; each kind takes those it can hit (default: its own defaults). */
  targets?: readonly Target[]
}

/** One fault of the schedule. */
export interface NemesisPick {
  /** From 1. */
  index: number
  /** When it is due, ms after the nemesis began, if every fault before it took exactly its duration. */
  atMs: number
  kind: NemesisFault
  /** As the step names it (`primary`, `random`, `zk-leader`, 2, …); resolved when it is made. */
  target: Target
  durationMs: number
  /** Seeds its own choices when it is made: a `random` target's worker, a latency. */
  seed: number
}

/** A schedule stops here, whatever its length: a nemesis is a scenario step, not a load test. */
export const MAX_NEMESIS_FAULTS = 1000

export function targetClass(target: Target): FaultTargetClass {
  return typeof target === 'string' && isServerTarget(target) ? 'server' : 'worker'
}

/** The targets a kind may pick from: the step's that it can hit, or its defaults. */
export function targetsFor(kind: NemesisFault, targets: readonly Target[] | undefined): readonly Target[] {
  const entry = NEMESIS_FAULTS[kind]
  if (!targets) return entry.defaultTargets
  return targets.filter((t) => (entry.hits as readonly FaultTargetClass[]).includes(targetClass(t)))
}

/**
 * The schedule for a spec and a seed. Draws come in a fixed order per fault (interval, kind, target,
 * duration, the fault's own seed), so one seed always gives one schedule.
 */
export function planNemesis(spec: NemesisSpec, seed: number): NemesisPick[] {
  const random = seededRandom(seed)
  const picks: NemesisPick[] = []
  let elapsed = 0
  while (picks.length < MAX_NEMESIS_FAULTS) {
    const interval = between(random, spec.interval.minMs, spec.interval.maxMs)
    if (elapsed + interval >= spec.for) break
    const kind = pick(random, spec.faults)
    const targets = targetsFor(kind, spec.targets)
    if (targets.length === 0) throw new Error(`nemesis: no target in the list can be hit by ${kind}`)
    const target = pick(random, targets)
    const atMs = elapsed + interval
    const durationMs = Math.min(between(random, spec.duration.minMs, spec.duration.maxMs), spec.for - atMs)
    const own = Math.floor(random.next() * 2 ** 32)
    picks.push({ index: picks.length + 1, atMs, kind, target, durationMs, seed: own })
    elapsed = atMs + durationMs
  }
  return picks
}
