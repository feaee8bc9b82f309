import { TcpProxy, type ProxiedHandshake } from './tcp-proxy.js'

export type NetworkFault = 'partition' | 'heal' | 'reset' | 'slow'

/**
 * One worker's path to ZooKeeper: a proxy per server of the connect string, so a fault can cut or
 * slow this worker alone while the others, the monitor and the observer keep a healthy link.
 */
export class WorkerNetwork {
  private constructor(
    readonly worker: string,
    private readonly proxies: TcpProxy[],
  ) {}

  /** `onSession` hears of every session ZooKeeper hands this worker, on any of its proxies. */
  static async open(
    worker: string,
    connectString: string,
    onSession?: (handshake: ProxiedHandshake) => void,
  ): Promise<WorkerNetwork> {
    const servers = connectString
      .split('/')[0]
      .split(',')
      .map((hostPort) => {
        const at = hostPort.lastIndexOf(':')
        return { host: hostPort.slice(0, at), port: Number(hostPort.slice(at + 1)) }
      })
    const proxies = servers.map((server, i) => new TcpProxy(server, `${worker}-zk-${i + 1}`, onSession))
    try {
      await Promise.all(proxies.map((p) => p.start()))
    } catch (err) {
      await Promise.all(proxies.map((p) => p.close()))
      throw err
    }
    return new WorkerNetwork(worker, proxies)
  }

  /** What the worker is given instead of ZooKeeper's own addresses. */
  get connectString(): string {
    return this.connectStringFor(1)
  }

  /** The connect string with each server listed `repeat` times (as some users configure the seed). */
  connectStringFor(repeat = 1): string {
    const once = this.proxies.map((p) => `127.0.0.1:${p.port}`)
    return Array.from({ length: repeat }, () => once)
      .flat()
      .join(',')
  }

  get condition(): TcpProxy['state'] {
    return this.proxies[0]?.state ?? { kind: 'healthy' }
  }

  apply(fault: NetworkFault, latencyMs = 0, jitterMs = 0): void {
    for (const proxy of this.proxies) {
      if (fault === 'partition') proxy.partition()
      else if (fault === 'heal') proxy.heal()
      else if (fault === 'reset') proxy.resetConnections()
      else proxy.slow(latencyMs, jitterMs)
    }
  }

  async close(): Promise<void> {
    await Promise.all(this.proxies.map((p) => p.close()))
  }
}
