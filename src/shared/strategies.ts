/**
 * The strategies a task can run, as every picker lists them (the app's, `zklab strategies`, the
 * bench's `--strategies`): the lab's own worker's, always there, and the peer programs, there when
 * their toolchain is installed.
 */
import { isPeerStrategy, type Strategy } from './worker-launch/index.js'

export interface StrategyInfo {
  name: Strategy
  /** `lab`: the lab's task worker; `peer`: a well-known program run as it is (an external worker). */
  kind: 'lab' | 'peer'
  description: string
  available: boolean
  /** Why it cannot run here (unavailable only). */
  problem?: string
  /** The command that installs what is missing (unavailable only). */
  install?: string
}

/** One line per strategy: what a run with it shows. */
export const STRATEGY_DESCRIPTIONS: Record<Strategy, string> = {
  seed: "the seed's recipe in the lab's worker, flaws kept: no shutdown handling, herd effect, status flaps",
  recipe: 'the fixed recipe: closes its session on the way out, watches its predecessor, fences',
  'seed-go': "the seed's original Go program on go-zookeeper, unmodified: no Close, panics, its own node names",
  kazoo: "python kazoo's Election recipe, with kazoo's advice on connection states",
  curator: "Apache Curator's LeaderLatch on the JVM, with Curator's connection-state handling",
}

export const strategyKind = (name: Strategy): StrategyInfo['kind'] => (isPeerStrategy(name) ? 'peer' : 'lab')

/** The hint a picker shows for a strategy that cannot run here. */
export function unavailableHint(info: Pick<StrategyInfo, 'problem' | 'install'>): string {
  return `${info.problem ?? 'not available here'}${info.install ? `; install with: ${info.install}` : ''}`
}
