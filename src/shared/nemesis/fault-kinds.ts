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
  /** The worker hears nothing from ZooKeeper (a downstream-only cut), healed after the duration. */
  'one-way': {
    hits: ['worker'],
    defaultTargets: WORKERS,
    steps: (target, durationMs) => [{ partition: target, direction: 'downstream', for: durationMs }],
  },
  /** 10–50 % of the worker's chunks wait a retransmission timeout, for the duration. */
  loss: {
    hits: ['worker'],
    defaultTargets: WORKERS,
    steps: (target, durationMs, random) => [
      { loss: target, probability: between(random, 10, 50) / 100, seed: between(random, 0, 2 ** 31), for: durationMs },
    ],
  },
  /** The worker's link capped at 500–5000 bytes per second, for the duration. */
  bandwidth: {
    hits: ['worker'],
    defaultTargets: WORKERS,
    steps: (target, durationMs, random) => [
      { bandwidth: target, bytesPerSecond: between(random, 500, 5000), for: durationMs },
    ],
  },
  /** The server cut off from every other server of the ensemble (both ways), healed after the duration. */
  isolate: {
    hits: ['server'],
    defaultTargets: ['zk-leader'],
    steps: (target, durationMs) => [{ partitionServers: 'isolate', server: target, for: durationMs }],
  },
  /** The ensemble split into a minority holding the server and a majority, healed after the duration. */
  halves: {
    hits: ['server'],
    defaultTargets: ['zk-leader', 'zk-follower'],
    steps: (target, durationMs) => [{ partitionServers: 'halves', server: target, for: durationMs }],
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
