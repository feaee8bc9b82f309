/**
 * Messages between the lab's main thread and its network thread (network-thread-entry.ts), which
 * hosts every worker's TCP proxies so bytes flow however busy the main thread is.
 */
import type { NetworkCondition, NetworkFaultSpec } from './link-toxics.js'
import type { ProxiedHandshake } from './tcp-proxy.js'

export interface Upstream {
  host: string
  port: number
}

export type NetworkRequest =
  /** Starts one proxy per server for a worker; answered with the proxies' ports. */
  | { op: 'open'; id: number; network: number; worker: string; servers: Upstream[]; readHandshakes: boolean }
  /** Puts a fault in force on every proxy of a network; answered once it is. */
  | { op: 'apply'; id: number; network: number; spec: NetworkFaultSpec }
  | { op: 'close'; id: number; network: number }
  /**
   * Makes a network a link between ensemble servers: a refusing peer is dialled again for
   * `retryRefusedMs`, and each proxy with an address rewrites the election handshake to it (see
   * election-handshake.ts).
   */
  | {
      op: 'server-link'
      id: number
      network: number
      electionCallbacks: Array<string | undefined>
      retryRefusedMs: number
    }

export type NetworkReply =
  | { kind: 'reply'; id: number; ok: true; ports?: number[]; condition?: NetworkCondition }
  | { kind: 'reply'; id: number; ok: false; error: string }
  /** A handshake one of the network's proxies read, with when it read it (ms since the epoch). */
  | { kind: 'session'; network: number; handshake: ProxiedHandshake; at: number }
