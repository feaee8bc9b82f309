import type { ZkServerView } from '../../../shared/lab-state.js'
import type { ZkStats } from './cluster-slice.js'

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
