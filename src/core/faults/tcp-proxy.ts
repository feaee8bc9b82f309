import { createConnection, createServer, type Server, type Socket } from 'node:net'
import type { FaultDirection } from '../../shared/api.js'
import {
  streamsOf,
  type ActiveToxic,
  type NetworkCondition,
  type Stream,
  type Toxic,
  type ToxicKind,
} from './link-toxics.js'
import { ElectionHandshakeRewriter } from './election-handshake.js'
import { ZkHandshakeReader, type ZkHandshake } from './zk-handshake.js'

export type { NetworkCondition } from './link-toxics.js'

/** A ZooKeeper handshake the proxy carried, with the server it forwards to (host:port). */
export type ProxiedHandshake = ZkHandshake & { server: string }

/**
 * Loss on a TCP stream is not missing bytes: TCP retransmits, so the application sees the lost
 * segment (and everything after it, since order is kept) arrive one retransmission timeout late,
 * and the timeout doubles while losses follow each other. Dropping bytes here would corrupt
 * ZooKeeper's framing, which no lossy network does. Linux starts at 200 ms; the cap keeps a run of
 * losses from stalling a lab run for minutes (TCP's own cap is 120 s).
 */
const LOSS_RTO_START_MS = 200
const LOSS_RTO_MAX_MS = 6_400
/** Bandwidth pacing delivers at least every 50 ms' worth of bytes, not a large chunk at its end. */
const PACING_SLOTS_PER_SECOND = 20

/** One direction of a connection: what waits to be delivered, in order. */
interface Pipe {
  queue: { at: number; chunk: Buffer }[]
  timer?: NodeJS.Timeout
  /** When the last queued piece is due: nothing later may be delivered before it. */
  last: number
  /** The retransmission timeout the next lost chunk waits (doubles per consecutive loss). */
  rto: number
}

interface Link {
  client: Socket
  upstream?: Socket
  pipes: Record<Stream, Pipe>
  /** Whether each toxic in force (by id) hits this connection: decided once, by its toxicity. */
  hit: Map<number, boolean>
  /** A partition held this connection: heal resets it. */
  held: boolean
  /** The close of the other side, delayed by a slow-close toxic. */
  closing?: NodeJS.Timeout
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

const newPipe = (): Pipe => ({ queue: [], last: 0, rto: LOSS_RTO_START_MS })

/**
 * A TCP proxy between one worker and one ZooKeeper server, on loopback, through which the lab cuts,
 * slows, throttles or resets that worker's network without root. The worker connects to the proxy;
 * the proxy forwards to ZooKeeper through whatever toxics are in force (see link-toxics.ts).
 */
export class TcpProxy {
  private server: Server | undefined
  private readonly links = new Set<Link>()
  private toxics: ActiveToxic[] = []
  private nextToxic = 1
  private random: () => number = Math.random
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
    return { toxics: this.toxics.map((t) => ({ ...t })) }
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

  /** Loss, jitter and toxicity draw from this seed from now on (default Math.random). */
  reseed(random: () => number): void {
    this.random = random
  }

  /**
   * Puts a toxic in force on the streams named, replacing one of the same kind there. Connections
   * open now and later each decide once, with probability `toxicity`, whether it hits them.
   */
  addToxic(toxic: Toxic, direction: FaultDirection = 'both', toxicity = 1): void {
    const streams = streamsOf(direction)
    this.toxics = this.toxics.filter((t) => !(t.kind === toxic.kind && streams.includes(t.stream)))
    for (const stream of streams) this.toxics.push({ ...toxic, stream, toxicity, id: this.nextToxic++ })
    if (toxic.kind === 'partition') for (const link of this.links) this.holdIfCut(link)
  }

  /** Cuts the link (both ways by default): nothing flows that way until heal(); new connections hang. */
  partition(direction: FaultDirection = 'both', toxicity = 1): void {
    this.addToxic({ kind: 'partition' }, direction, toxicity)
  }

  slow(latencyMs: number, jitterMs = 0, direction: FaultDirection = 'both', toxicity = 1): void {
    this.addToxic(
      { kind: 'latency', latencyMs: Math.max(0, latencyMs), jitterMs: Math.max(0, jitterMs) },
      direction,
      toxicity,
    )
  }

  /**
   * Clears every toxic. Connections a partition held are reset: their peer has given up on them
   * long ago, and replaying stale bytes would be no truer to a real network. Chunks already on their
   * way (a latency's) still arrive.
   */
  heal(): void {
    this.toxics = []
    for (const link of [...this.links]) if (link.held) this.drop(link, true)
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
    const link: Link = {
      client,
      pipes: { up: newPipe(), down: newPipe() },
      hit: new Map(),
      held: false,
      connected: false,
      backlog: [],
    }
    if (this.electionCallback) link.election = new ElectionHandshakeRewriter(this.electionCallback)
    const listener = this.onHandshake
    if (listener) {
      const server = `${this.upstream.host}:${this.upstream.port}`
      link.handshake = new ZkHandshakeReader((handshake) => listener({ ...handshake, server }))
    }
    this.links.add(link)
    client.setNoDelay(true)
    client.on('error', () => this.drop(link, false))
    client.on('close', () => this.sideClosed(link, 'up'))
    // A TCP handshake needs both directions: under a cut either way, the connection is accepted by
    // the kernel but goes nowhere, like a SYN (or its answer) into a blackhole.
    if (this.cut(link, 'up') || this.cut(link, 'down')) {
      link.held = true
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
      for (const chunk of link.backlog.splice(0)) this.transmit(link, chunk, 'up')
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
      if (link.upstream === upstream) this.sideClosed(link, 'down')
    })
    upstream.on('data', (chunk) => this.forward(link, chunk, 'down'))
  }

  /** The toxic of a kind on a stream that hits this connection, if any. */
  private toxicOn<K extends ToxicKind>(
    link: Link,
    stream: Stream,
    kind: K,
  ): Extract<ActiveToxic, { kind: K }> | undefined {
    const toxic = this.toxics.find((t) => t.kind === kind && t.stream === stream)
    if (!toxic) return undefined
    let hit = link.hit.get(toxic.id)
    if (hit === undefined) {
      hit = toxic.toxicity >= 1 || (toxic.toxicity > 0 && this.random() < toxic.toxicity)
      link.hit.set(toxic.id, hit)
    }
    return hit ? (toxic as Extract<ActiveToxic, { kind: K }>) : undefined
  }

  private cut(link: Link, stream: Stream): boolean {
    return this.toxicOn(link, stream, 'partition') !== undefined
  }

  /** Stops reading the side whose bytes a partition holds back; the other way keeps flowing. */
  private holdIfCut(link: Link): void {
    for (const stream of ['up', 'down'] as const) {
      const source = stream === 'up' ? link.client : link.upstream
      if (!this.cut(link, stream)) continue
      link.held = true
      source?.pause()
    }
  }

  private forward(link: Link, chunk: Buffer, stream: Stream): void {
    // A chunk read just before its side was paused: held back like the rest (heal resets the connection).
    if (this.cut(link, stream)) return
    if (stream === 'up' && link.election) {
      chunk = link.election.take(chunk)
      if (link.election.done) link.election = undefined
      if (chunk.length === 0) return
    }
    // Read as the bytes arrive, before any delay: the lab learns of the session when ZooKeeper gives it.
    if (link.handshake) {
      link.handshake.read(stream, chunk)
      if (link.handshake.done) link.handshake = undefined
    }
    if (stream === 'up' && !link.connected) link.backlog.push(chunk)
    else this.transmit(link, chunk, stream)
  }

  /** Sends a chunk on through the toxics in force on its stream. */
  private transmit(link: Link, chunk: Buffer, stream: Stream): void {
    const target = stream === 'up' ? link.upstream : link.client
    if (!target || target.destroyed) return
    const pipe = link.pipes[stream]
    const latency = this.toxicOn(link, stream, 'latency')
    const loss = this.toxicOn(link, stream, 'loss')
    const bandwidth = this.toxicOn(link, stream, 'bandwidth')
    const slicer = this.toxicOn(link, stream, 'slicer')
    if (!latency && !loss && !bandwidth && !slicer && pipe.queue.length === 0) {
      target.write(chunk)
      return
    }
    const now = Date.now()
    let delay = 0
    if (latency) delay += latency.latencyMs + (latency.jitterMs > 0 ? (this.random() * 2 - 1) * latency.jitterMs : 0)
    if (loss && loss.probability > 0 && this.random() < loss.probability) {
      delay += pipe.rto
      pipe.rto = Math.min(pipe.rto * 2, LOSS_RTO_MAX_MS)
    } else {
      pipe.rto = LOSS_RTO_START_MS
    }
    // Never deliver before an earlier chunk: TCP keeps order however the delays vary.
    let at = Math.max(pipe.last, now + Math.max(0, delay))
    const slices = slicer ? split(chunk, slicer.sliceBytes) : [chunk]
    for (const [i, slice] of slices.entries()) {
      if (i > 0 && slicer) at += slicer.sliceDelayMs
      const pieces = bandwidth ? split(slice, Math.ceil(bandwidth.bytesPerSecond / PACING_SLOTS_PER_SECOND)) : [slice]
      for (const piece of pieces) {
        // A paced piece arrives once the link has had time to carry it.
        if (bandwidth) at += (piece.length * 1000) / bandwidth.bytesPerSecond
        pipe.queue.push({ at, chunk: piece })
      }
    }
    pipe.last = at
    this.deliver(pipe, target)
  }

  /** Writes every piece that is due, in order, and waits for the next. */
  private deliver(pipe: Pipe, target: Socket): void {
    if (pipe.timer) return
    const now = Date.now()
    while (pipe.queue.length > 0 && pipe.queue[0].at <= now) {
      const { chunk } = pipe.queue.shift()!
      if (!target.destroyed) target.write(chunk)
    }
    const next = pipe.queue[0]
    if (!next) return
    pipe.timer = setTimeout(() => {
      pipe.timer = undefined
      this.deliver(pipe, target)
    }, next.at - now)
  }

  /** One side closed: the close reaches the other side now, or a slow-close's delay later. */
  private sideClosed(link: Link, stream: Stream): void {
    if (!this.links.has(link) || link.closing) return
    const slowClose = this.toxicOn(link, stream, 'slow-close')
    if (!slowClose) {
      this.drop(link, false)
      return
    }
    link.closing = setTimeout(() => this.drop(link, false), slowClose.delayMs)
  }

  private drop(link: Link, reset: boolean): void {
    if (!this.links.delete(link)) return
    clearTimeout(link.closing)
    for (const pipe of Object.values(link.pipes)) {
      clearTimeout(pipe.timer)
      pipe.queue.length = 0
    }
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

/** Splits a chunk into pieces of at most `size` bytes (views, not copies). */
function split(chunk: Buffer, size: number): Buffer[] {
  if (chunk.length <= size) return [chunk]
  const pieces: Buffer[] = []
  for (let i = 0; i < chunk.length; i += size) pieces.push(chunk.subarray(i, i + size))
  return pieces
}
