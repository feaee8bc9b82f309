import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { LabEventTypes } from '../../shared/events.js'
import { epochOfZxid } from '../../shared/lab-state.js'
import { zooKeeperDataDirs } from '../session-folder/index.js'
import type { ManagedProcess, Supervisor } from '../workers/supervisor.js'
import {
  javaArgs,
  renderLog4jProperties,
  renderLogbackXml,
  renderZooCfg,
  type JvmOptions,
  type ZooCfgInput,
  type ZooKeeperLogLevel,
} from './config.js'
import type { ZooKeeperInstallation } from './distribution.js'
import { ZooKeeperPortInUseError, ZooKeeperStartError } from './errors.js'
import {
  FourLetterWordError,
  mntr,
  ruok,
  sendFourLetterWord,
  srvr,
  type MntrResult,
  type SrvrResult,
  type ZooKeeperMode,
} from './four-letter-words.js'
import { LOOPBACK } from './ports.js'
import type {
  Emit,
  ServerExit,
  ServerInfo,
  ServerRunState,
  ServerStatus,
  WaitFor,
  ZooKeeperServerControl,
} from './provider.js'

/** Between readiness probes: short, since `ruok` → serving takes tens of ms on a quiet machine. */
const POLL_MS = 100
/** For one probe; a loaded 2-core machine can take a while to answer, a paused server never does. */
const PROBE_TIMEOUT_MS = 2000
const LOG_TAIL_LINES = 40

export interface LocalServerOptions {
  id: number
  name: string
  /** The server's folder: zoo.cfg, logging config, and data/. */
  dir: string
  clientPort: number
  quorumPort?: number
  electionPort?: number
  mainClass: string
  /** The tickTime its zoo.cfg says, recorded on zk.starting so views can show what sessions it grants. */
  tickTimeMs: number
  installation: ZooKeeperInstallation
  jvm?: JvmOptions
  readyTimeoutMs: number
  stopGraceMs: number
  /** What start() waits for when the caller does not say; an ensemble member alone cannot serve. */
  defaultWaitFor: () => WaitFor
}

/** The files of one server folder, written when its provider first starts; restarts reuse them (and the data). */
export async function writeServerFiles(
  dir: string,
  cfg: ZooCfgInput,
  logLevel: ZooKeeperLogLevel,
  myid?: number,
): Promise<void> {
  await mkdir(cfg.dataDir, { recursive: true })
  await Promise.all([
    writeFile(join(dir, 'zoo.cfg'), renderZooCfg(cfg)),
    writeFile(join(dir, 'log4j.properties'), renderLog4jProperties(logLevel)),
    writeFile(join(dir, 'logback.xml'), renderLogbackXml(logLevel)),
    ...(myid !== undefined ? [writeFile(join(cfg.dataDir, 'myid'), `${myid}\n`)] : []),
  ])
}

/**
 * One local ZooKeeper JVM run through the lab's supervisor (its log goes to logs/zk-N.log and the
 * event stream; it cannot outlive the lab). Knows its state, waits for readiness, and turns
 * stop/kill/pause/resume into signals. Standalone and ensemble providers are made of these.
 */
export class LocalServer implements ZooKeeperServerControl {
  private state: ServerRunState = 'stopped'
  private mode: ZooKeeperMode | undefined
  private proc: ManagedProcess | undefined
  /** Bumped by every spawn and stop: a readiness wait from an older run gives up. */
  private generation = 0
  private expectingExit = false
  private readyEmitted = false
  private spawnedAt = 0
  private pausedFrom: ServerRunState = 'running'
  private lastExit: ServerExit | undefined
  private timings: { listeningMs?: number; servingMs?: number } | undefined
  private identityChecked = false

  constructor(
    private readonly opts: LocalServerOptions,
    private readonly ctx: { supervisor: Supervisor; emit: Emit },
  ) {}

  get id(): number {
    return this.opts.id
  }

  get name(): string {
    return this.opts.name
  }

  get clientPort(): number {
    return this.opts.clientPort
  }

  get dataDir(): string {
    return zooKeeperDataDirs(this.opts.dir).data
  }

  /** Alive as a process: starting, running or paused. */
  get alive(): boolean {
    return this.proc !== undefined && this.proc.state !== 'exited'
  }

  info(): ServerInfo {
    return {
      id: this.opts.id,
      name: this.opts.name,
      host: LOOPBACK,
      clientPort: this.opts.clientPort,
      ...(this.opts.quorumPort !== undefined
        ? { quorumPort: this.opts.quorumPort, electionPort: this.opts.electionPort }
        : {}),
      ...(this.alive ? { pid: this.proc!.pid } : {}),
      state: this.state,
      ...(this.mode ? { mode: this.mode } : {}),
      dataDir: this.dataDir,
      ...(this.lastExit ? { lastExit: this.lastExit } : {}),
      ...(this.timings ? { timings: { ...this.timings } } : {}),
    }
  }

  async start(opts: { waitFor?: WaitFor } = {}): Promise<void> {
    const waitFor = opts.waitFor ?? this.opts.defaultWaitFor()
    if (this.state === 'paused') throw new Error(`${this.name} is paused; resume it rather than start it.`)
    if (!this.alive) this.spawn()
    const gen = this.generation
    const proc = this.proc!
    if (waitFor === 'none') {
      // Nobody waits, but the state should still move to running and zk.ready be reported.
      void this.awaitStartup(gen, proc, 'serving', this.opts.readyTimeoutMs).catch(() => {})
      return
    }
    try {
      await this.awaitStartup(gen, proc, waitFor, this.opts.readyTimeoutMs)
    } catch (err) {
      // Stopped on purpose while starting: not a failure worth an event.
      if (gen !== this.generation) throw err
      // A server that failed to start is not left half-running; the error says why.
      if (this.alive) await this.kill().catch(() => {})
      this.ctx.emit({
        time: Date.now(),
        source: 'lab',
        type: LabEventTypes.zkFailed,
        level: 'error',
        ...this.ids(),
        message: (err as Error).message,
      })
      throw err
    }
  }

  /** Polls until the server serves again (after a quorum re-forms, say); throws after timeoutMs. */
  async waitServing(timeoutMs = this.opts.readyTimeoutMs): Promise<void> {
    if (!this.alive) throw new Error(`${this.name} is ${this.state}, not running.`)
    await this.awaitStartup(this.generation, this.proc!, 'serving', timeoutMs)
  }

  async stop(graceMs = this.opts.stopGraceMs): Promise<void> {
    await this.end('stop', graceMs)
  }

  async kill(): Promise<void> {
    await this.end('kill')
  }

  pause(): void {
    if (this.state !== 'running' && this.state !== 'starting') {
      throw new Error(`${this.name} is ${this.state}; only a running server can be paused.`)
    }
    this.ctx.supervisor.pause(this.name)
    this.pausedFrom = this.state
    this.state = 'paused'
  }

  resume(): void {
    if (this.state !== 'paused')
      throw new Error(`${this.name} is ${this.state}, not paused; there is nothing to resume.`)
    this.ctx.supervisor.resume(this.name)
    this.state = this.pausedFrom
  }

  async restart(opts: { waitFor?: WaitFor; graceMs?: number } = {}): Promise<void> {
    await this.stop(opts.graceMs)
    await this.start(opts.waitFor ? { waitFor: opts.waitFor } : {})
  }

  async status(): Promise<ServerStatus> {
    if (!this.alive) return { ...this.info(), reachable: false, error: `${this.name} is ${this.state}` }
    // A SIGSTOPped JVM accepts the TCP connection (the kernel does) but never answers: do not wait for it.
    if (this.state === 'paused') return { ...this.info(), reachable: false, error: `${this.name} is paused` }
    try {
      const result = await srvr(this.opts.clientPort, { timeoutMs: PROBE_TIMEOUT_MS })
      this.observe(result)
      return { ...this.info(), reachable: true, srvr: result }
    } catch (err) {
      return { ...this.info(), reachable: false, error: (err as Error).message }
    }
  }

  async metrics(): Promise<MntrResult> {
    return mntr(this.opts.clientPort, { timeoutMs: PROBE_TIMEOUT_MS })
  }

  /** The last lines the server printed (its current or latest run). */
  logTail(n = LOG_TAIL_LINES): string[] {
    return this.proc?.recentLines(n) ?? []
  }

  // ------------------------------------------------------------------------------------------ internals

  /** How zk.* events name a server: `server` is the numeric id (myid), `name` the process name. */
  private ids(): { server: number; name: string } {
    return { server: this.opts.id, name: this.opts.name }
  }

  private spawn(): void {
    this.generation++
    this.expectingExit = false
    this.readyEmitted = false
    this.identityChecked = false
    this.mode = undefined
    this.state = 'starting'
    this.spawnedAt = Date.now()
    this.timings = {}
    const { installation } = this.opts
    const proc = this.ctx.supervisor.spawn({
      name: this.name,
      kind: 'zookeeper',
      command: installation.java.path,
      args: javaArgs(installation, this.opts.dir, this.opts.mainClass, {
        ...this.opts.jvm,
        tickTimeMs: this.opts.tickTimeMs,
      }),
      cwd: this.opts.dir,
      labels: { server: this.opts.id, clientPort: this.opts.clientPort },
    })
    this.proc = proc
    this.ctx.emit({
      time: Date.now(),
      source: 'lab',
      type: LabEventTypes.zkStarting,
      ...this.ids(),
      port: this.opts.clientPort,
      pid: proc.pid,
      tickTimeMs: this.opts.tickTimeMs,
    })
    void proc.exited.then((exit) => {
      if (this.proc !== proc || this.expectingExit) return
      // The supervisor stopping everything (session close) is the lab's doing, not a crash.
      const byLab = proc.expectedExit
      // Otherwise nobody asked it to go: a crash (OOM, a bind failure, a kill from outside the lab).
      const how = byLab ? 'stop' : 'crashed'
      this.state = byLab ? 'stopped' : 'crashed'
      this.mode = undefined
      this.lastExit = { how, code: exit.code, signal: exit.signal, at: Date.now() }
      this.ctx.emit({
        time: Date.now(),
        source: 'lab',
        type: LabEventTypes.zkStopped,
        level: byLab ? 'info' : 'warn',
        ...this.ids(),
        how,
        code: exit.code,
        signal: exit.signal,
      })
    })
  }

  private async end(how: 'stop' | 'kill', graceMs?: number): Promise<void> {
    this.generation++ // abandons any readiness wait of this run
    const proc = this.proc
    if (!proc || proc.state === 'exited') {
      if (this.state !== 'crashed') this.state = 'stopped'
      this.mode = undefined
      return
    }
    this.expectingExit = true
    const exit =
      how === 'stop' ? await this.ctx.supervisor.stop(this.name, graceMs) : await this.ctx.supervisor.kill(this.name)
    this.state = 'stopped'
    this.mode = undefined
    this.lastExit = { how, code: exit.code, signal: exit.signal, at: Date.now() }
    this.ctx.emit({
      time: Date.now(),
      source: 'lab',
      type: LabEventTypes.zkStopped,
      ...this.ids(),
      how,
      code: exit.code,
      signal: exit.signal,
    })
  }

  /**
   * Bounded polling until the server answers `ruok` (listening) and, for `serving`, until `srvr` says
   * it serves: `ruok` answers some tens of ms before the server accepts sessions.
   */
  private async awaitStartup(
    gen: number,
    proc: ManagedProcess,
    target: 'listening' | 'serving',
    timeoutMs: number,
  ): Promise<void> {
    const deadline = Date.now() + timeoutMs
    const maxAttempts = Math.ceil(timeoutMs / POLL_MS) + 1
    let lastProblem = 'no answer yet'
    for (let attempt = 0; attempt < maxAttempts && Date.now() < deadline; attempt++) {
      if (gen !== this.generation) throw new ZooKeeperStartError(`${this.name} was stopped while starting.`)
      if (proc.state === 'exited') throw this.exitedError(proc)
      if (this.state === 'paused') {
        await sleep(POLL_MS)
        continue
      }
      try {
        if (this.timings?.listeningMs === undefined) {
          if (!(await ruok(this.opts.clientPort, { timeoutMs: PROBE_TIMEOUT_MS })))
            throw new Error('ruok did not answer imok')
          await this.checkIdentity(proc)
          if (gen !== this.generation) continue
          this.timings = { ...this.timings, listeningMs: Date.now() - this.spawnedAt }
          if (this.state === 'starting') this.state = 'running'
        }
        if (target === 'listening') return
        const result = await srvr(this.opts.clientPort, { timeoutMs: PROBE_TIMEOUT_MS })
        if (gen !== this.generation) continue
        this.observe(result)
        if (result.serving) return
        lastProblem = 'srvr: not currently serving requests'
      } catch (err) {
        if (err instanceof ZooKeeperPortInUseError) throw err
        lastProblem = (err as Error).message
      }
      await sleep(POLL_MS)
    }
    if (gen !== this.generation) throw new ZooKeeperStartError(`${this.name} was stopped while starting.`)
    if (proc.state === 'exited') throw this.exitedError(proc)
    const tail = proc.recentLines(LOG_TAIL_LINES)
    const goal = target === 'serving' ? 'serve requests' : "answer 'ruok'"
    throw new ZooKeeperStartError(
      `${this.name} did not ${goal} on ${LOOPBACK}:${this.opts.clientPort} within ${timeoutMs} ms (last: ${lastProblem}).${formatTail(tail)}`,
      tail,
    )
  }

  /**
   * The first answer on our port must come from our JVM, not from another ZooKeeper that held the
   * port: `envi` shows the answering server's classpath, which starts with this server's folder.
   */
  private async checkIdentity(proc: ManagedProcess): Promise<void> {
    if (this.identityChecked) return
    let envi: string
    try {
      envi = await sendFourLetterWord(this.opts.clientPort, 'envi', { timeoutMs: PROBE_TIMEOUT_MS })
    } catch (err) {
      if (err instanceof FourLetterWordError && err.code === 'NOT_WHITELISTED') {
        // Ours whitelists every word, so a refusal means someone else answered.
        throw this.foreignServer(proc, 'it does not allow envi')
      }
      throw err
    }
    const classpath = /^java\.class\.path=(.*)$/m.exec(envi)?.[1] ?? ''
    if (!classpath.split(/[:;]/).includes(this.opts.dir))
      throw this.foreignServer(proc, `its classpath is ${classpath.slice(0, 120)}`)
    this.identityChecked = true
  }

  private foreignServer(proc: ManagedProcess, why: string): ZooKeeperPortInUseError {
    const exited = proc.state === 'exited' ? ' and ours exited' : ''
    return new ZooKeeperPortInUseError(
      this.opts.clientPort,
      `Port ${this.opts.clientPort} on ${LOOPBACK} is answered by another ZooKeeper, not ${this.name} (${why})${exited}: ` +
        `stop that server, choose another port in settings, or leave the port unset so the lab picks a free one.`,
    )
  }

  private exitedError(proc: ManagedProcess): Error {
    const tail = proc.recentLines(LOG_TAIL_LINES)
    const exit = proc.exitInfo
    const how = exit?.signal ? `signal ${exit.signal}` : `code ${exit?.code ?? '?'}`
    if (tail.some((l) => /Address already in use|BindException/.test(l))) {
      const ports = [`client ${this.opts.clientPort}`]
      if (this.opts.quorumPort !== undefined)
        ports.push(`quorum ${this.opts.quorumPort}`, `election ${this.opts.electionPort}`)
      return new ZooKeeperPortInUseError(
        this.opts.clientPort,
        `${this.name} exited (${how}): one of its ports on ${LOOPBACK} (${ports.join(', ')}) is already in use: ` +
          `stop the process holding it, choose other ports in settings, or leave ports unset so the lab picks free ones.${formatTail(tail)}`,
      )
    }
    return new ZooKeeperStartError(`${this.name} exited (${how}) before it was ready.${formatTail(tail)}`, tail)
  }

  /** Records what srvr said: mode changes become events, the first serving answer is zk.ready. */
  private observe(result: SrvrResult): void {
    const mode = result.serving ? result.mode : undefined
    const epoch = result.serving ? epochOfZxid(result.zxid) : undefined
    if (mode !== this.mode && this.readyEmitted) {
      this.ctx.emit({
        time: Date.now(),
        source: 'lab',
        type: LabEventTypes.zkMode,
        ...this.ids(),
        mode: mode ?? 'not-serving',
        previous: this.mode ?? 'not-serving',
        ...(epoch !== undefined ? { epoch } : {}),
      })
    }
    this.mode = mode
    if (result.serving && !this.readyEmitted && this.alive) {
      this.readyEmitted = true
      const startMs = Date.now() - this.spawnedAt
      this.timings = { ...this.timings, servingMs: startMs }
      if (this.state === 'starting') this.state = 'running'
      this.ctx.emit({
        time: Date.now(),
        source: 'lab',
        type: LabEventTypes.zkReady,
        ...this.ids(),
        port: this.opts.clientPort,
        pid: this.proc?.pid,
        mode: result.mode,
        version: result.version,
        startMs,
      })
    }
  }
}

function formatTail(tail: string[]): string {
  return tail.length > 0 ? `\nLast lines of its log:\n${tail.join('\n')}` : ' It printed nothing.'
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}
