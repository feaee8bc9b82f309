import { execFile, spawn, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import {
  appendFileSync,
  closeSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  type PathLike,
} from 'node:fs'
import { mkdir, readdir } from 'node:fs/promises'
import { tmpdir, userInfo } from 'node:os'
import { dirname, join } from 'node:path'
import { promisify } from 'node:util'
import mysql, { type Connection } from 'mysql2/promise'
import { SOURCE_DATABASE } from '../../shared/binlog.js'
import { SETPRIV } from '../workers/supervisor.js'
import { findFreePorts, isPortFree, LOOPBACK } from '../zookeeper/ports.js'
import { processesListeningOn } from '../zookeeper/proc-net.js'
import { MariaDbPortInUseError, MariaDbStartError } from './errors.js'
import { findMariaDb, type MariaDbInstallation } from './installation.js'

/** The account the lab's workers (and external programs) read the binlog and write the load with. */
export const LAB_USER = 'zklab'

/** Between readiness probes: the server is ready ~0.4 s after it starts on a quiet machine. */
const POLL_MS = 100
const DEFAULT_READY_TIMEOUT_MS = 30_000
/** InnoDB flushes on SIGTERM; a loaded machine takes a few seconds. */
const DEFAULT_STOP_GRACE_MS = 20_000
const INSTALL_TIMEOUT_MS = 60_000
/** Unix socket paths are limited to 107 bytes on Linux (103 on macOS): longer ones go to a tmpdir. */
const MAX_SOCKET_PATH = 100
const LOG_TAIL_LINES = 15

export type MariaDbState = 'stopped' | 'starting' | 'running' | 'paused' | 'crashed'

export interface MariaDbExit {
  code: number | null
  signal: NodeJS.Signals | null
}

export interface MariaDbInstanceOptions {
  /** The instance's folder: data/ (the datadir, binlog included), the socket and the pid file. */
  dir: string
  /** Where the server's output goes (appended; restarts add to it). The lab: logs/mariadb.log. */
  logFile: string
  /** A fixed port; by default a free loopback port is picked once and kept across restarts. */
  port?: number
  /** Found with findMariaDb() when not given. */
  installation?: MariaDbInstallation
  readyTimeoutMs?: number
  stopGraceMs?: number
  /** Called when the server exits without the instance having asked it to (a crash, a kill from outside). */
  onUnexpectedExit?: (exit: MariaDbExit) => void
}

/** What `SHOW BINARY LOGS` lists. */
export interface BinlogFile {
  name: string
  size: number
}

/**
 * A private MariaDB server for one lab session or one test: its own datadir, bound to 127.0.0.1 on
 * its own port, a socket in its own folder, `--no-defaults` so no system configuration (or the
 * system service, which is never touched) leaks in. Binlog in ROW format with full row metadata and
 * GTIDs, which is what the binlog workload backs up. Its admin work happens over the socket as the
 * OS user's account mariadb-install-db made (unix_socket authentication, no password); the workers
 * get a lab user with a random password.
 */
export class MariaDbInstance {
  readonly installation: MariaDbInstallation
  private readonly password = randomBytes(18).toString('base64url')
  private port: number | undefined
  private proc: ChildProcess | undefined
  private exited: Promise<MariaDbExit> | undefined
  private expectingExit = false
  private currentState: MariaDbState = 'stopped'
  private readonly socketPath: string
  private readonly socketDir: string | undefined

  constructor(private readonly opts: MariaDbInstanceOptions) {
    this.installation = opts.installation ?? findMariaDb()
    this.port = opts.port
    const inDir = join(opts.dir, 'mysqld.sock')
    if (inDir.length <= MAX_SOCKET_PATH) this.socketPath = inDir
    else {
      this.socketDir = mkdtempSync(join(tmpdir(), 'zklab-mariadb-'))
      this.socketPath = join(this.socketDir, 'mysqld.sock')
    }
  }

  get dataDir(): string {
    return join(this.opts.dir, 'data')
  }

  get logFile(): string {
    return this.opts.logFile
  }

  get state(): MariaDbState {
    return this.currentState
  }

  /** The server's PID while it runs (or is paused). */
  get pid(): number | undefined {
    return this.alive ? this.proc?.pid : undefined
  }

  /** Where workers connect; the port is known once start() picked it. */
  get address(): { host: string; port: number } {
    if (this.port === undefined) throw new Error('The MariaDB source has no port yet: start it first.')
    return { host: LOOPBACK, port: this.port }
  }

  get credentials(): { user: string; password: string } {
    return { user: LAB_USER, password: this.password }
  }

  get socket(): string {
    return this.socketPath
  }

  private get alive(): boolean {
    return this.proc !== undefined && this.proc.exitCode === null && this.proc.signalCode === null
  }

  /**
   * Initialises the datadir when it is empty, starts the server and waits (bounded) until it accepts
   * connections, then makes sure the lab user and database exist. Throws a MariaDbPortInUseError
   * when the port is taken, a MariaDbStartError naming the log otherwise.
   */
  async start(): Promise<void> {
    if (this.alive) {
      if (this.currentState === 'paused')
        throw new Error('The MariaDB source is paused; resume it rather than start it.')
      return
    }
    await mkdir(this.opts.dir, { recursive: true })
    mkdirSync(dirname(this.opts.logFile), { recursive: true })
    this.port ??= (await findFreePorts(1))[0]
    await this.assertPortFree(this.port)
    if (!(await hasEntries(this.dataDir))) await this.installDb()
    this.spawnServer(this.port)
    try {
      await this.awaitReady()
      await this.ensureLabUser()
    } catch (err) {
      if (this.alive) await this.end('SIGKILL')
      throw err
    }
    this.currentState = 'running'
  }

  /** SIGTERM, and waits for the exit (SIGKILL after the grace period). */
  async stop(graceMs = this.opts.stopGraceMs ?? DEFAULT_STOP_GRACE_MS): Promise<MariaDbExit | undefined> {
    return this.end('SIGTERM', graceMs)
  }

  /** SIGKILL: a crash as far as the server knows; InnoDB recovers on the next start. */
  async kill(): Promise<MariaDbExit | undefined> {
    return this.end('SIGKILL')
  }

  pause(): void {
    if (this.currentState !== 'running')
      throw new Error(`The MariaDB source is ${this.currentState}; only a running one can be paused.`)
    this.signal('SIGSTOP')
    this.currentState = 'paused'
  }

  resume(): void {
    if (this.currentState !== 'paused') throw new Error(`The MariaDB source is ${this.currentState}, not paused.`)
    this.signal('SIGCONT')
    this.currentState = 'running'
  }

  /** Stop and start again: same port, same datadir, so the binlog continues where it was. */
  async restart(): Promise<void> {
    await this.stop()
    await this.start()
  }

  /** The server's current GTID position (`@@gtid_current_pos`; empty before the first transaction). */
  async gtid(): Promise<string> {
    return this.withAdmin(async (c) => {
      const [rows] = await c.query('SELECT @@gtid_current_pos AS gtid')
      return String((rows as Array<{ gtid: string }>)[0].gtid)
    })
  }

  /** The binlog files the server keeps, oldest first. */
  async binlogFiles(): Promise<BinlogFile[]> {
    return this.withAdmin(async (c) => {
      const [rows] = await c.query('SHOW BINARY LOGS')
      return (rows as Array<{ Log_name: string; File_size: number | string }>).map((r) => ({
        name: r.Log_name,
        size: Number(r.File_size),
      }))
    })
  }

  /** Runs `fn` on a fresh admin connection over the socket, closed afterwards. */
  async withAdmin<T>(fn: (c: Connection) => Promise<T>): Promise<T> {
    const c = await this.adminConnection()
    try {
      return await fn(c)
    } finally {
      await c.end().catch(() => c.destroy())
    }
  }

  /** The last lines of the server's log, for error messages. */
  logTail(n = LOG_TAIL_LINES): string[] {
    try {
      return readFileSync(this.opts.logFile, 'utf8').trimEnd().split('\n').slice(-n)
    } catch {
      return []
    }
  }

  /** Stops the server if it runs and removes the socket's tmpdir if one was made. */
  async dispose(): Promise<void> {
    await this.stop()
    if (this.socketDir) rmSync(this.socketDir, { recursive: true, force: true })
  }

  // ------------------------------------------------------------------------------------------ internals

  private async installDb(): Promise<void> {
    await mkdir(this.dataDir, { recursive: true })
    const log = openSync(this.opts.logFile, 'a')
    try {
      await promisify(execFile)(
        this.installation.installDb,
        [
          '--no-defaults',
          `--datadir=${this.dataDir}`,
          '--auth-root-authentication-method=socket',
          '--skip-test-db',
          '--skip-name-resolve',
          ...runAsArgs(),
        ],
        { timeout: INSTALL_TIMEOUT_MS, maxBuffer: 16 * 1024 * 1024 },
      ).then(({ stdout, stderr }) => appendTo(log, stdout + stderr))
    } catch (err) {
      const e = err as Error & { stdout?: string; stderr?: string }
      appendTo(log, `${e.stdout ?? ''}${e.stderr ?? ''}`)
      throw new MariaDbStartError(
        `mariadb-install-db could not initialise ${this.dataDir}: ${e.message.split('\n')[0]} (see ${this.opts.logFile}).`,
      )
    } finally {
      closeSync(log)
    }
  }

  private async assertPortFree(port: number): Promise<void> {
    if (await isPortFree(port)) return
    const holders = await processesListeningOn(port).catch(() => [])
    const by =
      holders.length > 0 ? ` by ${holders.map((h) => `pid ${h.pid} (${h.command.slice(0, 120)})`).join(', ')}` : ''
    throw new MariaDbPortInUseError(
      port,
      `Port ${port} on ${LOOPBACK} (the MariaDB source) is already in use${by}: stop that process, ` +
        `or leave the port unset so the lab picks a free one.`,
    )
  }

  private spawnServer(port: number): void {
    const args = [
      '--no-defaults',
      `--datadir=${this.dataDir}`,
      `--socket=${this.socketPath}`,
      `--bind-address=${LOOPBACK}`,
      `--port=${port}`,
      `--pid-file=${join(this.opts.dir, 'mariadb.pid')}`,
      '--log-bin',
      '--log-basename=mariadb',
      '--server-id=1',
      // The backup streams rows; MariaDB's default (MIXED) would log most changes as statements.
      '--binlog-format=ROW',
      '--binlog-row-metadata=FULL',
      '--skip-name-resolve',
      ...runAsArgs(),
    ]
    const log = openSync(this.opts.logFile, 'a')
    appendTo(log, `\n---- ${new Date().toISOString()} zklab starts mariadbd on ${LOOPBACK}:${port}\n`)
    // setpriv's parent-death signal ends the server when the lab dies, even by SIGKILL (as for every
    // child of the lab's supervisor); it execs, so the PID we hold is mariadbd's.
    const [command, argv] = SETPRIV
      ? [SETPRIV, ['--pdeathsig', 'KILL', '--', this.installation.mariadbd, ...args]]
      : [this.installation.mariadbd, args]
    const proc = spawn(command, argv, { stdio: ['ignore', log, log], detached: process.platform !== 'win32' })
    closeSync(log)
    this.proc = proc
    this.expectingExit = false
    this.currentState = 'starting'
    this.exited = new Promise((resolve) => {
      proc.once('error', () => resolve({ code: null, signal: null }))
      proc.once('exit', (code, signal) => resolve({ code, signal }))
    })
    void this.exited.then((exit) => {
      if (this.proc !== proc) return
      if (this.expectingExit) {
        this.currentState = 'stopped'
        return
      }
      this.currentState = 'crashed'
      this.opts.onUnexpectedExit?.(exit)
    })
  }

  private async awaitReady(): Promise<void> {
    const timeoutMs = this.opts.readyTimeoutMs ?? DEFAULT_READY_TIMEOUT_MS
    const deadline = Date.now() + timeoutMs
    let last = 'no answer yet'
    for (let attempt = 0; attempt < Math.ceil(timeoutMs / POLL_MS) + 1 && Date.now() < deadline; attempt++) {
      if (!this.alive) throw this.exitedError()
      try {
        const c = await this.adminConnection(Math.max(1000, deadline - Date.now()))
        await c.end().catch(() => c.destroy())
        return
      } catch (err) {
        last = (err as Error).message
      }
      await new Promise((r) => setTimeout(r, POLL_MS))
    }
    if (!this.alive) throw this.exitedError()
    throw new MariaDbStartError(
      `mariadbd did not accept connections on ${this.socketPath} within ${timeoutMs} ms (last: ${last}); ` +
        `its log is ${this.opts.logFile}:\n${this.logTail().join('\n')}`,
    )
  }

  private exitedError(): Error {
    const tail = this.logTail()
    if (tail.some((l) => /Address already in use|Bind on TCP\/IP port/.test(l)) && this.port !== undefined) {
      return new MariaDbPortInUseError(
        this.port,
        `mariadbd could not bind ${LOOPBACK}:${this.port}: the port is already in use (see ${this.opts.logFile}).`,
      )
    }
    const code = this.proc?.exitCode
    const signal = this.proc?.signalCode
    return new MariaDbStartError(
      `mariadbd exited while starting (${signal ? `signal ${signal}` : `code ${code}`}); its log is ${this.opts.logFile}:\n${tail.join('\n')}`,
    )
  }

  /**
   * The lab user and database, made over the socket with the binlog off for this session: the
   * source's GTIDs then count the workload's transactions only, from 0-1-1.
   */
  private async ensureLabUser(): Promise<void> {
    const privileges = 'REPLICATION SLAVE, REPLICATION CLIENT, BINLOG MONITOR, SELECT'
    await this.withAdmin(async (c) => {
      await c.query('SET SESSION sql_log_bin = 0')
      await c.query(`CREATE DATABASE IF NOT EXISTS \`${SOURCE_DATABASE}\``)
      // 127.0.0.1 for TCP (names are not resolved), localhost for the socket.
      for (const host of [LOOPBACK, 'localhost']) {
        await c.query('CREATE USER IF NOT EXISTS ?@? IDENTIFIED BY ?', [LAB_USER, host, this.password])
        await c.query('ALTER USER ?@? IDENTIFIED BY ?', [LAB_USER, host, this.password])
        await c.query(`GRANT ${privileges} ON *.* TO ?@?`, [LAB_USER, host])
        await c.query(`GRANT ALL ON \`${SOURCE_DATABASE}\`.* TO ?@?`, [LAB_USER, host])
      }
    })
  }

  private adminConnection(connectTimeout = 5000): Promise<Connection> {
    return mysql.createConnection({ socketPath: this.socketPath, user: userInfo().username, connectTimeout })
  }

  private signal(signal: NodeJS.Signals): void {
    if (!this.alive) throw new Error(`The MariaDB source is ${this.currentState}.`)
    this.proc!.kill(signal)
  }

  private async end(signal: 'SIGTERM' | 'SIGKILL', graceMs = 0): Promise<MariaDbExit | undefined> {
    const proc = this.proc
    if (!proc || !this.alive) {
      if (this.currentState !== 'crashed') this.currentState = 'stopped'
      return undefined
    }
    this.expectingExit = true
    // A paused server cannot act on SIGTERM until it runs again.
    if (this.currentState === 'paused') proc.kill('SIGCONT')
    proc.kill(signal)
    let timer: NodeJS.Timeout | undefined
    const exit = await Promise.race([
      this.exited!,
      new Promise<undefined>((r) => {
        timer = signal === 'SIGTERM' ? setTimeout(() => r(undefined), graceMs) : undefined
      }),
    ])
    clearTimeout(timer)
    if (exit) {
      this.currentState = 'stopped'
      return exit
    }
    proc.kill('SIGKILL')
    const killed = await this.exited!
    this.currentState = 'stopped'
    return killed
  }
}

/** mariadbd refuses to run as root unless told to (and mariadb-install-db then chowns to that user). */
function runAsArgs(): string[] {
  return process.getuid?.() === 0 ? ['--user=root'] : []
}

async function hasEntries(dir: PathLike): Promise<boolean> {
  try {
    return (await readdir(dir)).length > 0
  } catch {
    return false
  }
}

function appendTo(fd: number, text: string): void {
  if (text) appendFileSync(fd, text)
}
