/**
 * The source's binlog as a queue of whole transactions, over @vlasky/zongji. zongji leaves three
 * things to its user, done here: it does not reconnect (on an error this stops the instance and starts
 * a new one from the last transaction it delivered, with a growing delay), it does not ask for
 * heartbeats (set on its connection at 'ready', so a silent stall is noticed and restarted), and a
 * stopped instance may still deliver events it had received (every handler checks it is the current one).
 */
import ZongJi from '@vlasky/zongji'
import { TransactionAssembler, type BinlogEventLike, type StreamedTransaction } from './transactions.js'

export interface SourceAddress {
  host: string
  port: number
  user: string
  password: string
}

/** What the stream reports: `started` when zongji is ready, `error` before each restart, `stopped` on stop(). */
export interface StreamReport {
  state: 'started' | 'error' | 'stopped'
  /** The position it (re)starts after, or stopped at ('' = the start of the binlog). */
  gtid: string
  message?: string
  /** error: the how-many-th failure in a row, and the delay before the restart. */
  attempt?: number
  retryInMs?: number
}

export interface StreamTiming {
  /** The heartbeat period asked of the server. */
  heartbeatMs: number
  /** No event nor heartbeat for this long after 'ready' counts as a failure. */
  stallMs: number
  /** Restart delays: first, doubled per failure in a row, capped. */
  retryMs: number
  maxRetryMs: number
}

/**
 * Backpressure: past this many queued transactions the binlog connection is paused (the server's
 * dump thread then waits on the socket), and resumed once the worker has taken the queue down to a
 * tenth of it. A catch-up far behind then holds a bounded buffer, not the whole backlog.
 */
const QUEUE_HIGH = 5000
const QUEUE_LOW = QUEUE_HIGH / 10

const DEFAULT_TIMING: StreamTiming = { heartbeatMs: 1000, stallMs: 5000, retryMs: 200, maxRetryMs: 3000 }

const EVENTS = ['mariadbgtid', 'tablemap', 'writerows', 'updaterows', 'deleterows', 'xid', 'query', 'heartbeat']

/** `host:port` → its parts (the worker-launch codec has already checked the shape). */
export function sourceAddress(source: string, user: string, password: string): SourceAddress {
  const at = source.lastIndexOf(':')
  return { host: source.slice(0, at), port: Number(source.slice(at + 1)), user, password }
}

/** A replica's server id must be unique among the source's dump threads: one per stream instance. */
const replicaServerId = () => 1_000_000 + Math.floor(Math.random() * 1_000_000_000)

export class BinlogStream {
  /** The last transaction queued (or the start): where a restart resumes after. */
  position = ''
  private zongji: ZongJi | undefined
  private readonly assembler = new TransactionAssembler()
  private queue: StreamedTransaction[] = []
  private wake: (() => void) | undefined
  private failures = 0
  private lastHeard = 0
  private ready = false
  private paused = false
  private retryTimer: NodeJS.Timeout | undefined
  private watchdog: NodeJS.Timeout | undefined
  private readonly timing: StreamTiming

  constructor(
    private readonly source: SourceAddress,
    private readonly report: (r: StreamReport) => void,
    timing: Partial<StreamTiming> = {},
  ) {
    this.timing = { ...DEFAULT_TIMING, ...timing }
  }

  get running(): boolean {
    return this.zongji !== undefined || this.retryTimer !== undefined
  }

  /** (Re)starts streaming after `after`, dropping whatever was queued. */
  start(after: string): void {
    this.halt()
    this.position = after
    this.queue = []
    this.failures = 0
    this.open()
  }

  /** Stops streaming and drops the queue; a waiting next() resolves with nothing. */
  stop(): void {
    const was = this.running
    this.halt()
    this.queue = []
    this.wake?.()
    if (was) this.report({ state: 'stopped', gtid: this.position })
  }

  /** The next whole transaction, or undefined after `waitMs` (or at once when stopped). */
  async next(waitMs: number): Promise<StreamedTransaction | undefined> {
    if (this.queue.length === 0 && this.running && waitMs > 0) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, waitMs)
        function done() {
          clearTimeout(timer)
          resolve()
        }
        this.wake = done
      })
      this.wake = undefined
    }
    const tx = this.queue.shift()
    if (this.paused && this.queue.length <= QUEUE_LOW) this.flow(true)
    return tx
  }

  /** Pauses or resumes reading the binlog connection (the watchdog does not count a pause as a stall). */
  private flow(on: boolean): void {
    this.paused = !on
    this.lastHeard = Date.now()
    const connection = this.zongji?.connection
    if (on) connection?.resume()
    else connection?.pause()
  }

  private open(): void {
    const zongji = new ZongJi({
      host: this.source.host,
      port: this.source.port,
      user: this.source.user,
      password: this.source.password,
      connectTimeout: 5000,
    })
    this.zongji = zongji
    this.ready = false
    this.paused = false
    this.assembler.reset()
    const current = () => this.zongji === zongji
    zongji.on('ready', () => {
      if (!current()) return
      this.ready = true
      this.failures = 0
      this.lastHeard = Date.now()
      // Queued ahead of the dump command on the same connection; MariaDB reads it in nanoseconds.
      const ns = BigInt(this.timing.heartbeatMs) * 1_000_000n
      zongji.connection?.query(`SET @master_heartbeat_period=${ns}`, () => {})
      this.report({ state: 'started', gtid: this.position })
    })
    zongji.on('binlog', (event: BinlogEventLike) => {
      if (!current()) return
      this.lastHeard = Date.now()
      const tx = this.assembler.push(event)
      if (!tx) return
      this.queue.push(tx)
      this.position = tx.gtid
      if (this.queue.length >= QUEUE_HIGH && !this.paused) this.flow(false)
      this.wake?.()
    })
    zongji.on('error', (err: unknown) => {
      if (current()) this.fail(err instanceof Error ? err.message : String(err))
    })
    this.watchdog = setInterval(() => {
      if (current() && this.ready && !this.paused && Date.now() - this.lastHeard > this.timing.stallMs)
        this.fail(`no event nor heartbeat for ${this.timing.stallMs} ms`)
    }, this.timing.heartbeatMs)
    zongji.start({ gtidSet: this.position, serverId: replicaServerId(), includeEvents: EVENTS })
  }

  private fail(message: string): void {
    this.halt()
    this.failures++
    const retryInMs = Math.min(this.timing.maxRetryMs, this.timing.retryMs * 2 ** (this.failures - 1))
    this.report({ state: 'error', gtid: this.position, message, attempt: this.failures, retryInMs })
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined
      this.open()
    }, retryInMs)
  }

  /** Ends the current instance (its late events are ignored) and any pending restart; keeps the queue. */
  private halt(): void {
    clearTimeout(this.retryTimer)
    this.retryTimer = undefined
    clearInterval(this.watchdog)
    this.watchdog = undefined
    const zongji = this.zongji
    this.zongji = undefined
    if (zongji) {
      try {
        zongji.stop()
      } catch {
        // already torn down by its own error
      }
    }
  }
}
