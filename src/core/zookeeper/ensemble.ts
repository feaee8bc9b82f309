import { zooKeeperDataDirs, zooKeeperServerDir } from '../session-folder/index.js'
import { QUORUM_MAIN } from './config.js'
import { discoverZooKeeper } from './distribution.js'
import { ZooKeeperStartError } from './errors.js'
import { LocalServer, writeServerFiles } from './local-server.js'
import { LOCAL_DEFAULTS, type LocalProviderOptions } from './local-options.js'
import { assertPortFree, findFreePorts } from './ports.js'
import type {
  ProviderContext,
  ServerInfo,
  ServerStatus,
  ZooKeeperProvider,
  ZooKeeperServerControl,
} from './provider.js'

export interface EnsemblePorts {
  client: number
  quorum: number
  election: number
}

export interface EnsembleOptions extends LocalProviderOptions {
  /** Number of servers, odd: 3 (tolerates one failure) or 5 (two). Default 3. */
  size?: number
  /** Fixed ports per server; unset: free loopback ports are picked. */
  ports?: EnsemblePorts[]
  /** Client ports from here up (server N gets firstClientPort + N - 1); quorum and election ports are picked. */
  firstClientPort?: number
  initLimit?: number
  syncLimit?: number
  /**
   * Where each server is told its peers listen. Unset: at their own ports. The lab routes every
   * server-to-server link through a proxy of its own here, so links can be cut (faults/server-links.ts).
   */
  routePeers?: (ports: EnsemblePorts[]) => Promise<PeerRoute>
}

/** The quorum and election ports server `from` is to use for server `to`. */
export type PeerRoute = (from: number, to: number) => { quorum: number; election: number }

const POLL_MS = 200

/**
 * 3 or 5 QuorumPeerMain processes on loopback, each with its own folder, myid and ports, each
 * controllable on its own so a lab can kill the leader and watch the election.
 */
export class ZooKeeperEnsemble implements ZooKeeperProvider {
  readonly kind = 'ensemble'
  readonly controllable = true
  private members: LocalServer[] = []

  constructor(
    private readonly ctx: ProviderContext,
    private readonly opts: EnsembleOptions = {},
  ) {
    const size = opts.size ?? 3
    if (!Number.isInteger(size) || size < 3 || size % 2 === 0) {
      throw new Error(`An ensemble needs an odd number of servers, 3 or more (got ${size}); use standalone for one.`)
    }
    if (opts.ports && opts.ports.length !== size) {
      throw new Error(`ports lists ${opts.ports.length} servers but the ensemble has ${size}.`)
    }
  }

  get size(): number {
    return this.opts.size ?? 3
  }

  /** Servers that must serve for the ensemble to serve. */
  get quorum(): number {
    return Math.floor(this.size / 2) + 1
  }

  async start(): Promise<void> {
    if (this.members.length === 0) await this.prepare()
    try {
      // Listening first, so a member that exits at once (a port clash) fails the start with its own log.
      await Promise.all(this.members.map((m) => m.start({ waitFor: 'listening' })))
      await this.waitUntilServing()
    } catch (err) {
      await this.stop().catch(() => {})
      throw err
    }
  }

  async stop(graceMs?: number): Promise<void> {
    await Promise.all(this.members.map((m) => m.stop(graceMs)))
  }

  connectString(): string {
    if (this.members.length === 0) throw new Error('The ensemble has not been started yet.')
    return this.members.map((m) => `127.0.0.1:${m.clientPort}`).join(',')
  }

  servers(): ServerInfo[] {
    return this.members.map((m) => m.info())
  }

  server(id: number): ZooKeeperServerControl {
    const member = this.members.find((m) => m.id === id)
    if (!member) {
      throw new Error(
        this.members.length === 0
          ? 'The ensemble has not been started yet.'
          : `The ensemble has servers 1–${this.size}; there is no server ${id}.`,
      )
    }
    return member
  }

  async status(): Promise<ServerStatus[]> {
    return Promise.all(this.members.map((m) => m.status()))
  }

  async leader(): Promise<ServerInfo | undefined> {
    const statuses = await this.status()
    const leader = statuses.find((s) => s.srvr?.serving && s.srvr.mode === 'leader')
    return leader ? this.server(leader.id).info() : undefined
  }

  /** Bounded polling until a quorum serves under one leader (or, with `all`, every running server serves). */
  async waitUntilServing(opts: { timeoutMs?: number; all?: boolean } = {}): Promise<void> {
    const timeoutMs = opts.timeoutMs ?? this.opts.readyTimeoutMs ?? LOCAL_DEFAULTS.readyTimeoutMs
    const deadline = Date.now() + timeoutMs
    const maxAttempts = Math.ceil(timeoutMs / POLL_MS) + 1
    let statuses: ServerStatus[] = []
    for (let attempt = 0; attempt < maxAttempts && Date.now() < deadline; attempt++) {
      statuses = await this.status()
      const serving = statuses.filter((s) => s.srvr?.serving)
      const leaders = serving.filter((s) => s.srvr?.serving && s.srvr.mode === 'leader')
      const alive = statuses.filter((s) => s.state === 'running' || s.state === 'starting')
      const enough = opts.all
        ? serving.length >= alive.length && alive.length >= this.quorum
        : serving.length >= this.quorum
      if (enough && leaders.length === 1) return
      await new Promise((resolve) => setTimeout(resolve, POLL_MS))
    }
    const alive = statuses.filter((s) => s.state === 'running' || s.state === 'starting').length
    const why = alive < this.quorum ? ` Only ${alive} of ${this.size} servers run; a quorum needs ${this.quorum}.` : ''
    const lines = statuses.map(
      (s) =>
        `  ${s.name} (client ${s.clientPort}): ${s.state}, ${s.srvr?.serving ? s.srvr.mode : (s.error ?? 'not serving')}`,
    )
    const notServing = this.members.filter((m) => !statuses.find((s) => s.id === m.id)?.srvr?.serving)
    const tail = notServing[0]?.logTail(20) ?? []
    throw new ZooKeeperStartError(
      `The ensemble did not ${opts.all ? 'fully serve' : 'reach a serving quorum'} within ${timeoutMs} ms.${why}\n${lines.join('\n')}` +
        (tail.length > 0 ? `\nLast lines of ${notServing[0].name}'s log:\n${tail.join('\n')}` : ''),
      tail,
    )
  }

  private async prepare(): Promise<void> {
    const installation = this.opts.installation ?? (await discoverZooKeeper(this.opts))
    const size = this.size
    let ports = this.opts.ports
    if (ports) {
      for (const [i, p] of ports.entries()) {
        await assertPortFree(p.client, `client port of zk-${i + 1}`)
        await assertPortFree(p.quorum, `quorum port of zk-${i + 1}`)
        await assertPortFree(p.election, `election port of zk-${i + 1}`)
      }
    } else if (this.opts.firstClientPort !== undefined) {
      const first = this.opts.firstClientPort
      for (let i = 0; i < size; i++) await assertPortFree(first + i, `client port of zk-${i + 1}`)
      const free = (await findFreePorts(size * 2 + size)).filter((p) => p < first || p >= first + size)
      ports = Array.from({ length: size }, (_, i) => ({
        client: first + i,
        quorum: free[2 * i],
        election: free[2 * i + 1],
      }))
    } else {
      const free = await findFreePorts(size * 3)
      ports = Array.from({ length: size }, (_, i) => ({
        client: free[3 * i],
        quorum: free[3 * i + 1],
        election: free[3 * i + 2],
      }))
    }
    const route = this.opts.routePeers ? await this.opts.routePeers(ports) : undefined
    const realPorts = ports
    // Each server listens at its own ports and reaches the others where the route says.
    const peersOf = (self: number) =>
      realPorts.map((p, i) => {
        const id = i + 1
        const via = route && id !== self ? route(self, id) : { quorum: p.quorum, election: p.election }
        return { id, quorumPort: via.quorum, electionPort: via.election }
      })
    const tickTime = this.opts.tickTime ?? LOCAL_DEFAULTS.tickTime
    const members: LocalServer[] = []
    for (const [i, p] of ports.entries()) {
      const id = i + 1
      const name = `zk-${id}`
      const dir = zooKeeperServerDir(this.ctx.sessionDir, name)
      await writeServerFiles(
        dir,
        {
          dataDir: zooKeeperDataDirs(dir).data,
          clientPort: p.client,
          tickTime,
          peers: peersOf(id),
          ...(this.opts.initLimit !== undefined ? { initLimit: this.opts.initLimit } : {}),
          ...(this.opts.syncLimit !== undefined ? { syncLimit: this.opts.syncLimit } : {}),
          ...(this.opts.maxSessionTimeoutMs !== undefined
            ? { maxSessionTimeoutMs: this.opts.maxSessionTimeoutMs }
            : {}),
          ...(this.opts.forceSync !== undefined ? { forceSync: this.opts.forceSync } : {}),
          ...(this.opts.extraConfig ? { extra: this.opts.extraConfig } : {}),
        },
        this.opts.logLevel ?? LOCAL_DEFAULTS.logLevel,
        id,
      )
      members.push(
        new LocalServer(
          {
            id,
            name,
            dir,
            clientPort: p.client,
            quorumPort: p.quorum,
            electionPort: p.election,
            mainClass: QUORUM_MAIN,
            tickTimeMs: tickTime,
            installation,
            jvm: {
              ...(this.opts.heapMb ? { heapMb: this.opts.heapMb } : {}),
              ...(this.opts.jvmFlags ? { jvmFlags: this.opts.jvmFlags } : {}),
            },
            readyTimeoutMs: this.opts.readyTimeoutMs ?? LOCAL_DEFAULTS.readyTimeoutMs,
            stopGraceMs: this.opts.stopGraceMs ?? LOCAL_DEFAULTS.stopGraceMs,
            // A member started while too few others run cannot serve until more join: wait only for it to listen.
            defaultWaitFor: () =>
              this.members.filter((m) => m.id !== id && m.alive).length + 1 >= this.quorum ? 'serving' : 'listening',
          },
          this.ctx,
        ),
      )
    }
    this.members = members
  }
}
