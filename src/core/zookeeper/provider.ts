import type { UnsequencedEvent } from '../../shared/events.js'
import type { Supervisor } from '../workers/supervisor.js'
import type { MntrResult, SrvrResult, ZooKeeperMode } from './four-letter-words.js'

/**
 * The one shape every ZooKeeper the lab can run against has: an embedded standalone server, a local
 * ensemble, a Docker container, or an external cluster. Experiments only talk to this.
 */

export type ProviderKind = 'standalone' | 'ensemble' | 'external' | 'docker'

/** `unknown`: an external server the lab has not reached yet. */
export type ServerRunState = 'starting' | 'running' | 'stopped' | 'paused' | 'crashed' | 'unknown'

/** How a server's last run ended. */
export interface ServerExit {
  how: 'stop' | 'kill' | 'crashed'
  code: number | null
  signal: string | null
  at: number
}

export interface ServerInfo {
  /** 1-based; the ensemble's myid. */
  id: number
  /** Process and event source name: `zk-1`. */
  name: string
  host: string
  clientPort: number
  quorumPort?: number
  electionPort?: number
  pid?: number
  state: ServerRunState
  /** Last mode the lab saw from `srvr`; undefined while not serving or not yet asked. */
  mode?: ZooKeeperMode
  dataDir?: string
  lastExit?: ServerExit
  /** From the latest spawn: ms until `ruok` answered, and until `srvr` said it serves. */
  timings?: { listeningMs?: number; servingMs?: number }
}

export interface ServerStatus extends ServerInfo {
  /** False when the server did not answer (stopped, paused, unreachable). */
  reachable: boolean
  srvr?: SrvrResult
  error?: string
}

/** What `start()` waits for: the process to answer `ruok`, or to serve requests (has a quorum). */
export type WaitFor = 'serving' | 'listening' | 'none'

export interface ZooKeeperServerControl {
  readonly id: number
  readonly name: string
  info(): ServerInfo
  start(opts?: { waitFor?: WaitFor }): Promise<void>
  /** SIGTERM, SIGKILL after the grace period: a clean shutdown. */
  stop(graceMs?: number): Promise<void>
  /** SIGKILL: a crash. */
  kill(): Promise<void>
  /** SIGSTOP: the process hangs with its sockets open, like a long GC pause. */
  pause(): void
  resume(): void
  /** Stop, then start on the same data folder and ports: the tree survives. */
  restart(opts?: { waitFor?: WaitFor; graceMs?: number }): Promise<void>
  status(): Promise<ServerStatus>
  metrics(): Promise<MntrResult>
}

export interface ZooKeeperProvider {
  readonly kind: ProviderKind
  /** False for an external ZooKeeper: the lab cannot stop, kill or pause it. */
  readonly controllable: boolean
  /** Starts every server (or checks an external one is reachable); resolves once it serves. */
  start(): Promise<void>
  /** Stops every server the lab started; safe to call twice or after a failed start. */
  stop(graceMs?: number): Promise<void>
  /** For clients: `127.0.0.1:21811` or `127.0.0.1:1,127.0.0.1:2,127.0.0.1:3`. */
  connectString(): string
  /** Snapshot of what the lab knows; no network calls. */
  servers(): ServerInfo[]
  /** One server by id (1-based); throws for an unknown id. */
  server(id: number): ZooKeeperServerControl
  /** Asks every server (`srvr`) and refreshes the snapshot. */
  status(): Promise<ServerStatus[]>
  /** The server that leads (or the standalone server), if one serves now. */
  leader(): Promise<ServerInfo | undefined>
  /** Waits until a quorum serves with a leader (`all`: every server the lab runs serves). */
  waitUntilServing(opts?: { timeoutMs?: number; all?: boolean }): Promise<void>
}

export type Emit = (event: UnsequencedEvent) => void

/** What the lab hands every provider: where to write, who runs processes, where events go. */
export interface ProviderContext {
  sessionDir: string
  supervisor: Supervisor
  emit: Emit
}
