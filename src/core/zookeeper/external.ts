import { ZooKeeperOperationUnavailableError, ZooKeeperStartError } from './errors.js'
import {
  FourLetterWordError,
  mntr,
  srvr,
  type MntrResult,
  type SrvrResult,
  type ZooKeeperMode,
} from './four-letter-words.js'
import type {
  ProviderContext,
  ServerInfo,
  ServerStatus,
  WaitFor,
  ZooKeeperProvider,
  ZooKeeperServerControl,
} from './provider.js'

export interface ExternalOptions {
  /** `host1:2181,host2:2181,host3:2181[/chroot]`, as ZooKeeper clients take it. */
  connectString: string
  /** Per four-letter word. Default 3 s. */
  probeTimeoutMs?: number
  /** How long start() waits for the cluster to answer. Default 30 s. */
  reachTimeoutMs?: number
}

export interface ConnectStringServer {
  host: string
  port: number
}

/** Splits a connect string into its servers and chroot; `[::1]:2181` and a missing port (2181) are understood. */
export function parseConnectString(connectString: string): { servers: ConnectStringServer[]; chroot?: string } {
  const trimmed = connectString.trim()
  const slash = trimmed.indexOf('/')
  const hosts = slash >= 0 ? trimmed.slice(0, slash) : trimmed
  const chroot = slash >= 0 ? trimmed.slice(slash) : undefined
  const servers = hosts
    .split(',')
    .map((h) => h.trim())
    .filter(Boolean)
    .map((entry) => {
      const m = /^\[([^\]]+)\](?::(\d+))?$/.exec(entry) ?? /^([^:]+)(?::(\d+))?$/.exec(entry)
      if (!m) throw new Error(`Cannot read '${entry}' in the connect string '${connectString}': expected host:port.`)
      return { host: m[1], port: m[2] ? Number(m[2]) : 2181 }
    })
  if (servers.length === 0) throw new Error(`The connect string '${connectString}' names no server.`)
  return chroot && chroot !== '/' ? { servers, chroot } : { servers }
}

/**
 * A ZooKeeper the lab did not start and cannot control: a real cluster, given by its connect string.
 * Status and metrics come from the four-letter words where the cluster allows them; stop, kill, pause
 * and restart throw a clear error instead.
 */
export class ExternalZooKeeper implements ZooKeeperProvider {
  readonly kind = 'external'
  readonly controllable = false
  private readonly members: ExternalServer[]

  constructor(
    _ctx: ProviderContext | undefined,
    private readonly opts: ExternalOptions,
  ) {
    const { servers } = parseConnectString(opts.connectString)
    this.members = servers.map(
      (s, i) => new ExternalServer(i + 1, s.host, s.port, opts.connectString, opts.probeTimeoutMs ?? 3000),
    )
  }

  /** Nothing to start: checks that at least one server answers, so a typo fails here and not in a worker. */
  async start(): Promise<void> {
    await this.waitUntilServing({ timeoutMs: this.opts.reachTimeoutMs ?? 30_000, reachableOnly: true })
  }

  /** The lab does not own these servers; stopping the lab leaves them running. */
  async stop(): Promise<void> {}

  connectString(): string {
    return this.opts.connectString
  }

  servers(): ServerInfo[] {
    return this.members.map((m) => m.info())
  }

  server(id: number): ZooKeeperServerControl {
    const member = this.members.find((m) => m.id === id)
    if (!member) throw new Error(`The connect string names servers 1–${this.members.length}; there is no server ${id}.`)
    return member
  }

  async status(): Promise<ServerStatus[]> {
    return Promise.all(this.members.map((m) => m.status()))
  }

  async leader(): Promise<ServerInfo | undefined> {
    const statuses = await this.status()
    const leader = statuses.find((s) => s.srvr?.serving && (s.srvr.mode === 'leader' || s.srvr.mode === 'standalone'))
    return leader ? this.server(leader.id).info() : undefined
  }

  /**
   * Until one server serves; where the cluster refuses four-letter words (not whitelisted), a TCP
   * answer is all the lab can know, and counts.
   */
  async waitUntilServing(opts: { timeoutMs?: number; all?: boolean; reachableOnly?: boolean } = {}): Promise<void> {
    const timeoutMs = opts.timeoutMs ?? 30_000
    const deadline = Date.now() + timeoutMs
    const maxAttempts = Math.ceil(timeoutMs / 500) + 1
    let statuses: ServerStatus[] = []
    for (let attempt = 0; attempt < maxAttempts && Date.now() < deadline; attempt++) {
      statuses = await this.status()
      const ok = (s: ServerStatus) =>
        s.srvr?.serving === true ||
        (s.reachable && s.srvr === undefined) ||
        (opts.reachableOnly === true && s.reachable)
      if (opts.all ? statuses.every(ok) : statuses.some(ok)) return
      await new Promise((resolve) => setTimeout(resolve, 500))
    }
    throw new ZooKeeperStartError(
      `No server of the external ZooKeeper '${this.opts.connectString}' ${opts.reachableOnly ? 'answered' : 'served'} within ${timeoutMs} ms:\n` +
        statuses.map((s) => `  ${s.host}:${s.clientPort}: ${s.error ?? 'not serving'}`).join('\n'),
    )
  }
}

class ExternalServer implements ZooKeeperServerControl {
  readonly name: string
  private mode: ZooKeeperMode | undefined
  private reachable: boolean | undefined

  constructor(
    readonly id: number,
    private readonly host: string,
    private readonly port: number,
    private readonly connectString: string,
    private readonly probeTimeoutMs: number,
  ) {
    this.name = `zk-${id}`
  }

  info(): ServerInfo {
    return {
      id: this.id,
      name: this.name,
      host: this.host,
      clientPort: this.port,
      state: this.reachable ? 'running' : 'unknown',
      ...(this.mode ? { mode: this.mode } : {}),
    }
  }

  async status(): Promise<ServerStatus> {
    let result: SrvrResult | undefined
    try {
      result = await srvr(this.port, { host: this.host, timeoutMs: this.probeTimeoutMs })
    } catch (err) {
      // A cluster that does not whitelist srvr still answered: it is reachable, its mode unknown.
      if (err instanceof FourLetterWordError && err.code === 'NOT_WHITELISTED') {
        this.reachable = true
        this.mode = undefined
        return { ...this.info(), reachable: true, error: err.message }
      }
      this.reachable = false
      this.mode = undefined
      return { ...this.info(), reachable: false, error: (err as Error).message }
    }
    this.reachable = true
    this.mode = result.serving ? result.mode : undefined
    return { ...this.info(), reachable: true, srvr: result }
  }

  metrics(): Promise<MntrResult> {
    return mntr(this.port, { host: this.host, timeoutMs: this.probeTimeoutMs })
  }

  start(_opts?: { waitFor?: WaitFor }): Promise<void> {
    return Promise.reject(this.unavailable('start'))
  }

  stop(): Promise<void> {
    return Promise.reject(this.unavailable('stop'))
  }

  kill(): Promise<void> {
    return Promise.reject(this.unavailable('kill'))
  }

  pause(): void {
    throw this.unavailable('pause')
  }

  resume(): void {
    throw this.unavailable('resume')
  }

  restart(): Promise<void> {
    return Promise.reject(this.unavailable('restart'))
  }

  private unavailable(op: string): ZooKeeperOperationUnavailableError {
    return new ZooKeeperOperationUnavailableError(
      `${op} is not available for an external ZooKeeper (${this.host}:${this.port} in '${this.connectString}'): ` +
        `the lab does not own its processes. Use a standalone, ensemble or Docker ZooKeeper to break servers on purpose.`,
    )
  }
}
