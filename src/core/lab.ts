import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { homedir } from 'node:os'
import { join, resolve } from 'node:path'
import {
  AddWorkersInput,
  CreateSessionInput,
  ProcessActionInput,
  TaskInput,
  ZooKeeperActionInput,
  ZooKeeperOptions,
  type LabApi,
  type SessionInfo,
  type Unsubscribe,
} from '../shared/api.js'
import { LabEventTypes, type LabEvent, type UnsequencedEvent } from '../shared/events.js'
import { applyEvent, emptyLabState, LAB_ROOT, type LabState } from '../shared/lab-state.js'
import { Journal } from './journal/journal.js'
import { EventBatcher } from './journal/event-batcher.js'
import { programCommand } from './workers/programs.js'
import { Supervisor } from './workers/supervisor.js'
import { createZooKeeper, type ZooKeeperRuntime } from './zookeeper/index.js'

const LAB_VERSION = '0.1.0'

/** Where sessions go when neither a folder nor a sessions directory is given. */
export function defaultSessionsDir(): string {
  return process.env.ZKLAB_SESSIONS ?? join(homedir(), '.zklab', 'sessions')
}

interface ActiveSession {
  info: SessionInfo
  journal: Journal
  supervisor: Supervisor
  zookeeper?: ZooKeeperRuntime
  workerCounters: Map<string, number>
  publisherRuns: number
  monitorSettings: { commitIntervalMs: number }
}

/** Every Lab alive in this process, so an exiting process can take its children with it. */
const liveLabs = new Set<Lab>()
let exitHookInstalled = false

/**
 * The lab engine's facade: one session at a time, with its ZooKeeper, its child processes and its
 * journal. Every shell (CLI, Electron, browser bridge) drives the lab through these methods only.
 */
export class Lab implements LabApi {
  private active?: ActiveSession
  private readonly liveState: LabState = emptyLabState()
  private readonly eventListeners = new Set<(event: LabEvent) => void>()
  private readonly batcher = new EventBatcher()

  constructor() {
    liveLabs.add(this)
    installExitHook()
  }

  /** The live state, updated synchronously as each event is journalled. Read-only for callers. */
  get state(): LabState {
    return this.liveState
  }

  get sessionDir(): string | undefined {
    return this.active?.info.dir
  }

  get zookeeper(): ZooKeeperRuntime | undefined {
    return this.active?.zookeeper
  }

  /** Every event, one at a time, right after it is journalled (for in-process consumers). */
  onEvent(listener: (event: LabEvent) => void): Unsubscribe {
    this.eventListeners.add(listener)
    return () => this.eventListeners.delete(listener)
  }

  subscribe(listener: (batch: LabEvent[]) => void): Unsubscribe {
    return this.batcher.subscribe(listener)
  }

  /** Records a lab-level event (scenario steps, failovers) in the session's journal. */
  record(event: Omit<UnsequencedEvent, 'time' | 'source'> & { time?: number; source?: string }): LabEvent {
    const session = this.requireSession()
    return session.journal.append({ time: Date.now(), source: 'lab', ...event } as UnsequencedEvent)
  }

  async createSession(input: CreateSessionInput = {}): Promise<SessionInfo> {
    const options = CreateSessionInput.parse(input)
    if (this.active) throw new Error(`A session is already open in ${this.active.info.dir}; close it first.`)
    const createdAt = Date.now()
    const name = options.name ?? 'session'
    const dir = resolve(options.dir ?? join(options.sessionsDir ?? defaultSessionsDir(), `${stamp(createdAt)}-${slug(name)}`))
    for (const sub of ['logs', 'sinks', 'zookeeper']) mkdirSync(join(dir, sub), { recursive: true })
    const journal = new Journal(join(dir, 'events.jsonl'))
    journal.subscribe((event) => {
      applyEvent(this.liveState, event)
      for (const listener of this.eventListeners) listener(event)
      this.batcher.push(event)
    })
    const supervisor = new Supervisor({ logDir: join(dir, 'logs'), emit: (e) => journal.append(e) })
    const info: SessionInfo = { dir, name, createdAt }
    this.active = { info, journal, supervisor, workerCounters: new Map(), publisherRuns: 0, monitorSettings: { commitIntervalMs: 1000 } }
    writeSessionFile(dir, {
      name,
      createdAt: new Date(createdAt).toISOString(),
      scenario: options.scenario,
      root: LAB_ROOT,
      versions: { lab: LAB_VERSION, node: process.version, platform: `${process.platform}-${process.arch}` },
    })
    journal.append({ time: createdAt, source: 'lab', type: LabEventTypes.sessionCreated, dir, name })
    return info
  }

  async startZooKeeper(input: ZooKeeperOptions = {}): Promise<LabState['zookeeper']> {
    const session = this.requireSession()
    const options = ZooKeeperOptions.parse(input)
    if (session.zookeeper) throw new Error('ZooKeeper is already started in this session.')
    const runtime = createZooKeeper(options, {
      sessionDir: session.info.dir,
      supervisor: session.supervisor,
      emit: (e) => session.journal.append(e),
    })
    session.zookeeper = runtime
    await runtime.start()
    const connect = runtime.connectString()
    updateSessionFile(session.info.dir, { zookeeper: { ...options, connectString: connect, ...runtime.describe() } })
    this.startWatchers(session, connect)
    return this.liveState.zookeeper
  }

  async zooKeeperAction(input: { server: number; action: string }): Promise<void> {
    const { server, action } = ZooKeeperActionInput.parse(input)
    const runtime = this.requireZooKeeper()
    await runtime.serverAction(server, action)
  }

  async publishTask(input: { task: string }): Promise<void> {
    const { task } = TaskInput.parse(input)
    await this.runPublisher(['--create', task])
    this.record({ type: LabEventTypes.taskPublished, task })
  }

  async deleteTask(input: { task: string }): Promise<void> {
    const { task } = TaskInput.parse(input)
    const session = this.requireSession()
    // Workers of a deleted task would recreate its nodes (the seed's worker does): stop them first.
    const workers = Object.values(this.liveState.workers).filter((w) => w.task === task && w.status === 'running')
    await Promise.all(workers.map((w) => session.supervisor.stop(w.name, 2000)))
    await this.runPublisher(['--delete', task])
    this.record({ type: LabEventTypes.taskDeleted, task })
  }

  async addWorkers(input: AddWorkersInput): Promise<string[]> {
    const options = AddWorkersInput.parse(input)
    const session = this.requireSession()
    const connect = this.requireZooKeeper().connectString()
    const strategy = options.strategy ?? 'seed'
    const commitIntervalMs = options.commitIntervalMs ?? 1000
    const sessionTimeoutMs = options.sessionTimeoutMs ?? 4000
    session.monitorSettings.commitIntervalMs = commitIntervalMs
    const names: string[] = []
    for (let i = 0; i < options.count; i++) {
      const workerId = (session.workerCounters.get(options.task) ?? 0) + 1
      session.workerCounters.set(options.task, workerId)
      const name = `worker-${options.task}-${workerId}`
      const program = programCommand('task-worker', [
        '--connect', connect,
        '--root', LAB_ROOT,
        '--task', options.task,
        '--worker-id', String(workerId),
        '--strategy', strategy,
        '--commit-interval', String(commitIntervalMs),
        '--session-timeout', String(sessionTimeoutMs),
        '--sink', join(session.info.dir, 'sinks', `${options.task}.log`),
      ])
      session.supervisor.spawn({
        name,
        kind: 'worker',
        ...program,
        jsonEvents: true,
        labels: { task: options.task, workerId, strategy },
      })
      names.push(name)
    }
    return names
  }

  async removeWorker(input: { name: string }): Promise<void> {
    const session = this.requireSession()
    const worker = this.liveState.workers[input.name]
    if (!worker) throw new Error(`No worker named ${input.name}.`)
    await session.supervisor.stop(input.name)
  }

  async processAction(input: { name: string; action: string }): Promise<void> {
    const { name, action } = ProcessActionInput.parse(input)
    const supervisor = this.requireSession().supervisor
    switch (action) {
      case 'stop':
        await supervisor.stop(name)
        break
      case 'kill':
        await supervisor.kill(name)
        break
      case 'pause':
        supervisor.pause(name)
        break
      case 'resume':
        supervisor.resume(name)
        break
      case 'restart':
        await supervisor.restart(name)
        break
    }
  }

  async snapshot(): Promise<LabState> {
    return structuredClone(this.liveState)
  }

  async closeSession(): Promise<void> {
    const session = this.active
    if (!session) return
    await session.supervisor.stopAll(3000)
    session.journal.append({ time: Date.now(), source: 'lab', type: LabEventTypes.sessionClosed })
    this.batcher.flush()
    session.journal.close()
    updateSessionFile(session.info.dir, { closedAt: new Date().toISOString() })
    this.active = undefined
  }

  /** Closes the session and forgets this lab; the lab cannot be used afterwards. */
  async dispose(): Promise<void> {
    await this.closeSession()
    this.batcher.dispose()
    liveLabs.delete(this)
  }

  /** Ends every child at once, synchronously: for process exit handlers. */
  killAllNow(): void {
    this.active?.supervisor.killAllNow()
  }

  /** Writes fields into session.json (results, scenario summary). */
  annotateSession(patch: Record<string, unknown>): void {
    updateSessionFile(this.requireSession().info.dir, patch)
  }

  private startWatchers(session: ActiveSession, connect: string): void {
    // The observer mirrors the tree and the monitor raises alerts; both are restarted if they die.
    const restart = { maxRestarts: 5, backoffMs: 500 }
    session.supervisor.spawn({
      name: 'observer',
      kind: 'observer',
      ...programCommand('observer', ['--connect', connect, '--root', LAB_ROOT]),
      jsonEvents: true,
      restart,
    })
    session.supervisor.spawn({
      name: 'monitor',
      kind: 'monitor',
      ...programCommand('monitor', [
        '--connect', connect,
        '--root', LAB_ROOT,
        '--commit-interval', String(session.monitorSettings.commitIntervalMs),
      ]),
      jsonEvents: true,
      restart,
    })
  }

  private async runPublisher(args: string[]): Promise<void> {
    const session = this.requireSession()
    const connect = this.requireZooKeeper().connectString()
    const name = `publisher-${++session.publisherRuns}`
    const child = session.supervisor.spawn({
      name,
      kind: 'publisher',
      ...programCommand('publisher', ['--connect', connect, '--root', LAB_ROOT, ...args]),
      jsonEvents: true,
    })
    const exit = await child.exited
    if (exit.code !== 0) {
      const said = child.recentLines(5).filter((l) => !l.startsWith('{')).join(' / ')
      throw new Error(`The publisher failed (${exit.signal ?? `exit code ${exit.code}`})${said ? `: ${said}` : ''}`)
    }
  }

  private requireSession(): ActiveSession {
    if (!this.active) throw new Error('No session is open; create one first.')
    return this.active
  }

  private requireZooKeeper(): ZooKeeperRuntime {
    const runtime = this.requireSession().zookeeper
    if (!runtime) throw new Error('ZooKeeper is not started in this session; start it first.')
    return runtime
  }
}

function installExitHook(): void {
  if (exitHookInstalled) return
  exitHookInstalled = true
  // Whatever ends this process, its children end with it (the kernel's parent-death signal covers SIGKILL).
  process.on('exit', () => {
    for (const lab of liveLabs) lab.killAllNow()
  })
}

function writeSessionFile(dir: string, content: Record<string, unknown>): void {
  writeFileSync(join(dir, 'session.json'), JSON.stringify(content, null, 2) + '\n')
}

function updateSessionFile(dir: string, patch: Record<string, unknown>): void {
  const current = JSON.parse(readFileSync(join(dir, 'session.json'), 'utf8')) as Record<string, unknown>
  writeSessionFile(dir, { ...current, ...patch })
}

function stamp(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15)
}

function slug(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 40) || 'session'
}
