import type { JvmOptions, ZooKeeperLogLevel } from './config.js'
import type { DiscoveryOptions, ZooKeeperInstallation } from './distribution.js'

/** Settings shared by the providers that run ZooKeeper as local Java processes. */
export interface LocalProviderOptions extends DiscoveryOptions, JvmOptions {
  /** Skip discovery (the lab found Java and ZooKeeper already). */
  installation?: ZooKeeperInstallation
  /** ZooKeeper's tick in ms; sessions may time out from 2 ticks on. Default 500. */
  tickTime?: number
  maxSessionTimeoutMs?: number
  /** Default false: see ZooCfgInput.forceSync. */
  forceSync?: boolean
  logLevel?: ZooKeeperLogLevel
  /** Per server, from spawn to serving. Default 90 s: a cold JVM on a loaded 2-core machine. */
  readyTimeoutMs?: number
  /** SIGTERM → SIGKILL grace. Default 5 s. */
  stopGraceMs?: number
  /** Extra zoo.cfg lines. */
  extraConfig?: Record<string, string | number | boolean>
}

export const LOCAL_DEFAULTS = {
  tickTime: 500,
  readyTimeoutMs: 90_000,
  stopGraceMs: 5_000,
  logLevel: 'INFO' as ZooKeeperLogLevel,
}
