import type { ZkServerView } from '../../../shared/lab-state.js'
import type { ZkStats } from './cluster-slice.js'
import { isServingMode, majorityOf } from '../../../shared/zk-ensemble.js'

export { summarizeCuts } from '../../../shared/zk-ensemble.js'

/**
 * A server's mode as of now: only a server that is up has one (a dead leader's last `srvr` still
 * says leader). The reducer's mode follows both zk.mode and zk.stats, so it is the freshest.
 */
export function serverMode(server: ZkServerView, stats?: ZkStats): string | undefined {
  if (server.state !== 'running' && server.state !== 'paused') return undefined
  return server.mode ?? stats?.mode
}

/** The ensemble's leader: a running server whose mode says so (none while an election runs). */
export function findLeader(
  servers: readonly ZkServerView[],
  stats: Readonly<Record<string, ZkStats>> = {},
): ZkServerView | undefined {
  return servers.find((s) => s.state === 'running' && serverMode(s, stats[s.name]) === 'leader')
}

/** An ensemble's quorum as the lab sees it now: how many servers serve, of how many, and whether that is a majority. */
export interface QuorumState {
  size: number
  serving: number
  majority: number
  hasQuorum: boolean
}

/**
 * Serving servers against the ensemble's size (undefined for a standalone server): a server serves
 * while it runs (not paused) in mode leader, follower or standalone.
 */
export function quorumState(
  servers: readonly ZkServerView[],
  stats: Readonly<Record<string, ZkStats>> = {},
): QuorumState | undefined {
  if (servers.length < 2) return undefined
  const serving = servers.filter((s) => s.state === 'running' && isServingMode(serverMode(s, stats[s.name]))).length
  const majority = majorityOf(servers.length)
  return { size: servers.length, serving, majority, hasQuorum: serving >= majority }
}
