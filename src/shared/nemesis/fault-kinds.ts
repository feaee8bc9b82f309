/**
 * Every fault a nemesis can pick, in one table: what it can hit, the targets it takes when the step
 * names none, and the scenario steps that apply it to one target for a while and undo it. Those
 * steps run through the step runner like any written by hand, so a fault behaves (and is journalled)
 * the same whether a person or the nemesis chose it. A new kind of fault is one entry here (and its
 * step in the scenario format).
 */
import type { Step } from '../scenario.js'
import { between, type Random } from './random.js'

/** What a fault can hit: a worker (its process or its link) or a ZooKeeper server. */
export type FaultTargetClass = 'worker' | 'server'

export interface NemesisFaultKind {
  hits: readonly FaultTargetClass[]
  /** When the nemesis step lists no targets. */
  defaultTargets: readonly string[]
  /**
   * The steps that hit `target` (a worker's or server's name, resolved already) for `durationMs` and
   * undo it. Any extra choice (a latency) is drawn from `random` when the schedule is planned.
   */
  steps(target: string, durationMs: number, random: Random): Step[]
}

const WORKERS = ['primary', 'random'] as const

export const NEMESIS_FAULTS = {
  /** SIGKILL, restarted after the duration (a worker rejoins as a standby). */
  kill: {
    hits: ['worker', 'server'],
    defaultTargets: WORKERS,
    steps: (target, durationMs) => [{ kill: target }, { sleep: durationMs }, { restart: target }],
  },
  /** SIGTERM, restarted after the duration. */
  stop: {
    hits: ['worker', 'server'],
    defaultTargets: WORKERS,
    steps: (target, durationMs) => [{ stop: target }, { sleep: durationMs }, { restart: target }],
  },
  /** SIGSTOP, resumed after the duration. */
  pause: {
    hits: ['worker', 'server'],
    defaultTargets: WORKERS,
    steps: (target, durationMs) => [{ pause: target, for: durationMs }],
  },
  /** The worker's link blackholed, healed after the duration. */
  partition: {
    hits: ['worker'],
    defaultTargets: WORKERS,
    steps: (target, durationMs) => [{ partition: target, for: durationMs }],
  },
  /** 100–1000 ms more latency (a quarter of it as jitter) on the worker's link, for the duration. */
  slow: {
    hits: ['worker'],
    defaultTargets: WORKERS,
    steps: (target, durationMs, random) => {
      const latencyMs = between(random, 100, 1000)
      return [{ slow: target, latencyMs, jitterMs: Math.round(latencyMs / 4), for: durationMs }]
    },
  },
  /** The worker's connections reset; instant (the duration is the quiet time after it). */
  reset: {
    hits: ['worker'],
    defaultTargets: WORKERS,
    steps: (target, durationMs) => [{ reset: target }, { sleep: durationMs }],
  },
  /** A ZooKeeper server stopped and started again at once (the duration is the quiet time after it). */
  restart: {
    hits: ['server'],
    defaultTargets: ['zk-leader'],
    steps: (target, durationMs) => [{ restart: target }, { sleep: durationMs }],
  },
} as const satisfies Record<string, NemesisFaultKind>

export type NemesisFault = keyof typeof NEMESIS_FAULTS
export const NEMESIS_FAULT_KINDS = Object.keys(NEMESIS_FAULTS) as [NemesisFault, ...NemesisFault[]]
