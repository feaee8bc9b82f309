import { createConnection, createServer, type Server, type Socket } from 'node:net'
import { ElectionHandshakeRewriter } from './election-handshake.js'
import { ZkHandshakeReader, type ZkHandshake } from './zk-handshake.js'

export type NetworkCondition =
  | { kind: 'healthy' }
  /** Blackhole: bytes stop flowing both ways and new connections hang, like a cable pulled. */
  | { kind: 'partitioned' }
  /** Every chunk is delayed by latency ± jitter, in order. */
  | { kind: 'slow'; latencyMs: number; jitterMs: number }

/** A ZooKeeper handshake the proxy carried, with the server it forwards to (host:port). */
export type ProxiedHandshake = ZkHandshake & { server: string }

interface Link {
  client: Socket
  upstream?: Socket
  /** When the next chunk in each direction may be delivered; keeps delayed chunks in order. */
  nextUp: number
  nextDown: number
  /** Reads the connection's first frame each way, then is dropped (absent without a listener). */
  handshake?: ZkHandshakeReader
  /** Rewrites the election address in the first upstream message (server-to-server election links). */
  election?: ElectionHandshakeRewriter
  /** The upstream connection is established; until then the client's bytes wait in `backlog`. */
  connected: boolean
  backlog: Buffer[]
}

/** Between two dials of a refusing upstream. */
const REDIAL_MS = 50

/**
 * A TCP proxy between one worker and one ZooKeeper server, on loopback, through which the lab cuts,
 * slows or resets that worker's network without root. The worker connects to the proxy; the proxy
 * forwards to ZooKeeper while the condition is healthy.
 */
export class TcpProxy {
  private server: Server | undefined
  private readonly links = new Set<Link>()
  private condition: NetworkCondition = { kind: 'healthy' }
  private listenPort = 0

  constructor(
    private readonly upstream: { host: string; port: number },
    private readonly name = 'proxy',
    /** Told of each ZooKeeper session handed out through this proxy (read off the handshake). */
    private readonly onHandshake?: (handshake: ProxiedHandshake) => void,
  ) {}

  /** For a link between ensemble servers' election ports: the address the receiver is to dial back. */
  private electionCallback: string | undefined
  /** How long a refused upstream is dialled again before the client's connection is dropped. */
  private retryRefusedMs = 0

  /**
   * Makes this a link between ensemble servers (new connections only): `electionCallback` for an
   * election port (see election-handshake.ts), `retryRefusedMs` for how long a refusing peer is
   * dialled again.
   */
  asServerLink(opts: { electionCallback?: string; retryRefusedMs: number }): void {
    this.electionCallback = opts.electionCallback
    this.retryRefusedMs = opts.retryRefusedMs
  }

  get port(): number {
    return this.listenPort
  }

  get state(): NetworkCondition {
    return this.condition
  }

  get connections(): number {
    return this.links.size
  }

  async start(port = 0): Promise<number> {
    const server = createServer((client) => this.accept(client))
    this.server = server
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen(port, '127.0.0.1', () => resolve())
    })
    this.listenPort = (server.address() as { port: number }).port
    return this.listenPort
  }

  /** Cuts the link: nothing flows until heal(). Existing connections hang, as in a real partition. */
  partition(): void {
    this.condition = { kind: 'partitioned' }
    for (const link of this.links) {
      link.client.pause()
      link.upstream?.pause()
    }
  }

  /**
   * Ends a partition or a slowdown. Connections that hung through a partition are reset: their peer
   * has given up on them long ago, and replaying stale bytes would be no truer to a real network.
   */
  heal(): void {
    const wasPartitioned = this.condition.kind === 'partitioned'
    this.condition = { kind: 'healthy' }
    if (wasPartitioned) this.resetConnections()
  }

  slow(latencyMs: number, jitterMs = 0): void {
    if (this.condition.kind === 'partitioned') this.resetConnections()
    this.condition = { kind: 'slow', latencyMs: Math.max(0, latencyMs), jitterMs: Math.max(0, jitterMs) }
  }

  /** Resets every connection (RST), as a stateful firewall or a crashed NAT box would. */
  resetConnections(): void {
    for (const link of [...this.links]) this.drop(link, true)
  }

  async close(): Promise<void> {
    for (const link of [...this.links]) this.drop(link, false)
    const server = this.server
    this.server = undefined
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()))
  }

  private accept(client: Socket): void {
    const link: Link = { client, nextUp: 0, nextDown: 0, connected: false, backlog: [] }
    if (this.electionCallback) link.election = new ElectionHandshakeRewriter(this.electionCallback)
    const listener = this.onHandshake
    if (listener) {
      const server = `${this.upstream.host}:${this.upstream.port}`
      link.handshake = new ZkHandshakeReader((handshake) => listener({ ...handshake, server }))
    }
    this.links.add(link)
    client.setNoDelay(true)
    client.on('error', () => this.drop(link, false))
    client.on('close', () => this.drop(link, false))
    if (this.condition.kind === 'partitioned') {
      // The connection is accepted by the kernel but goes nowhere, like a SYN into a blackhole.
      client.pause()
      return
    }
    this.connectUpstream(link)
  }

  private connectUpstream(link: Link): void {
    link.client.on('data', (chunk) => this.forward(link, chunk, 'up'))
    this.dialUpstream(link, Date.now() + this.retryRefusedMs)
  }

  private dialUpstream(link: Link, giveUpAt: number): void {
    const upstream = createConnection({ host: this.upstream.host, port: this.upstream.port })
    link.upstream = upstream
    upstream.setNoDelay(true)
    upstream.once('connect', () => {
      link.connected = true
      for (const chunk of link.backlog.splice(0)) this.deliver(link, chunk, 'up')
    })
    upstream.on('error', (err: NodeJS.ErrnoException) => {
      // The client saw its connection accepted (by the proxy), so a refusal cannot reach it as one:
      // dial again for a while, as a server that finds its new leader not yet listening would.
      if (!link.connected && err.code === 'ECONNREFUSED' && Date.now() < giveUpAt && this.links.has(link)) {
        link.upstream = undefined
        upstream.destroy()
        setTimeout(() => {
          if (this.links.has(link)) this.dialUpstream(link, giveUpAt)
        }, REDIAL_MS)
        return
      }
      this.drop(link, false)
    })
    upstream.on('close', () => {
      if (link.upstream === upstream) this.drop(link, false)
    })
    upstream.on('data', (chunk) => this.forward(link, chunk, 'down'))
  }

  private forward(link: Link, chunk: Buffer, direction: 'up' | 'down'): void {
    if (this.condition.kind === 'partitioned') return
    if (direction === 'up' && link.election) {
      chunk = link.election.take(chunk)
      if (link.election.done) link.election = undefined
      if (chunk.length === 0) return
    }
    // Read as the bytes arrive, before any delay: the lab learns of the session when ZooKeeper gives it.
    if (link.handshake) {
      link.handshake.read(direction, chunk)
      if (link.handshake.done) link.handshake = undefined
    }
    if (direction === 'up' && !link.connected) link.backlog.push(chunk)
    else this.deliver(link, chunk, direction)
  }

  /** Writes a chunk on under the link's condition (now, or after its delay). */
  private deliver(link: Link, chunk: Buffer, direction: 'up' | 'down'): void {
    const target = direction === 'up' ? link.upstream : link.client
    if (!target || this.condition.kind === 'partitioned') return
    if (this.condition.kind === 'healthy') {
      target.write(chunk)
      return
    }
    const { latencyMs, jitterMs } = this.condition
    const delay = latencyMs + (jitterMs > 0 ? (Math.random() * 2 - 1) * jitterMs : 0)
    const key = direction === 'up' ? 'nextUp' : 'nextDown'
    // Never deliver before an earlier chunk: TCP keeps order however the delay varies.
    const at = Math.max(link[key], Date.now() + Math.max(0, delay))
    link[key] = at
    setTimeout(() => {
      if (!target.destroyed) target.write(chunk)
    }, at - Date.now())
  }

  private drop(link: Link, reset: boolean): void {
    if (!this.links.delete(link)) return
    for (const socket of [link.client, link.upstream]) {
      if (!socket || socket.destroyed) continue
      if (reset) socket.resetAndDestroy()
      else socket.destroy()
    }
  }

  toString(): string {
    return `${this.name} 127.0.0.1:${this.listenPort} -> ${this.upstream.host}:${this.upstream.port}`
  }
}
