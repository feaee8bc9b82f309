import { execFile, execFileSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { mkdir } from 'node:fs/promises'
import { basename } from 'node:path'
import { LabEventTypes } from '../../shared/events.js'
import { zooKeeperDataDirs, zooKeeperServerDir } from '../session-folder/index.js'
import { ZooKeeperStartError } from './errors.js'
import { mntr, ruok, srvr, type MntrResult, type ZooKeeperMode } from './four-letter-words.js'
import { assertPortFree, findFreePorts, LOOPBACK } from './ports.js'
import type {
  ProviderContext,
  ServerExit,
  ServerInfo,
  ServerRunState,
  ServerStatus,
  WaitFor,
  ZooKeeperProvider,
  ZooKeeperServerControl,
} from './provider.js'

export interface DockerAvailability {
  available: boolean
  /** Why not, in Docker's own words (`Cannot connect to the Docker daemon …`), or the engine version. */
  reason: string
  serverVersion?: string
}

/** Whether a Docker engine answers here; `docker info` fails fast when only the client is installed. */
export function dockerAvailability(timeoutMs = 10_000): Promise<DockerAvailability> {
  return new Promise((resolve) => {
    execFile(
      'docker',
      ['info', '--format', '{{.ServerVersion}}'],
      { timeout: timeoutMs, encoding: 'utf8' },
      (err, stdout, stderr) => {
        if (err) {
          const code = (err as NodeJS.ErrnoException).code
          const reason =
            code === 'ENOENT'
              ? 'the docker command is not installed'
              : err.killed
                ? `docker info did not answer within ${timeoutMs} ms`
                : firstLine(stderr) || firstLine(stdout) || err.message
          resolve({ available: false, reason })
          return
        }
        const version = stdout.trim()
        resolve({ available: true, reason: `Docker engine ${version}`, serverVersion: version })
      },
    )
  })
}

/**
 * Every container the lab starts carries this label, naming the lab process: `<pid>:<start time>`
 * (the start time tells a reused PID from the lab that started it). A lab that is SIGKILLed cannot
 * stop its container; the next lab to start one removes the containers of labs that are gone.
 */
export const LAB_LABEL = 'zklab.lab'

/** This lab's (or another process's) identity for the label; the start time in clock ticks on Linux. */
export function labIdentity(pid = process.pid): string {
  return `${pid}:${processStartTime(pid) ?? 'unknown'}`
}

function processStartTime(pid: number): string | undefined {
  try {
    // Field 22 of /proc/<pid>/stat: the start time; the fields after the command name start at field 3.
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ')[19]
  } catch {
    return undefined
  }
}

/** Whether the lab a label names still runs: same PID and, where it can be read, the same start time. */
export function isLabAlive(identity: string): boolean {
  const [pidText, started] = identity.split(':')
  const pid = Number(pidText)
  if (!Number.isInteger(pid) || pid < 1) return false
  try {
    process.kill(pid, 0)
  } catch (err) {
    // EPERM: a process of another user holds that PID now, or the lab runs as another user: leave it.
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false
  }
  const now = processStartTime(pid)
  return now === undefined || started === 'unknown' || now === started
}

/** `docker ps` listing every lab-labelled container, running or not, as `<id> <label value>` lines. */
export function labContainersCommand(): string[] {
  return ['ps', '-a', '--filter', `label=${LAB_LABEL}`, '--format', `{{.ID}} {{.Label "${LAB_LABEL}"}}`]
}

/** The ids, from labContainersCommand's output, of containers whose lab is gone. */
export function leftoverContainers(psOutput: string, labAlive: (identity: string) => boolean = isLabAlive): string[] {
  return psOutput
    .split('\n')
    .map((line) => line.trim().split(/\s+/))
    .filter(([id, identity]) => id && /^[0-9a-f]+$/i.test(id) && identity && !labAlive(identity))
    .map(([id]) => id)
}

export function removeContainersCommand(ids: string[]): string[] {
  return ['rm', '-f', ...ids]
}

/** Removes the containers of labs that died without stopping them; returns their ids. */
export async function reapLeftoverContainers(): Promise<string[]> {
  const ids = leftoverContainers(await docker(labContainersCommand(), 30_000))
  if (ids.length > 0) await docker(removeContainersCommand(ids), 60_000)
  return ids
}

/** `docker run` for the lab's ZooKeeper container: loopback-only port, data in the session, the lab's label. */
export function dockerRunArgs(o: {
  container: string
  port: number
  dir: string
  tickMs: number
  image: string
  lab: string
}): string[] {
  return [
    'run',
    '-d',
    '--rm',
    '--name',
    o.container,
    '--label',
    `${LAB_LABEL}=${o.lab}`,
    '-p',
    `${LOOPBACK}:${o.port}:2181`,
    '-v',
    `${zooKeeperDataDirs(o.dir).data}:/data`,
    '-v',
    `${zooKeeperDataDirs(o.dir).datalog}:/datalog`,
    '-e',
    `ZOO_TICK_TIME=${o.tickMs}`,
    '-e',
    'ZOO_4LW_COMMANDS_WHITELIST=*',
    '-e',
    'ZOO_ADMINSERVER_ENABLED=false',
    '-e',
    'ZOO_MAX_CLIENT_CNXNS=0',
    '-e',
    'ZOO_CFG_EXTRA=maxSessionTimeout=60000',
    o.image,
  ]
}

export interface DockerOptions {
  /** Default `zookeeper:3.8`, the official image. */
  image?: string
  /** Host port on 127.0.0.1 mapped to the container's 2181; unset: a free one. */
  port?: number
  tickTime?: number
  /** Includes a first-time image pull. Default 180 s. */
  readyTimeoutMs?: number
  stopGraceMs?: number
}

const POLL_MS = 200

/**
 * The official `zookeeper` image in one container, published on 127.0.0.1 only. Its data lives in
 * the session folder (bind mounts), so stop → start keeps the tree even though the container is
 * `--rm`. The container's log is followed by a supervised `docker logs -f` so it lands in
 * logs/zk-1.log like a local server's.
 */
export class DockerZooKeeper implements ZooKeeperProvider {
  static isAvailable = dockerAvailability

  readonly kind = 'docker'
  readonly controllable = true
  private readonly member: DockerServer

  constructor(ctx: ProviderContext, opts: DockerOptions = {}) {
    this.member = new DockerServer(ctx, opts)
  }

  start(): Promise<void> {
    return this.member.start({ waitFor: 'serving' })
  }

  stop(graceMs?: number): Promise<void> {
    return this.member.stop(graceMs)
  }

  connectString(): string {
    return `${LOOPBACK}:${this.member.requirePort()}`
  }

  servers(): ServerInfo[] {
    return this.member.hasPort ? [this.member.info()] : []
  }

  server(id: number): ZooKeeperServerControl {
    if (id !== 1) throw new Error(`The Docker ZooKeeper has one server, id 1; there is no server ${id}.`)
    return this.member
  }

  async status(): Promise<ServerStatus[]> {
    return this.member.hasPort ? [await this.member.status()] : []
  }

  async leader(): Promise<ServerInfo | undefined> {
    const status = await this.member.status()
    return status.srvr?.serving ? this.member.info() : undefined
  }

  waitUntilServing(opts: { timeoutMs?: number } = {}): Promise<void> {
    return this.member.waitServing(opts.timeoutMs)
  }
}

class DockerServer implements ZooKeeperServerControl {
  readonly id = 1
  readonly name = 'zk-1'
  private state: ServerRunState = 'stopped'
  private mode: ZooKeeperMode | undefined
  private port: number | undefined
  private container: string | undefined
  private lastExit: ServerExit | undefined
  private readonly containerName: string

  constructor(
    private readonly ctx: ProviderContext,
    private readonly opts: DockerOptions = {},
  ) {
    // Unique per provider so two sessions (or a stale container) never collide on the name.
    this.containerName = `zklab-${basename(ctx.sessionDir).replace(/[^a-zA-Z0-9_.-]/g, '-')}-${randomBytes(3).toString('hex')}`
  }

  async start(opts: { waitFor?: WaitFor } = {}): Promise<void> {
    if (this.state === 'paused') throw new Error(`${this.name} is paused; resume it rather than start it.`)
    if (this.container && this.state !== 'stopped' && this.state !== 'crashed') return
    const availability = await dockerAvailability()
    if (!availability.available) throw new ZooKeeperStartError(`Docker is not available: ${availability.reason}`)
    const reaped = await reapLeftoverContainers().catch(() => [])
    if (reaped.length > 0) {
      this.ctx.emit({
        time: Date.now(),
        source: 'lab',
        type: LabEventTypes.log,
        level: 'warn',
        stream: 'stderr',
        line: `removed ${reaped.length} container(s) left by a lab that is gone: ${reaped.join(' ')}`,
      })
    }
    if (this.port === undefined) {
      if (this.opts.port !== undefined) await assertPortFree(this.opts.port, `host port of the ${this.name} container`)
      this.port = this.opts.port ?? (await findFreePorts(1))[0]
    }
    const dir = zooKeeperServerDir(this.ctx.sessionDir, 'docker-1')
    const { data, datalog } = zooKeeperDataDirs(dir)
    await mkdir(data, { recursive: true })
    await mkdir(datalog, { recursive: true })
    const tick = this.opts.tickTime ?? 500
    const image = this.opts.image ?? 'zookeeper:3.8'
    this.state = 'starting'
    this.mode = undefined
    const startedAt = Date.now()
    this.ctx.emit({
      time: startedAt,
      source: 'lab',
      type: LabEventTypes.zkStarting,
      server: 1,
      name: this.name,
      port: this.port,
      tickTimeMs: tick,
    })
    const args = dockerRunArgs({
      container: this.containerName,
      port: this.port,
      dir,
      tickMs: tick,
      image,
      lab: labIdentity(),
    })
    const timeoutMs = this.opts.readyTimeoutMs ?? 180_000
    try {
      this.container = (await docker(args, timeoutMs)).trim()
    } catch (err) {
      this.state = 'crashed'
      throw new ZooKeeperStartError(`docker run ${image} failed: ${(err as Error).message}`)
    }
    // Follow the container's output through the supervisor: logs/zk-1.log and log events, like a local server.
    this.ctx.supervisor.spawn({
      name: this.name,
      kind: 'zookeeper',
      command: 'docker',
      args: ['logs', '-f', this.container],
    })
    if ((opts.waitFor ?? 'serving') === 'none') return
    try {
      await this.awaitServing(timeoutMs, startedAt)
    } catch (err) {
      const tail = await docker(['logs', '--tail', '40', this.container], 10_000).catch(() => '')
      await this.kill().catch(() => {})
      throw new ZooKeeperStartError(`${(err as Error).message}${tail ? `\nLast lines of its log:\n${tail}` : ''}`)
    }
  }

  async stop(graceMs = this.opts.stopGraceMs ?? 5000): Promise<void> {
    await this.end('stop', ['stop', '-t', String(Math.ceil(graceMs / 1000)), this.containerName])
  }

  get hasPort(): boolean {
    return this.port !== undefined
  }

  async waitServing(timeoutMs = this.opts.readyTimeoutMs ?? 180_000): Promise<void> {
    await this.awaitServing(timeoutMs, Date.now())
  }

  info(): ServerInfo {
    return {
      id: 1,
      name: this.name,
      host: LOOPBACK,
      clientPort: this.port ?? 0,
      state: this.state,
      ...(this.mode ? { mode: this.mode } : {}),
      ...(this.lastExit ? { lastExit: this.lastExit } : {}),
    }
  }

  async kill(): Promise<void> {
    await this.end('kill', ['kill', this.containerName])
  }

  pause(): void {
    if (this.state !== 'running') throw new Error(`${this.name} is ${this.state}; only a running server can be paused.`)
    execFileSync('docker', ['pause', this.containerName], { timeout: 30_000, stdio: 'ignore' })
    this.state = 'paused'
  }

  resume(): void {
    if (this.state !== 'paused')
      throw new Error(`${this.name} is ${this.state}, not paused; there is nothing to resume.`)
    execFileSync('docker', ['unpause', this.containerName], { timeout: 30_000, stdio: 'ignore' })
    this.state = 'running'
  }

  async restart(opts: { waitFor?: WaitFor; graceMs?: number } = {}): Promise<void> {
    await this.stop(opts.graceMs)
    await this.start(opts.waitFor ? { waitFor: opts.waitFor } : {})
  }

  async status(): Promise<ServerStatus> {
    if (this.port === undefined || this.state === 'stopped' || this.state === 'crashed') {
      return { ...this.info(), reachable: false, error: `${this.name} is ${this.state}` }
    }
    if (this.state === 'paused') return { ...this.info(), reachable: false, error: `${this.name} is paused` }
    try {
      const result = await srvr(this.port, { timeoutMs: 3000 })
      this.mode = result.serving ? result.mode : undefined
      return { ...this.info(), reachable: true, srvr: result }
    } catch (err) {
      return { ...this.info(), reachable: false, error: (err as Error).message }
    }
  }

  async metrics(): Promise<MntrResult> {
    return mntr(this.requirePort(), { timeoutMs: 3000 })
  }

  // ------------------------------------------------------------------------------------------ internals

  private async end(how: 'stop' | 'kill', args: string[]): Promise<void> {
    if (!this.container || this.state === 'stopped') return
    if (this.state === 'paused') await docker(['unpause', this.containerName], 30_000).catch(() => '')
    // The container may already be gone (it crashed, and --rm removed it): that is stopped too.
    await docker(args, 60_000).catch(() => '')
    await this.ctx.supervisor.stop(this.name, 2000).catch(() => undefined)
    this.state = 'stopped'
    this.mode = undefined
    this.lastExit = { how, code: null, signal: null, at: Date.now() }
    this.ctx.emit({
      time: Date.now(),
      source: 'lab',
      type: LabEventTypes.zkStopped,
      server: 1,
      name: this.name,
      how,
      code: null,
      signal: null,
    })
  }

  private async awaitServing(timeoutMs: number, startedAt: number): Promise<void> {
    const port = this.requirePort()
    const deadline = Date.now() + timeoutMs
    const maxAttempts = Math.ceil(timeoutMs / POLL_MS) + 1
    let last = 'no answer yet'
    for (let attempt = 0; attempt < maxAttempts && Date.now() < deadline; attempt++) {
      try {
        if (await ruok(port, { timeoutMs: 2000 })) {
          const result = await srvr(port, { timeoutMs: 2000 })
          if (result.serving) {
            const firstTime = this.state === 'starting'
            this.state = 'running'
            this.mode = result.mode
            if (firstTime)
              this.ctx.emit({
                time: Date.now(),
                source: 'lab',
                type: LabEventTypes.zkReady,
                server: 1,
                name: this.name,
                port,
                mode: result.mode,
                version: result.version,
                startMs: Date.now() - startedAt,
              })
            return
          }
          last = 'not currently serving requests'
        }
      } catch (err) {
        last = (err as Error).message
      }
      // Every few seconds, make sure the container still exists (a crash with --rm leaves nothing to poll).
      if (attempt % 25 === 24 && this.container) {
        const running = await docker(['inspect', '-f', '{{.State.Running}}', this.container], 10_000).catch(
          () => 'false',
        )
        if (running.trim() !== 'true') {
          this.state = 'crashed'
          throw new Error(`The ${this.name} container exited before it served.`)
        }
      }
      await new Promise((resolve) => setTimeout(resolve, POLL_MS))
    }
    throw new Error(
      `${this.name} (Docker) did not serve on ${LOOPBACK}:${port} within ${timeoutMs} ms (last: ${last}).`,
    )
  }

  requirePort(): number {
    if (this.port === undefined) throw new Error('The Docker ZooKeeper has not been started yet.')
    return this.port
  }
}

function docker(args: string[], timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      'docker',
      args,
      { timeout: timeoutMs, encoding: 'utf8', maxBuffer: 4 * 1024 * 1024 },
      (err, stdout, stderr) => {
        if (err) reject(new Error(firstLine(stderr) || err.message))
        else resolve(stdout)
      },
    )
  })
}

function firstLine(text: string | undefined): string {
  return (text ?? '').trim().split('\n')[0]?.trim() ?? ''
}
