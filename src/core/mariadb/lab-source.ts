import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { SourceAction, SourceSettings } from '../../shared/api.js'
import type { MariaDbStopped } from '../../shared/events/lab-events.js'
import { LabEventTypes, type DistributiveOmit, type UnsequencedEvent } from '../../shared/events.js'
import { SOURCE_PASSWORD_ENV } from '../../shared/worker-launch/index.js'
import { mariaDbDir, mariaDbLogPath } from '../session-folder/index.js'
import { readBinlogHistory, writeSourceHistory } from './history.js'
import type { MariaDbInstallation } from './installation.js'
import { MariaDbInstance } from './instance.js'
import { LoadGenerator } from './load-generator.js'

/** How often the source's position is looked at; recorded only when it moved. */
const POSITION_INTERVAL_MS = 1000
/** A position query that takes longer is given up (a loaded machine; the next tick tries again). */
const POSITION_TIMEOUT_MS = 2000

/** The environment an external program of a binlog task reads the source from (documented in the README). */
export const SOURCE_ENV = { address: 'ZKLAB_SOURCE', user: 'ZKLAB_SOURCE_USER', password: SOURCE_PASSWORD_ENV } as const

export interface LabSourceContext {
  sessionDir: string
  /** Journals one lab event. */
  emit: (event: UnsequencedEvent) => void
  installation?: MariaDbInstallation
}

/**
 * The session's MariaDB source as the lab runs it: the private server (datadir `mariadb/`, log
 * `logs/mariadb.log`), its load generator, the faults the lab applies to it, and the mariadb.*
 * events that tell the journal (and so every view) what it did. At the session's end the load
 * stops, the source's history is read back from its binlog into `source/binlog.jsonl`, and the
 * server stops.
 */
export class LabSource {
  readonly instance: MariaDbInstance
  /** Made at the first start, once the port is known; it keeps that address through restarts. */
  private load: LoadGenerator | undefined
  private positionTimer: NodeJS.Timeout | undefined
  private lastPosition = ''
  private polling = false
  /** Whether it ever came up: a source that never did has no history to read back. */
  private started = false

  constructor(
    private readonly ctx: LabSourceContext,
    readonly settings: SourceSettings,
  ) {
    this.instance = new MariaDbInstance({
      dir: mariaDbDir(ctx.sessionDir),
      logFile: mariaDbLogPath(ctx.sessionDir),
      ...(ctx.installation ? { installation: ctx.installation } : {}),
      onUnexpectedExit: (exit) => this.stopped({ reason: 'crashed', code: exit.code, signal: exit.signal }),
    })
  }

  /** `host:port`, as the task worker's --source flag takes it. */
  get address(): string {
    const { host, port } = this.instance.address
    return `${host}:${port}`
  }

  get user(): string {
    return this.instance.credentials.user
  }

  /** The environment a binlog task's worker gets: the password (never a flag), and for external programs the rest. */
  workerEnv(): Record<string, string> {
    return {
      [SOURCE_ENV.address]: this.address,
      [SOURCE_ENV.user]: this.user,
      [SOURCE_ENV.password]: this.instance.credentials.password,
    }
  }

  /** Starts the server, then the load at the settings' rate, and the position's recording. */
  async start(): Promise<void> {
    await this.startServer()
    if (!this.load) {
      this.load = new LoadGenerator({ connection: this.connection() })
      await this.load.start({ rate: this.settings.rate })
    }
    this.positionTimer ??= setInterval(() => void this.recordPosition(), POSITION_INTERVAL_MS)
    this.positionTimer.unref()
  }

  /**
   * A fault or a repair. The load generator keeps running through all of them: it retries on a new
   * connection, and records a commit it could not confirm as unknown.
   */
  async action(action: SourceAction): Promise<void> {
    switch (action) {
      case 'start':
        return this.startServer()
      case 'stop':
      case 'kill': {
        const exit = action === 'stop' ? await this.instance.stop() : await this.instance.kill()
        if (exit) this.stopped({ reason: action, code: exit.code, signal: exit.signal })
        return
      }
      case 'restart': {
        const exit = await this.instance.stop()
        if (exit) this.stopped({ reason: 'restart', code: exit.code, signal: exit.signal })
        return this.startServer()
      }
      case 'pause':
        this.instance.pause()
        this.event({ type: LabEventTypes.mariadbPaused })
        return
      case 'resume':
        this.instance.resume()
        this.event({ type: LabEventTypes.mariadbResumed })
        return
    }
  }

  /** A new steady rate, a rate for `forMs`, or a burst of extra transactions; journalled as mariadb.load. */
  changeLoad(change: { rate?: number; forMs?: number; burst?: number }): void {
    if (!this.load) throw new Error('The MariaDB source has not started yet.')
    if (change.burst !== undefined) this.load.burst({ count: change.burst })
    else if (change.rate !== undefined && change.forMs !== undefined)
      this.load.burst({ rate: change.rate, durationMs: change.forMs })
    else if (change.rate !== undefined) this.load.setRate(change.rate)
    this.event({ type: LabEventTypes.mariadbLoad, ...change })
  }

  /**
   * The session's end: the load stops, the history is read back (from the running server, or from
   * its binlog files when it is down), then the server stops. Never throws: what failed is said in
   * the journal and the server is stopped regardless.
   */
  async close(): Promise<void> {
    clearInterval(this.positionTimer)
    this.positionTimer = undefined
    try {
      if (this.instance.state === 'paused') this.instance.resume()
      if (this.load) {
        await this.load.stop()
        const { committed, failed, unknown, abandoned, lastChangeId } = this.load.stats()
        this.event({
          type: LabEventTypes.mariadbLoadStopped,
          committed,
          failed,
          unknown,
          abandoned,
          lastChangeId,
          unknownChangeIds: this.load.unknownChangeIds().slice(0, 1000),
        })
      }
      await this.recordPosition(true)
      if (this.started) await this.saveHistory()
    } catch (err) {
      this.event({
        type: LabEventTypes.log,
        level: 'error',
        stream: 'stderr',
        line: `The MariaDB source's history could not be read back: ${(err as Error).message}`,
      })
    } finally {
      const exit = await this.instance.stop().catch(() => this.instance.kill())
      if (exit) this.stopped({ reason: 'session-closed', code: exit.code, signal: exit.signal })
      await this.instance.dispose().catch(() => undefined)
    }
  }

  /** Synchronous last resort for process exit handlers: SIGKILL by PID. */
  killNow(): void {
    const pid = this.instance.pid
    if (pid === undefined) return
    for (const signal of ['SIGCONT', 'SIGKILL'] as const) {
      try {
        process.kill(pid, signal)
      } catch {
        return
      }
    }
  }

  // ------------------------------------------------------------------------------------------ internals

  private async startServer(): Promise<void> {
    await this.instance.start()
    this.started = true
    const gtid = await this.instance.gtid().catch(() => '')
    this.event({ type: LabEventTypes.mariadbStarted, port: this.instance.address.port, pid: this.instance.pid!, gtid })
  }

  private async saveHistory(): Promise<void> {
    const source =
      this.instance.state === 'running'
        ? { server: this.connection() }
        : { files: binlogFilesOnDisk(this.instance.dataDir) }
    const txs = await readBinlogHistory(source, { program: this.instance.installation.binlog })
    await writeSourceHistory(this.ctx.sessionDir, txs)
  }

  /** Records the GTID and the binlog files when they changed since the last record. */
  private async recordPosition(force = false): Promise<void> {
    if (this.polling || this.instance.state !== 'running') return
    this.polling = true
    try {
      const position = await withTimeout(
        Promise.all([this.instance.gtid(), this.instance.binlogFiles()]),
        POSITION_TIMEOUT_MS,
      )
      if (!position) return
      const [gtid, binlogFiles] = position
      const key = JSON.stringify(position)
      if (key === this.lastPosition && !force) return
      this.lastPosition = key
      const load = this.load?.stats()
      this.event({
        type: LabEventTypes.mariadbPosition,
        gtid,
        binlogFiles,
        ...(load
          ? { load: { rate: load.rate, committed: load.committed, failed: load.failed, unknown: load.unknown } }
          : {}),
      })
    } catch {
      // Down or restarting between the state check and the query: its events say so.
    } finally {
      this.polling = false
    }
  }

  private stopped(fields: MariaDbStopped): void {
    this.event({ type: LabEventTypes.mariadbStopped, level: fields.reason === 'crashed' ? 'warn' : 'info', ...fields })
  }

  private event(fields: DistributiveOmit<UnsequencedEvent, 'time' | 'source'>): void {
    this.ctx.emit({ time: Date.now(), source: 'lab', ...fields })
  }

  private connection() {
    return { ...this.instance.address, ...this.instance.credentials }
  }
}

/** The binlog files a stopped server left, in order, from its index file. */
function binlogFilesOnDisk(dataDir: string): string[] {
  const index = readFileSync(join(dataDir, 'mariadb-bin.index'), 'utf8')
  return index
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean)
    .map((name) => join(dataDir, name.replace(/^\.\//, '')))
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise<undefined>((resolve) => {
      timer = setTimeout(() => resolve(undefined), ms)
    }),
  ])
}
