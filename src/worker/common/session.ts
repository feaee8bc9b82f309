/**
 * A ZooKeeper connection that outlives session expiry: when the server expires the session, the dead
 * client is replaced by a new one with a new session id (what go-zookeeper does on its own, and what the
 * long-running observer and monitor need to rebuild their watches).
 *
 * Events:
 * - 'session' (client, sessionId, replaced): a session is connected; replaced=true after an expiry
 * - 'connected' (client): connected again to the same session after a connection loss
 * - 'connecting' (client): connection lost, the client is retrying with the same session
 * - 'expired' (client): the server expired the session; a new client is on its way
 * - 'closed' (code): the session ended for good (closed by us, or the addon gave up: auth failure)
 */
import { EventEmitter } from 'node:events'
import { connectZk, isTransient, SESSION_EXPIRED_CLOSE, ZkClient, type ZkClientOptions } from './zk.js'

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))

export class StaleClientError extends Error {
  constructor() {
    super('the ZooKeeper session this request belonged to has been replaced')
    this.name = 'StaleClientError'
  }
}

export class Session extends EventEmitter {
  private current: ZkClient | undefined
  private stopped = false
  private waiters: Array<(client: ZkClient) => void> = []

  constructor(private readonly options: ZkClientOptions) {
    super()
  }

  get client(): ZkClient | undefined {
    return this.current
  }

  get sessionId(): string {
    return this.current?.sessionId ?? ''
  }

  /** The first session, within connectTimeoutMs (rejects otherwise). */
  async start(connectTimeoutMs: number): Promise<ZkClient> {
    const client = await connectZk(this.options, connectTimeoutMs)
    this.adopt(client, false)
    return client
  }

  /** Ends the session for good; its ephemeral nodes are removed at once. */
  close(): void {
    this.stopped = true
    this.current?.close()
  }

  /** The current client once it is connected. */
  ready(): Promise<ZkClient> {
    const client = this.current
    if (client && client.state === 'connected') return Promise.resolve(client)
    return new Promise((resolve) => this.waiters.push(resolve))
  }

  /**
   * Runs a request, waiting out connection losses and session replacement: a request that failed
   * because the connection dropped is sent again once a session is connected. Other errors reject.
   */
  async run<T>(op: (client: ZkClient) => Promise<T>): Promise<T> {
    for (;;) {
      const client = await this.ready()
      try {
        return await op(client)
      } catch (err) {
        if (!isTransient(err) || this.stopped) throw err
        await sleep(100) // the failure can arrive just before the 'connecting' notice
      }
    }
  }

  /**
   * Like run, but only on the given client: once that session has been replaced the request is
   * pointless (the owner rebuilds its state for the new session) and it rejects with StaleClientError.
   */
  async runOn<T>(client: ZkClient, op: (client: ZkClient) => Promise<T>): Promise<T> {
    for (;;) {
      if (client !== this.current || client.isClosed) throw new StaleClientError()
      if (client.state !== 'connected') {
        const next = await this.ready()
        if (next !== client) throw new StaleClientError()
      }
      try {
        return await op(client)
      } catch (err) {
        if (!isTransient(err) || this.stopped) throw err
        await sleep(100)
      }
    }
  }

  private adopt(client: ZkClient, replaced: boolean): void {
    this.current = client
    client.on('connecting', () => this.emit('connecting', client))
    client.on('connected', (_id: string, first: boolean) => {
      if (!first) this.emit('connected', client)
      this.flushWaiters(client)
    })
    client.on('closed', (code: number) => {
      if (code === SESSION_EXPIRED_CLOSE && !this.stopped) {
        this.emit('expired', client)
        void this.replace()
      } else {
        this.stopped = true
        this.emit('closed', code)
      }
    })
    this.emit('session', client, client.sessionId, replaced)
    this.flushWaiters(client)
  }

  private async replace(): Promise<void> {
    while (!this.stopped) {
      try {
        // No timeout: the addon keeps retrying until a server answers.
        const client = await connectZk(this.options, 0)
        if (this.stopped) {
          client.close()
          return
        }
        this.adopt(client, true)
        return
      } catch {
        await sleep(500)
      }
    }
  }

  private flushWaiters(client: ZkClient): void {
    if (client.state !== 'connected' || client !== this.current) return
    const waiters = this.waiters
    this.waiters = []
    for (const resolve of waiters) resolve(client)
  }
}
