/**
 * The lab's ZooKeeper: find Java and a distribution, run it (standalone, ensemble, Docker) or use an
 * external one, and read its health through the four-letter words.
 */
import { DockerZooKeeper, type DockerOptions } from './docker.js'
import { ZooKeeperEnsemble, type EnsembleOptions } from './ensemble.js'
import { ExternalZooKeeper, type ExternalOptions } from './external.js'
import { discoverZooKeeper, type DiscoveryOptions, type ZooKeeperInstallation } from './distribution.js'
import type {
  ProviderContext,
  ProviderKind,
  ServerInfo,
  ServerStatus,
  ZooKeeperProvider,
  ZooKeeperServerControl,
} from './provider.js'
import { StandaloneZooKeeper, type StandaloneOptions } from './standalone.js'
import { TICK_TIME_DEFAULT_MS } from '../../shared/session-timeout.js'

export * from './config.js'
export * from './distribution.js'
export * from './docker.js'
export * from './ensemble.js'
export * from './errors.js'
export * from './external.js'
export * from './four-letter-words.js'
export * from './local-options.js'
export * from './ports.js'
export * from './provider.js'
export * from './standalone.js'
export { listeningSocketsOf, listeningTcpSockets, processesListeningOn, type ListeningSocket } from './proc-net.js'

export type ZooKeeperConfig =
  | ({ kind: 'standalone' } & StandaloneOptions)
  | ({ kind: 'ensemble' } & EnsembleOptions)
  | ({ kind: 'external' } & ExternalOptions)
  | ({ kind: 'docker' } & DockerOptions)

/** The provider for a session's ZooKeeper setting; start() it to run (or reach) it. */
export function createZooKeeperProvider(config: ZooKeeperConfig, ctx: ProviderContext): ZooKeeperProvider {
  switch (config.kind) {
    case 'standalone':
      return new StandaloneZooKeeper(ctx, config)
    case 'ensemble':
      return new ZooKeeperEnsemble(ctx, config)
    case 'external':
      return new ExternalZooKeeper(ctx, config)
    case 'docker':
      return new DockerZooKeeper(ctx, config)
  }
}

// ------------------------------------------------------------------------------------- the lab's view

/** The session setting as the Lab API takes it (src/shared/api.ts ZooKeeperOptions, after parsing). */
export interface LabZooKeeperOptions {
  mode?: 'standalone' | 'ensemble' | 'external' | 'docker'
  servers?: 3 | 5
  port?: number
  tickTimeMs?: number
  connectString?: string
  /** An unpacked Apache ZooKeeper (or a folder with zookeeper.jar) instead of the one found on the machine. */
  home?: string
}

export type ZooKeeperServerAction = 'start' | 'stop' | 'kill' | 'pause' | 'resume' | 'restart'

/** What session.json records about the ZooKeeper a session ran on. */
export interface ZooKeeperDescription {
  kind: ProviderKind
  java?: { path: string; version: string }
  zookeeper?: { kind: string; home: string; version: string }
  servers: ServerInfo[]
}

/**
 * A session's ZooKeeper as the Lab facade uses it: a provider (created on start(), once Java and
 * ZooKeeper are found) plus the two things the facade adds, `describe()` and `serverAction()`.
 */
export class ZooKeeperRuntime implements ZooKeeperProvider {
  readonly kind: ProviderKind
  readonly controllable: boolean
  private provider: ZooKeeperProvider | undefined
  private installation: ZooKeeperInstallation | undefined

  constructor(
    private readonly options: LabZooKeeperOptions,
    private readonly ctx: ProviderContext,
    private readonly discovery: DiscoveryOptions = {},
    /** How a local ensemble's servers reach each other (the lab's per-link proxies). */
    private readonly ensemble: Pick<EnsembleOptions, 'routePeers'> = {},
  ) {
    this.kind = options.mode ?? 'standalone'
    this.controllable = this.kind !== 'external'
  }

  /** The tickTime the lab configures its servers with; unknown (undefined) for an external ZooKeeper. */
  get tickTimeMs(): number | undefined {
    return this.kind === 'external' ? undefined : (this.options.tickTimeMs ?? TICK_TIME_DEFAULT_MS)
  }

  async start(): Promise<void> {
    if (!this.provider) {
      const o = this.options
      const tickTime = this.tickTimeMs ?? TICK_TIME_DEFAULT_MS
      if (this.kind === 'standalone' || this.kind === 'ensemble') {
        this.installation = await discoverZooKeeper({ ...this.discovery, ...(o.home ? { zookeeperPath: o.home } : {}) })
      }
      const installation = this.installation!
      this.provider = createZooKeeperProvider(
        this.kind === 'standalone'
          ? { kind: 'standalone', installation, tickTime, ...(o.port !== undefined ? { port: o.port } : {}) }
          : this.kind === 'ensemble'
            ? {
                kind: 'ensemble',
                installation,
                tickTime,
                size: o.servers ?? 3,
                ...(o.port !== undefined ? { firstClientPort: o.port } : {}),
                ...this.ensemble,
              }
            : this.kind === 'external'
              ? { kind: 'external', connectString: o.connectString ?? '' }
              : { kind: 'docker', tickTime, ...(o.port !== undefined ? { port: o.port } : {}) },
        this.ctx,
      )
    }
    await this.provider.start()
  }

  stop(graceMs?: number): Promise<void> {
    return this.provider?.stop(graceMs) ?? Promise.resolve()
  }

  connectString(): string {
    return this.require().connectString()
  }

  servers(): ServerInfo[] {
    return this.provider?.servers() ?? []
  }

  server(id: number): ZooKeeperServerControl {
    return this.require().server(id)
  }

  status(): Promise<ServerStatus[]> {
    return this.provider?.status() ?? Promise.resolve([])
  }

  leader(): Promise<ServerInfo | undefined> {
    return this.provider?.leader() ?? Promise.resolve(undefined)
  }

  waitUntilServing(opts?: { timeoutMs?: number; all?: boolean }): Promise<void> {
    return this.require().waitUntilServing(opts)
  }

  /** One server action from the UI, a scenario or the CLI. */
  async serverAction(id: number, action: ZooKeeperServerAction): Promise<void> {
    const server = this.server(id)
    switch (action) {
      case 'start':
        return server.start()
      case 'stop':
        return server.stop()
      case 'kill':
        return server.kill()
      case 'pause':
        return server.pause()
      case 'resume':
        return server.resume()
      case 'restart':
        return server.restart()
    }
  }

  describe(): ZooKeeperDescription {
    const i = this.installation
    return {
      kind: this.kind,
      ...(i ? { java: { path: i.java.path, version: i.java.version } } : {}),
      ...(i ? { zookeeper: { kind: i.zookeeper.kind, home: i.zookeeper.home, version: i.zookeeper.version } } : {}),
      servers: this.servers(),
    }
  }

  private require(): ZooKeeperProvider {
    if (!this.provider) throw new Error('ZooKeeper has not been started in this session yet.')
    return this.provider
  }
}

/** The Lab facade's entry point: a runtime for the session's ZooKeeper setting. */
export function createZooKeeper(
  options: LabZooKeeperOptions,
  ctx: ProviderContext,
  discovery?: DiscoveryOptions,
  ensemble?: Pick<EnsembleOptions, 'routePeers'>,
): ZooKeeperRuntime {
  return new ZooKeeperRuntime(options, ctx, discovery, ensemble)
}
