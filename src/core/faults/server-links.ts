import { NetworkThread } from './network-thread.js'

/**
 * A new leader opens its quorum port a few ms after it wins; a follower that dials it directly is
 * refused and dials again. Through a proxy the follower's dial is already accepted, so the proxy does
 * the dialling again for this long (ZooKeeper's learner retries for about as long).
 */
const RETRY_REFUSED_MS = 2000

/** A server's own quorum and election ports (where it listens). */
export interface PeerPorts {
  quorum: number
  election: number
}

/** One direction between two ensemble servers (myids): messages from `from` to `to`. */
export interface DirectedLink {
  from: number
  to: number
}

/** What the journal and the app show of a link: cut one way or the other, both, or neither. */
export interface LinkState {
  a: number
  b: number
  /** Messages from a to b are lost. */
  aToB: boolean
  /** Messages from b to a are lost. */
  bToA: boolean
}

/**
 * The paths between the servers of a local ensemble. Each server reaches each peer through a proxy
 * of its own (server X's zoo.cfg lists server Y at the proxy X→Y), so any link can be cut, one way
 * or both, without root, while the clients' ports stay direct. The proxies run on the lab's network
 * thread next to the workers'.
 *
 * A TCP connection between X and Y goes through X→Y's proxy if X opened it (a follower to its leader,
 * the larger myid in an election) and through Y→X's otherwise; bytes from X to Y travel upstream in
 * the first and downstream in the second. Cutting "X to Y" holds back both.
 */
export class ServerLinks {
  private readonly networks = new Map<string, number>()
  private readonly ports = new Map<string, PeerPorts>()
  private cuts = new Set<string>()
  private closed = false

  private constructor(
    private readonly thread: NetworkThread,
    readonly size: number,
  ) {}

  /** Opens a proxy pair (quorum, election) for every ordered pair of servers. */
  static async open(thread: NetworkThread, servers: PeerPorts[]): Promise<ServerLinks> {
    const links = new ServerLinks(thread, servers.length)
    try {
      for (const [i] of servers.entries()) {
        for (const [j, target] of servers.entries()) {
          if (i === j) continue
          const key = linkKey(i + 1, j + 1)
          const { network, ports } = await thread.open(`zk-${i + 1}→zk-${j + 1}`, [
            { host: '127.0.0.1', port: target.quorum },
            { host: '127.0.0.1', port: target.election },
          ])
          links.networks.set(key, network)
          links.ports.set(key, { quorum: ports[0], election: ports[1] })
        }
      }
      // Y dials X back where X→Y's proxy says: at Y→X's proxy, so the call back can be cut too.
      for (const [key, network] of links.networks) {
        const [from, to] = key.split('>').map(Number)
        await thread.serverLink(network, [undefined, `127.0.0.1:${links.route(to, from).election}`], RETRY_REFUSED_MS)
      }
    } catch (err) {
      await links.close()
      throw err
    }
    return links
  }

  /** Where server `from` is told server `to` listens (its proxy to it). */
  route(from: number, to: number): PeerPorts {
    const ports = this.ports.get(linkKey(from, to))
    if (!ports) throw new Error(`There is no link from zk-${from} to zk-${to} in a ${this.size}-server ensemble.`)
    return ports
  }

  /** The directions cut right now, as unordered pairs. */
  state(): LinkState[] {
    const out: LinkState[] = []
    for (let a = 1; a <= this.size; a++) {
      for (let b = a + 1; b <= this.size; b++) {
        out.push({ a, b, aToB: this.cuts.has(linkKey(a, b)), bToA: this.cuts.has(linkKey(b, a)) })
      }
    }
    return out
  }

  /** True when some direction is cut. */
  get partitioned(): boolean {
    return this.cuts.size > 0
  }

  /**
   * Puts exactly these cut directions in force (every other link heals): resolves once every proxy
   * that changes has. Links whose state does not change are left alone, so their connections live on.
   */
  async set(cuts: DirectedLink[]): Promise<void> {
    if (this.closed) throw new Error('The ensemble links are closed (the session ended).')
    for (const { from, to } of cuts) this.route(from, to)
    const next = new Set(cuts.map((c) => linkKey(c.from, c.to)))
    const lost = (set: Set<string>, from: number, to: number) => set.has(linkKey(from, to))
    const changed: Array<[number, number]> = []
    for (let a = 1; a <= this.size; a++) {
      for (let b = a + 1; b <= this.size; b++) {
        if (lost(this.cuts, a, b) !== lost(next, a, b) || lost(this.cuts, b, a) !== lost(next, b, a))
          changed.push([a, b])
      }
    }
    this.cuts = next
    // On X→Y's proxy, upstream carries X's bytes to Y and downstream Y's to X.
    await Promise.all(
      changed.flatMap(([a, b]) => [
        this.apply(a, b, lost(next, a, b), lost(next, b, a)),
        this.apply(b, a, lost(next, b, a), lost(next, a, b)),
      ]),
    )
  }

  async close(): Promise<void> {
    this.closed = true
    const networks = [...this.networks.values()]
    this.networks.clear()
    await Promise.all(networks.map((n) => this.thread.close(n).catch(() => {})))
  }

  /** Puts one proxy's cut in force: the upstream and downstream held as asked, healed first. */
  private async apply(from: number, to: number, holdUp: boolean, holdDown: boolean): Promise<void> {
    const network = this.networks.get(linkKey(from, to))
    if (network === undefined) return
    await this.thread.apply(network, { fault: 'heal' })
    if (!holdUp && !holdDown) return
    const direction = holdUp && holdDown ? 'both' : holdUp ? 'upstream' : 'downstream'
    await this.thread.apply(network, { fault: 'partition', direction })
  }
}

function linkKey(from: number, to: number): string {
  return `${from}>${to}`
}
