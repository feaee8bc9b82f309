import { zooKeeperDataDirs, zooKeeperServerDir } from '../session-folder/index.js'
import { STANDALONE_MAIN } from './config.js'
import { discoverZooKeeper } from './distribution.js'
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

export interface StandaloneOptions extends LocalProviderOptions {
  /** Client port; unset: a free loopback port is picked. */
  port?: number
}

/**
 * One ZooKeeperServerMain in `<sessionDir>/zookeeper/zk-1/`, on a loopback port. Its data folder
 * stays between restarts, so the tree survives stop/kill → start.
 */
export class StandaloneZooKeeper implements ZooKeeperProvider {
  readonly kind = 'standalone'
  readonly controllable = true
  private member: LocalServer | undefined

  constructor(
    private readonly ctx: ProviderContext,
    private readonly opts: StandaloneOptions = {},
  ) {}

  async start(): Promise<void> {
    if (this.member?.alive) {
      await this.member.waitServing()
      return
    }
    if (this.member) {
      // Started before: same server object (callers may hold it), same port, same data.
      await assertPortFree(this.member.clientPort, `client port of ${this.member.name}`)
      await this.member.start({ waitFor: 'serving' })
      return
    }
    const installation = this.opts.installation ?? (await discoverZooKeeper(this.opts))
    const name = 'zk-1'
    let port = this.opts.port
    if (port !== undefined) await assertPortFree(port, `client port of ${name}`)
    else [port] = await findFreePorts(1)
    const dir = zooKeeperServerDir(this.ctx.sessionDir, name)
    const tickTime = this.opts.tickTime ?? LOCAL_DEFAULTS.tickTime
    await writeServerFiles(
      dir,
      {
        dataDir: zooKeeperDataDirs(dir).data,
        clientPort: port,
        tickTime,
        ...(this.opts.maxSessionTimeoutMs !== undefined ? { maxSessionTimeoutMs: this.opts.maxSessionTimeoutMs } : {}),
        ...(this.opts.forceSync !== undefined ? { forceSync: this.opts.forceSync } : {}),
        ...(this.opts.extraConfig ? { extra: this.opts.extraConfig } : {}),
      },
      this.opts.logLevel ?? LOCAL_DEFAULTS.logLevel,
    )
    this.member = new LocalServer(
      {
        id: 1,
        name,
        dir,
        clientPort: port,
        mainClass: STANDALONE_MAIN,
        tickTimeMs: tickTime,
        installation,
        jvm: {
          ...(this.opts.heapMb ? { heapMb: this.opts.heapMb } : {}),
          ...(this.opts.jvmFlags ? { jvmFlags: this.opts.jvmFlags } : {}),
        },
        readyTimeoutMs: this.opts.readyTimeoutMs ?? LOCAL_DEFAULTS.readyTimeoutMs,
        stopGraceMs: this.opts.stopGraceMs ?? LOCAL_DEFAULTS.stopGraceMs,
        defaultWaitFor: () => 'serving',
      },
      this.ctx,
    )
    await this.member.start({ waitFor: 'serving' })
  }

  async stop(graceMs?: number): Promise<void> {
    await this.member?.stop(graceMs)
  }

  connectString(): string {
    return `127.0.0.1:${this.require().clientPort}`
  }

  servers(): ServerInfo[] {
    return this.member ? [this.member.info()] : []
  }

  server(id: number): ZooKeeperServerControl {
    const server = this.require()
    if (id !== 1) throw new Error(`A standalone ZooKeeper has one server, id 1; there is no server ${id}.`)
    return server
  }

  async status(): Promise<ServerStatus[]> {
    return this.member ? [await this.member.status()] : []
  }

  async leader(): Promise<ServerInfo | undefined> {
    if (!this.member) return undefined
    const status = await this.member.status()
    return status.srvr?.serving ? this.member.info() : undefined
  }

  async waitUntilServing(opts: { timeoutMs?: number } = {}): Promise<void> {
    await this.require().waitServing(opts.timeoutMs)
  }

  private require(): LocalServer {
    if (!this.member) throw new Error('The standalone ZooKeeper has not been started yet.')
    return this.member
  }
}
