import { NetworkThread } from './network-thread.js'
import type { NetworkCondition, NetworkFaultSpec } from './link-toxics.js'
import type { ProxiedHandshake } from './tcp-proxy.js'

/** For callers without a lab of their own (tests): one thread shared by their networks. */
let sharedThread: NetworkThread | undefined

/**
 * One worker's path to ZooKeeper: a proxy per server of the connect string, so a fault can cut or
 * slow this worker alone while the others, the monitor and the observer keep a healthy link. The
 * proxies run on the lab's network thread; this is the main thread's handle on them.
 */
export class WorkerNetwork {
  private current: NetworkCondition = { toxics: [] }
  private closing: Promise<void> | undefined

  private constructor(
    readonly worker: string,
    private readonly thread: NetworkThread,
    private readonly network: number,
    private readonly ports: number[],
  ) {}

  /**
   * `onSession` hears of every session ZooKeeper hands this worker, on any of its proxies, with the
   * time the proxy read it (the main thread may hear of it later).
   */
  static async open(
    worker: string,
    connectString: string,
    onSession?: (handshake: ProxiedHandshake, at: number) => void,
    thread: NetworkThread = (sharedThread ??= new NetworkThread()),
  ): Promise<WorkerNetwork> {
    const servers = connectString
      .split('/')[0]
      .split(',')
      .map((hostPort) => {
        const at = hostPort.lastIndexOf(':')
        return { host: hostPort.slice(0, at), port: Number(hostPort.slice(at + 1)) }
      })
    const { network, ports } = await thread.open(worker, servers, onSession)
    return new WorkerNetwork(worker, thread, network, ports)
  }

  /** What the worker is given instead of ZooKeeper's own addresses. */
  get connectString(): string {
    return this.connectStringFor(1)
  }

  /** The connect string with each server listed `repeat` times (as some users configure the seed). */
  connectStringFor(repeat = 1): string {
    const once = this.ports.map((port) => `127.0.0.1:${port}`)
    return Array.from({ length: repeat }, () => once)
      .flat()
      .join(',')
  }

  /** The condition the last applied fault put in force. */
  get condition(): NetworkCondition {
    return this.current
  }

  /** Resolves once the fault is in force on every proxy: record it after, not before. */
  async apply(spec: NetworkFaultSpec): Promise<void> {
    this.current = await this.thread.apply(this.network, spec)
  }

  async close(): Promise<void> {
    this.closing ??= this.thread.close(this.network)
    await this.closing
  }
}
