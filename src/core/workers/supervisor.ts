import { spawn, type ChildProcess } from 'node:child_process'
import { accessSync, constants, createWriteStream, existsSync, mkdirSync, statSync, type WriteStream } from 'node:fs'
import { delimiter, isAbsolute, join, resolve } from 'node:path'
import { LabEventTypes, type UnsequencedEvent } from '../../shared/events.js'
import type { ClockSkew, LaunchSettings } from '../../shared/worker-launch/index.js'
import { parseChildLine } from './child-line.js'
import { faketimeEnv } from './faketime.js'
import { LineSplitter } from './line-splitter.js'
import { LogRateLimiter } from './log-rate.js'
import { startReaper, type Reaper } from './reaper.js'

export type ProcessKind = 'zookeeper' | 'worker' | 'publisher' | 'monitor' | 'observer' | 'external'

export interface ProcessSpec {
  /** Unique within a session: `zk-1`, `worker-task01-2`, `monitor`, … Also the log file's name. */
  name: string
  kind: ProcessKind
  command: string
  args: string[]
  env?: Record<string, string>
  cwd?: string
  /** Stdout lines that are JSON objects with a `type` become events; everything else is a log line. */
  jsonEvents?: boolean
  /** Restart after an exit the lab did not ask for, with exponential backoff. */
  restart?: { maxRestarts: number; backoffMs: number }
  /** Free-form labels carried into the process.spawned event (task, worker id, …). */
  labels?: Record<string, string | number>
  /** Which program it is and the settings it runs with (the lab's programs and external workers), recorded in process.spawned. */
  settings?: LaunchSettings
  /**
   * Its wall clock set apart (libfaketime). Its events' `time` is then the lab's clock when their line
   * was read, and what the child said is kept as `ownTime`: one time axis for every process.
   */
  clock?: ClockSkew
}

export interface ExitInfo {
  code: number | null
  signal: NodeJS.Signals | null
}

export type ProcessState = 'running' | 'paused' | 'exited'

export interface ManagedProcess {
  readonly name: string
  readonly spec: ProcessSpec
  readonly pid: number
  readonly state: ProcessState
  readonly startedAt: number
  readonly exitInfo: ExitInfo | undefined
  /** True once the lab asked it to end (stop, kill, stopAll): its exit is not a crash. */
  readonly expectedExit: boolean
  readonly exited: Promise<ExitInfo>
  recentLines(n: number): string[]
}

type Emit = (event: UnsequencedEvent) => void

const RECENT_LINES = 200
const DEFAULT_GRACE_MS = 5000
/**
 * How long stopAll waits, after every child exited, for their output to be read to the end. A
 * process's exit is often seen before its last lines, and a child it left behind may hold the pipe.
 */
const DRAIN_MS = 2000
/** A longer line is cut here and marked with how much was cut (`… [N bytes cut]`). */
export const MAX_LINE_BYTES = 64 * 1024
/**
 * Plain output lines a child may add per second, with as many again as a burst. The log-pipeline
 * bench drives up to 10,000 lines/s per worker; a program like `yes` writes far more than the lab can
 * journal. Over the rate, lines are dropped and counted (one event a second says how many), and the
 * pipe is still read at full speed, so the child is never blocked. Events of the lab's own programs
 * (JSON lines) are never dropped: the checker grades from them.
 */
export const LOG_LINES_PER_SECOND = 20_000
/** A child that ran this long before it crashed starts its restart count afresh. */
export const STABLE_RUN_MS = 60_000
/** Process groups exist on Linux and macOS; each child leads its own. */
const GROUPS = process.platform !== 'win32'

/**
 * Linux's parent-death signal makes the kernel SIGKILL a child when the lab itself dies, even by
 * SIGKILL. It reaches the direct child only; the reaper ends the rest of its group. `setpriv` sets it
 * and then execs the real command, so the PID we hold is the real program's and its group's id.
 */
export const SETPRIV = ['/usr/bin/setpriv', '/bin/setpriv'].find((p) => process.platform === 'linux' && existsSync(p))

class Child implements ManagedProcess {
  readonly startedAt = Date.now()
  state: ProcessState = 'running'
  exitInfo: ExitInfo | undefined
  /** Set when the lab itself stopped or killed it, so the exit is not treated as a crash. */
  expectedExit = false
  readonly exited: Promise<ExitInfo>
  /** Resolves when its stdout and stderr are closed too: everything it wrote has been read. */
  readonly drained: Promise<void>
  /** Resolves once nothing of its process group is left (set by the supervisor at spawn). */
  groupEnded: Promise<void> = Promise.resolve()
  /** Its group may still have members: it is not yet known to be empty. */
  groupOpen = false
  readonly logRate = new LogRateLimiter(LOG_LINES_PER_SECOND, LOG_LINES_PER_SECOND)
  dropReport: NodeJS.Timeout | undefined
  private readonly lines: string[] = []

  constructor(
    readonly spec: ProcessSpec,
    readonly proc: ChildProcess,
  ) {
    this.drained = new Promise((resolve) => proc.once('close', () => resolve()))
    this.exited = new Promise((resolve) => {
      proc.once('exit', (code, signal) => {
        this.state = 'exited'
        this.exitInfo = { code, signal }
        resolve(this.exitInfo)
      })
    })
  }

  get name(): string {
    return this.spec.name
  }

  get pid(): number {
    return this.proc.pid ?? -1
  }

  remember(line: string): void {
    this.lines.push(line)
    if (this.lines.length > RECENT_LINES) this.lines.splice(0, this.lines.length - RECENT_LINES)
  }

  recentLines(n: number): string[] {
    return this.lines.slice(-n)
  }
}

/**
 * Starts, signals and watches every child process of a session: ZooKeeper servers, workers, the
 * publisher, monitor and observer. Each child's output goes to `logs/<name>.log` and into the event
 * stream; each exit is recorded with its code or signal.
 */
export class Supervisor {
  private readonly children = new Map<string, Child>()
  private readonly logs = new Map<string, WriteStream>()
  private readonly restartTimers = new Map<string, NodeJS.Timeout>()
  private readonly restartCounts = new Map<string, number>()
  private closing = false
  /** After stopAll: the logs are ended and the session may be gone; late output is dropped. */
  private ended = false
  /** Started with the first child; ends every process group still listed if the lab dies. */
  private reaper: Reaper | undefined

  constructor(private readonly opts: { logDir: string; emit: Emit; stableRunMs?: number }) {
    mkdirSync(opts.logDir, { recursive: true })
  }

  /** The reaper's PID, once a child was started (tests use it). */
  get reaperPid(): number | undefined {
    return this.reaper?.pid
  }

  private emit(event: UnsequencedEvent): void {
    if (!this.ended) this.opts.emit(event)
  }

  spawn(spec: ProcessSpec): ManagedProcess {
    const current = this.children.get(spec.name)
    if (current && current.state !== 'exited') {
      throw new Error(`A process named ${spec.name} is already running (pid ${current.pid}); stop it first.`)
    }
    if (this.closing) throw new Error(`The lab is shutting down; ${spec.name} was not started.`)
    if (!findExecutable(spec.command, spec.env?.PATH ?? process.env.PATH)) {
      throw new Error(`Cannot start ${spec.name}: ${spec.command} is not an executable file or a program on PATH.`)
    }
    // Before anything starts: a clock that cannot be skewed is an error naming the install, not a quiet real clock.
    const clockEnv = spec.clock
      ? faketimeEnv(spec.clock, spec.name, undefined, spec.env?.LD_PRELOAD ?? process.env.LD_PRELOAD)
      : {}
    const [command, args] = SETPRIV
      ? [SETPRIV, ['--pdeathsig', 'KILL', '--', spec.command, ...spec.args]]
      : [spec.command, spec.args]
    this.reaper ??= GROUPS ? startReaper((message) => this.warn('lab', message)) : undefined
    const proc = spawn(command, args, {
      cwd: spec.cwd,
      env: { ...process.env, ...spec.env, ...clockEnv },
      // stdin stays a pipe: our Node children exit when it closes, a second guard against orphans.
      stdio: ['pipe', 'pipe', 'pipe'],
      // Its own session and process group (setpriv execs, so the group id is the program's PID):
      // signals reach its children too, and a terminal's Ctrl-C reaches the lab, not the children.
      detached: GROUPS,
    })
    const child = new Child(spec, proc)
    this.children.set(spec.name, child)
    const log = this.logFor(spec.name)
    if (GROUPS && proc.pid !== undefined) {
      const group = proc.pid
      child.groupOpen = true
      this.reaper?.watch(group)
      // Once it exited and its output was read to the end (or the drain bound passed), whatever is
      // left of its group (a helper it started in the background) goes with it.
      child.groupEnded = child.exited
        .then(() => Promise.race([child.drained, new Promise<void>((r) => setTimeout(r, DRAIN_MS).unref())]))
        .then(() => {
          killGroupIfAny(group)
          child.groupOpen = false
          this.reaper?.forget(group)
        })
    }

    proc.once('error', (err) => {
      // Spawn failures (ENOENT, EACCES) arrive here, not as a throw.
      this.emit({
        time: Date.now(),
        source: spec.name,
        type: LabEventTypes.log,
        level: 'error',
        stream: 'stderr',
        line: `could not start ${spec.command}: ${err.message}`,
      })
    })
    for (const [stream, readable] of [
      ['stdout', proc.stdout],
      ['stderr', proc.stderr],
    ] as const) {
      if (!readable) continue
      const jsonEvents = spec.jsonEvents === true && stream === 'stdout'
      const splitter = new LineSplitter(MAX_LINE_BYTES, (line) => {
        // Past stopAll's drain bound (a child's leftover still writing): the log is ended, drop it.
        if (this.ended) return
        const mayBeEvent = jsonEvents && line.startsWith('{')
        // Over the rate, a plain line is dropped before any work is spent on it.
        if (!mayBeEvent && !this.admitLine(child)) return
        const event = parseChildLine(spec.name, stream, line, jsonEvents, Date.now(), spec.clock !== undefined)
        if (mayBeEvent && event.type === LabEventTypes.log && !this.admitLine(child)) return
        log.write(line + '\n')
        child.remember(line)
        this.emit(event)
      })
      readable.on('data', (chunk: Buffer) => splitter.push(chunk))
      readable.once('end', () => splitter.end())
    }
    void child.drained.then(() => this.reportDropped(child))
    // A child that has already died makes writes to its stdin fail with EPIPE; nothing to do about it.
    proc.stdin?.on('error', () => {})

    if (proc.pid !== undefined) {
      this.emit({
        time: Date.now(),
        source: 'lab',
        type: LabEventTypes.processSpawned,
        name: spec.name,
        kind: spec.kind,
        pid: proc.pid,
        command: spec.command,
        args: spec.args,
        ...(spec.labels ? { labels: spec.labels } : {}),
        ...(spec.settings ? { settings: spec.settings } : {}),
        ...(spec.clock ? { clock: spec.clock } : {}),
      })
    }
    void child.exited.then((info) => this.onExit(child, info))
    return child
  }

  get(name: string): ManagedProcess | undefined {
    return this.children.get(name)
  }

  list(): ManagedProcess[] {
    return [...this.children.values()]
  }

  /** SIGTERM, then SIGKILL once the grace period is over. */
  async stop(name: string, graceMs = DEFAULT_GRACE_MS): Promise<ExitInfo> {
    const child = this.require(name)
    this.cancelRestart(name)
    if (child.state === 'exited') return child.exitInfo!
    child.expectedExit = true
    this.action(name, 'stop')
    // A stopped (SIGSTOPped) process cannot act on SIGTERM until it runs again.
    if (child.state === 'paused') this.signal(child, 'SIGCONT')
    this.signal(child, 'SIGTERM')
    const timer = setTimeout(() => this.signal(child, 'SIGKILL'), graceMs)
    try {
      return await child.exited
    } finally {
      clearTimeout(timer)
    }
  }

  /** SIGKILL: no chance to clean up, the way a crash or an OOM kill ends a process. */
  async kill(name: string): Promise<ExitInfo> {
    const child = this.require(name)
    this.cancelRestart(name)
    if (child.state === 'exited') return child.exitInfo!
    child.expectedExit = true
    this.action(name, 'kill')
    this.signal(child, 'SIGKILL')
    return child.exited
  }

  /** SIGSTOP: the process keeps its sockets but does nothing, like a long GC pause. */
  pause(name: string): void {
    const child = this.require(name)
    if (child.state !== 'running') throw new Error(`${name} is ${child.state}, not running; it cannot be paused.`)
    this.action(name, 'pause')
    this.signal(child, 'SIGSTOP')
    child.state = 'paused'
  }

  resume(name: string): void {
    const child = this.require(name)
    if (child.state !== 'paused') throw new Error(`${name} is ${child.state}, not paused; there is nothing to resume.`)
    this.action(name, 'resume')
    this.signal(child, 'SIGCONT')
    child.state = 'running'
  }

  /** Stops the process if it runs, then starts the same program again under the same name. */
  async restart(name: string, graceMs = DEFAULT_GRACE_MS): Promise<ManagedProcess> {
    const child = this.require(name)
    this.action(name, 'restart')
    if (child.state !== 'exited') await this.stop(name, graceMs)
    return this.spawn(child.spec)
  }

  /** Ends every child; used when a session closes and on the lab's own exit. */
  async stopAll(graceMs = DEFAULT_GRACE_MS): Promise<void> {
    this.closing = true
    for (const name of this.restartTimers.keys()) this.cancelRestart(name)
    const running = [...this.children.values()].filter((c) => c.state !== 'exited')
    await Promise.all(running.map((c) => this.stop(c.name, graceMs)))
    let timer: NodeJS.Timeout | undefined
    await Promise.race([
      Promise.all([...this.children.values()].map((c) => c.drained)),
      new Promise<void>((resolve) => (timer = setTimeout(resolve, DRAIN_MS))),
    ])
    clearTimeout(timer)
    // Every group is empty within the drain bound of its leader's exit.
    await Promise.all([...this.children.values()].map((c) => c.groupEnded))
    this.reaper?.close()
    for (const child of this.children.values()) this.reportDropped(child)
    this.ended = true
    await Promise.all([...this.logs.values()].map((s) => new Promise<void>((r) => s.end(r))))
    this.logs.clear()
  }

  /** Synchronous last resort for process exit handlers, where nothing can be awaited. */
  killAllNow(): void {
    this.closing = true
    for (const child of this.children.values()) {
      if (child.state !== 'exited') this.signal(child, 'SIGKILL')
      // An exited leader's group may still hold its background helpers.
      else if (child.groupOpen) killGroupIfAny(child.pid)
    }
  }

  private onExit(child: Child, info: ExitInfo): void {
    const expected = child.expectedExit
    this.emit({
      time: Date.now(),
      source: 'lab',
      type: LabEventTypes.processExited,
      level: expected || info.code === 0 ? 'info' : 'warn',
      name: child.name,
      pid: child.pid,
      code: info.code,
      signal: info.signal,
      expected,
    })
    const policy = child.spec.restart
    // Only restart the process that is still the current one under this name, and never on purpose-stops.
    if (!policy || expected || this.closing || this.children.get(child.name) !== child) return
    // A crash after a long stable run is a new problem, not the same one again: the backoff starts over.
    if (Date.now() - child.startedAt >= (this.opts.stableRunMs ?? STABLE_RUN_MS)) this.restartCounts.delete(child.name)
    const count = this.restartCounts.get(child.name) ?? 0
    if (count >= policy.maxRestarts) {
      this.emit({
        time: Date.now(),
        source: 'lab',
        type: LabEventTypes.processGaveUp,
        level: 'error',
        name: child.name,
        restarts: count,
        code: info.code,
        signal: info.signal,
        message: `${child.name} exited (${info.signal ?? `code ${info.code}`}) after ${count} restart(s); the lab does not restart it again`,
      })
      return
    }
    this.restartCounts.set(child.name, count + 1)
    const delay = policy.backoffMs * 2 ** count
    this.restartTimers.set(
      child.name,
      setTimeout(() => {
        this.restartTimers.delete(child.name)
        if (!this.closing && this.children.get(child.name) === child) this.spawn(child.spec)
      }, delay),
    )
  }

  private cancelRestart(name: string): void {
    const timer = this.restartTimers.get(name)
    if (timer) clearTimeout(timer)
    this.restartTimers.delete(name)
  }

  /** Signals the child's whole process group: pausing a worker pauses everything it started. */
  private signal(child: Child, signal: NodeJS.Signals): void {
    if (child.state === 'exited' || child.pid < 0) return
    try {
      process.kill(GROUPS ? -child.pid : child.pid, signal)
    } catch (err) {
      // ESRCH: it died between our check and the signal; its exit event is on its way.
      if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err
    }
  }

  private admitLine(child: Child): boolean {
    if (child.logRate.admit()) return true
    // The first drop in a second schedules that second's report; the rest are only counted.
    child.dropReport ??= setTimeout(() => this.reportDropped(child), 1000)
    return false
  }

  /** One event per second per child at most: how many of its lines were over the rate and dropped. */
  private reportDropped(child: Child): void {
    clearTimeout(child.dropReport)
    child.dropReport = undefined
    const dropped = child.logRate.takeDropped()
    if (dropped === 0 || this.ended) return
    const message = `${dropped} lines dropped: over ${LOG_LINES_PER_SECOND} lines/s`
    this.logs.get(child.name)?.write(`[lab] ${message}\n`)
    this.emit({
      time: Date.now(),
      source: 'lab',
      type: LabEventTypes.logDropped,
      level: 'warn',
      name: child.name,
      dropped,
      message,
    })
  }

  private warn(source: string, line: string): void {
    this.emit({ time: Date.now(), source, type: LabEventTypes.log, level: 'warn', stream: 'stderr', line })
  }

  private action(name: string, action: 'stop' | 'kill' | 'pause' | 'resume' | 'restart'): void {
    this.emit({ time: Date.now(), source: 'lab', type: LabEventTypes.processAction, name, action })
  }

  private require(name: string): Child {
    const child = this.children.get(name)
    if (!child) throw new Error(`No process named ${name} in this session.`)
    return child
  }

  private logFor(name: string): WriteStream {
    let stream = this.logs.get(name)
    if (!stream) {
      const file = join(this.opts.logDir, `${name}.log`)
      stream = createWriteStream(file, { flags: 'a', mode: 0o600 })
      // A log that cannot be written (full disk, unwritable logs/) is a warning, not a crash: the
      // journal keeps every line too. The stream is destroyed after its first error; later writes
      // to it fail quietly, and the warning comes once.
      let warned = false
      stream.on('error', (err: NodeJS.ErrnoException) => {
        if (warned) return
        warned = true
        this.emit({
          time: Date.now(),
          source: 'lab',
          type: LabEventTypes.log,
          level: 'warn',
          stream: 'stderr',
          line: `the log file ${file} cannot be written (${err.code ?? err.message}); ${name}'s output is still in the journal`,
        })
      })
      this.logs.set(name, stream)
    }
    return stream
  }
}

/**
 * SIGKILL for what is left of an exited child's process group. The group id cannot name anyone else
 * while a member lives (the kernel does not reuse it); with no member left, kill fails with ESRCH.
 */
function killGroupIfAny(group: number): void {
  if (group < 2) return
  for (const signal of ['SIGCONT', 'SIGKILL'] as const) {
    try {
      process.kill(-group, signal)
    } catch {
      return
    }
  }
}

/** The command's path if it can be executed: as given when it names a file, else looked up on PATH. */
export function findExecutable(command: string, pathEnv = process.env.PATH ?? ''): string | undefined {
  const candidates = command.includes('/')
    ? [isAbsolute(command) ? command : resolve(command)]
    : pathEnv
        .split(delimiter)
        .filter(Boolean)
        .map((dir) => join(dir, command))
  return candidates.find((file) => {
    try {
      accessSync(file, constants.X_OK)
      return statSync(file).isFile()
    } catch {
      return false
    }
  })
}
