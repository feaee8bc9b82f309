import { mkdirSync, realpathSync } from 'node:fs'
import { homedir } from 'node:os'
import { basename, dirname, join, resolve } from 'node:path'
import {
  AddWorkersInput,
  MAX_WORKERS_PER_SESSION,
  CreateSessionInput,
  NetworkFaultInput,
  ProcessActionInput,
  RecentEventsInput,
  RemoveWorkerInput,
  CompareSessionsInput,
  ExportReportInput,
  RenameSessionInput,
  type SessionComparison,
  RunScenarioInput,
  SessionDirInput,
  SessionsDirInput,
  SourceActionInput,
  SourceLoadInput,
  SourceSettings,
  type SourceSettingsInput,
  type ScenarioSummary,
  type SessionSummary,
  TaskInput,
  ZooKeeperActionInput,
  ZooKeeperOptions,
  type LabApi,
  type SessionInfo,
  type Unsubscribe,
  type ZooKeeperSetup,
} from '../shared/api.js'
import { LabEventTypes, type LabEvent, type UnsequencedEvent, type DistributiveOmit } from '../shared/events.js'
import { applyEvent, emptyLabState, LAB_ROOT, type LabState } from '../shared/lab-state.js'
import { resolveServerPartition, ServerPartitionSpec } from '../shared/server-partitions.js'
import { ServerLinks } from './faults/server-links.js'
import {
  DEFAULT_COMMIT_INTERVAL_MS,
  DEFAULT_SESSION_TIMEOUT_MS,
  DEFAULT_STRATEGY,
  type ExternalWorkerSettings,
  isPeerStrategy,
  type PeerStrategy,
  Strategy,
  type TaskWorkerStrategy,
} from '../shared/worker-launch/index.js'
import { STRATEGY_DESCRIPTIONS, strategyKind, type StrategyInfo } from '../shared/strategies.js'
import { sessionTimeoutProblem } from '../shared/session-timeout.js'
import { networkFaultRecord } from '../shared/network-faults.js'
import { checkSessionDir, LiveChecker, type CheckReport } from './checker/index.js'
import { summarizeVerdict } from '../shared/checker-report.js'
import { FailoverTracker, type Failover, type Fault } from './experiments/failover-tracker.js'
import { NetworkThread } from './faults/network-thread.js'
import { WorkerNetwork } from './faults/worker-network.js'
import { bundledScenarios, loadScenario } from './experiments/load-scenario.js'
import { runScenarioInLab, scenarioStrategies } from './experiments/run-scenario.js'
import {
  deleteSession,
  librarySession,
  listSessions,
  readSessionEvents,
  renameSession,
} from './sessions/session-library.js'
import { compareSessions } from './sessions/compare-sessions.js'
import { exportReport } from './report/index.js'
import { Journal, type JournalFailure, type JournalWrite } from './journal/journal.js'
import {
  createSessionFolder,
  isSessionFolder,
  journalPath,
  logsDir,
  sessionFilePath,
  sinkPath,
  updateSessionFile,
  writeSessionFile,
} from './session-folder/index.js'
import { EventBatcher } from './journal/event-batcher.js'
import { launchProgram } from './workers/programs.js'
import { Supervisor } from './workers/supervisor.js'
import { externalProcess } from './external/external-worker.js'
import { peerAvailability, PeerUnavailableError, preparePeer, type PeerAvailability } from './peers/index.js'
import { ExternalRoles } from './external/external-roles.js'
import { externalSinkReader } from './external/live-sinks.js'
import { throttledTxnLogReader } from './txnlog/live-reader.js'
import {
  createZooKeeper,
  ZooKeeperSetupError,
  type DiscoveryOptions,
  type ZooKeeperRuntime,
} from './zookeeper/index.js'
import { zookeeperSetup } from './setup/index.js'
import { WatchPoller } from './zookeeper/watch-poller.js'
import { findMariaDb, LabSource } from './mariadb/index.js'

const LAB_VERSION = '0.1.0'
/** Events kept in memory for views that open mid-session; older ones are in events.jsonl. */
const RECENT_EVENTS = 50_000
/** How often the live checker looks for new violations. */
const CHECK_INTERVAL_MS = 1000
/** How often the lab asks each ZooKeeper server for its counters (srvr). */
const ZK_STATS_INTERVAL_MS = 2000
/**
 * The session timeout of the lab's own helpers (observer, monitor, publisher): the 10 s they have
 * always had, so the lab's views outlast a fault that expires a worker's (by default 4 s) session.
 */
const HELPER_SESSION_TIMEOUT_MS = 10_000

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
  failovers: FailoverTracker
  checker: LiveChecker
  checkTimer: NodeJS.Timeout
  statsTimer?: NodeJS.Timeout
  watchPoller?: WatchPoller
  /** Each worker's proxies to ZooKeeper, by process name; kept across restarts of the worker. */
  networks: Map<string, WorkerNetwork>
  /** A local ensemble's server-to-server proxies, through which partitions between servers are cut. */
  serverLinks?: ServerLinks
  /** The binlog workload's MariaDB source, once started (startSource). */
  source?: LabSource
  monitorSettings: { commitIntervalMs: number }
  /** Every child stopped and every proxy closed: begun by closeSession, or at once when recording fails. */
  stopping?: Promise<void>
}

/**
 * The shell's folder picker (Electron's native dialog): the folder the user chose, or null when they
 * cancelled. The core never opens a dialog itself.
 */
export type ChooseFolder = () => Promise<string | null>

export interface LabOptions {
  /** How the journal writes its bytes; tests pass one that plays a full or failing disk. */
  journalWrite?: JournalWrite
  chooseFolder?: ChooseFolder
  /** Where to look for Java and ZooKeeper; tests point it at empty folders. */
  discovery?: DiscoveryOptions
  /** Whether a peer's toolchain is here; tests pass one that answers either way. */
  peerAvailability?: (peer: PeerStrategy) => Promise<PeerAvailability>
  /** Poll the servers' watches and connections (default true); the bench turns it off to measure its cost. */
  watchPolling?: boolean
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
  /** Hosts every worker's proxies, off the main thread (decisions.md). */
  private readonly networkThread = new NetworkThread()
  private recent: LabEvent[] = []
  private finalReport?: CheckReport
  /** Where this lab's sessions go unless told otherwise (the last sessions folder it was given). */
  private sessionsDir?: string
  private scenarioRun?: { name: string; controller: AbortController; done: Promise<unknown> }

  constructor(private readonly options: LabOptions = {}) {
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

  /** Why the current (or last) session stopped recording, if it did. */
  get recordingFailure(): NonNullable<LabState['session']>['recordingFailed'] {
    return this.liveState.session?.recordingFailed
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
  record(event: DistributiveOmit<UnsequencedEvent, 'time' | 'source'> & { time?: number; source?: string }): LabEvent {
    const session = this.requireSession()
    return session.journal.append({ time: Date.now(), source: 'lab', ...event })
  }

  async createSession(input: CreateSessionInput = {}): Promise<SessionInfo> {
    const options = CreateSessionInput.parse(input)
    if (this.active) throw new Error(`A session is already open in ${this.active.info.dir}; close it first.`)
    if (options.sessionsDir) this.sessionsDir = options.sessionsDir
    const createdAt = Date.now()
    // A new session starts from nothing: no state or events of the previous one carry over.
    // Every key goes, not just those of an empty state: verdicts and scenario are optional.
    for (const key of Object.keys(this.liveState)) delete (this.liveState as unknown as Record<string, unknown>)[key]
    Object.assign(this.liveState, emptyLabState())
    this.recent = []
    const name = options.name ?? 'session'
    const dir = createSessionFolder({
      dir: options.dir,
      sessionsDir: options.sessionsDir ?? this.sessionsDir ?? defaultSessionsDir(),
      name,
      createdAt,
    })
    const journal = new Journal(journalPath(dir), {
      write: this.options.journalWrite,
      onFailure: (failure) => this.recordingFailed(journal, failure),
    })
    journal.subscribe((event) => {
      applyEvent(this.liveState, event)
      this.recent.push(event)
      // Trim in chunks, not on every event, to keep appends cheap.
      if (this.recent.length > RECENT_EVENTS * 1.2) this.recent = this.recent.slice(-RECENT_EVENTS)
      for (const listener of this.eventListeners) listener(event)
      this.batcher.push(event)
    })
    // Output can trail a process's exit; once the session is closed there is nowhere to put it.
    const supervisor = new Supervisor({
      logDir: logsDir(dir),
      emit: (e) => (journal.closed ? undefined : journal.append(e)),
    })
    const failovers = new FailoverTracker((f) =>
      journal.append({ time: Date.now(), source: 'lab', type: LabEventTypes.failover, ...f }),
    )
    journal.subscribe((event) => failovers.onEvent(event))
    // The checker grades the run while it happens; each violation goes into the journal once.
    const checker = new LiveChecker({
      txnLog: throttledTxnLogReader(dir),
      liveSinks: externalSinkReader(dir, () => this.liveState),
    })
    journal.subscribe((event) => checker.onEvent(event))
    const checkTimer = setInterval(() => {
      for (const v of checker.drain()) {
        journal.append({
          time: Date.now(),
          source: 'checker',
          type: LabEventTypes.violation,
          level: 'error',
          invariant: v.invariant,
          task: v.task,
          kind: v.kind,
          message: v.message,
          at: v.time,
          ...(v.workers ? { workers: v.workers } : {}),
          ...(v.ids ? { ids: v.ids.slice(0, 50) } : {}),
        })
      }
    }, CHECK_INTERVAL_MS)
    checkTimer.unref()
    // Last subscriber: the events it derives follow, in the journal, the event they come from.
    const externalRoles = new ExternalRoles(LAB_ROOT, (e) => journal.append({ time: Date.now(), source: 'lab', ...e }))
    journal.subscribe((event) => externalRoles.onEvent(event))
    this.finalReport = undefined
    const info: SessionInfo = { dir, name, createdAt }
    this.active = {
      info,
      journal,
      supervisor,
      workerCounters: new Map(),
      publisherRuns: 0,
      failovers,
      checker,
      checkTimer,
      networks: new Map(),
      monitorSettings: { commitIntervalMs: 1000 },
    }
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
    const runtime = createZooKeeper(
      options,
      {
        sessionDir: session.info.dir,
        supervisor: session.supervisor,
        emit: (e) => session.journal.append(e),
      },
      this.options.discovery ?? {},
      {
        // Every link between two servers goes through a proxy of its own, so partitions can cut it.
        routePeers: async (ports) => {
          const links = await ServerLinks.open(this.networkThread, ports)
          session.serverLinks = links
          return (from, to) => links.route(from, to)
        },
      },
    )
    session.zookeeper = runtime
    try {
      await runtime.start()
    } catch (err) {
      // Nothing ran yet: once Java or ZooKeeper is installed, the same session may start it again.
      if (err instanceof ZooKeeperSetupError) session.zookeeper = undefined
      throw err
    }
    const connect = runtime.connectString()
    updateSessionFile(session.info.dir, { zookeeper: { ...options, connectString: connect, ...runtime.describe() } })
    this.startWatchers(session, connect)
    this.startStatsPolling(session, runtime)
    this.startWatchPolling(session, runtime)
    return this.liveState.zookeeper
  }

  async startSource(input: SourceSettingsInput = {}): Promise<NonNullable<LabState['source']>> {
    const settings = SourceSettings.parse(input ?? {})
    const session = this.requireSession()
    if (session.source) throw new Error('The MariaDB source is already started in this session.')
    // Refused before anything is made, naming the set-up command, where MariaDB is missing.
    const installation = findMariaDb()
    const source = new LabSource(
      {
        sessionDir: session.info.dir,
        // A crash seen after the session closed has nowhere to go.
        emit: (e) => (session.journal.closed ? undefined : void session.journal.append(e)),
        installation,
      },
      settings,
    )
    session.source = source
    try {
      await source.start()
    } catch (err) {
      await source.close()
      session.source = undefined
      throw err
    }
    this.updateSessionFileWhileOpen(session, { source: { ...settings, address: source.address, user: source.user } })
    return structuredClone(this.liveState.source!)
  }

  async sourceAction(input: { action: string }): Promise<void> {
    const { action } = SourceActionInput.parse(input)
    await this.requireSource().action(action)
  }

  async sourceLoad(input: SourceLoadInput): Promise<void> {
    this.requireSource().changeLoad(SourceLoadInput.parse(input))
  }

  private requireSource(): LabSource {
    const source = this.requireSession().source
    if (!source)
      throw new Error(
        'No MariaDB source runs in this session; start one first (startSource, or a scenario with source:).',
      )
    return source
  }

  checkZooKeeperSetup(): Promise<ZooKeeperSetup> {
    return zookeeperSetup(this.options.discovery)
  }

  async zooKeeperAction(input: { server: number; action: string }): Promise<void> {
    const { server, action } = ZooKeeperActionInput.parse(input)
    const runtime = this.requireZooKeeper()
    await runtime.serverAction(server, action)
  }

  async publishTask(input: { task: string }): Promise<void> {
    const { task } = TaskInput.parse(input)
    await this.runPublisher({ create: task })
    this.record({ type: LabEventTypes.taskPublished, task })
  }

  async deleteTask(input: { task: string }): Promise<void> {
    const { task } = TaskInput.parse(input)
    const session = this.requireSession()
    // Workers of a deleted task would recreate its nodes (the seed's worker does): stop them first.
    const workers = Object.values(this.liveState.workers).filter((w) => w.task === task && w.status === 'running')
    await Promise.all(workers.map((w) => session.supervisor.stop(w.name, 2000)))
    await this.runPublisher({ delete: task })
    this.record({ type: LabEventTypes.taskDeleted, task })
  }

  async addWorkers(input: AddWorkersInput): Promise<string[]> {
    const options = AddWorkersInput.parse(input)
    const session = this.requireSession()
    const zookeeper = this.requireZooKeeper()
    const connect = zookeeper.connectString()
    const strategy = options.strategy ?? DEFAULT_STRATEGY
    const commitIntervalMs = options.commitIntervalMs ?? DEFAULT_COMMIT_INTERVAL_MS
    const sessionTimeoutMs = options.sessionTimeoutMs ?? DEFAULT_SESSION_TIMEOUT_MS
    // ZooKeeper would silently grant another timeout than asked: refused here, as the scenario format does.
    // An external ZooKeeper's tickTime is not the lab's to know; it negotiates as it is configured.
    const tickTimeMs = zookeeper.tickTimeMs
    const timeoutProblem = tickTimeMs === undefined ? undefined : sessionTimeoutProblem(sessionTimeoutMs, tickTimeMs)
    if (timeoutProblem) throw new Error(`addWorkers sessionTimeoutMs: ${timeoutProblem}.`)
    // A peer strategy runs a well-known program as an external worker; the user's own command wins.
    const peer = !options.external && isPeerStrategy(strategy) ? strategy : undefined
    const external = options.external ?? (peer ? await preparePeer(peer) : undefined)
    const started = [...session.workerCounters.values()].reduce((n, count) => n + count, 0)
    if (started + options.count > MAX_WORKERS_PER_SESSION) {
      throw new Error(
        `addWorkers count ${options.count}: this session has started ${started} workers and may start at most ${MAX_WORKERS_PER_SESSION} (removed ones count too); start fewer, or open a new session.`,
      )
    }
    const binlog = options.workload === 'binlog'
    if (binlog && !session.source)
      throw new Error('addWorkers workload binlog: this session has no MariaDB source; start one first (startSource).')
    // The source's password reaches workers through their env only: a command line is visible to all.
    const sourceEnv = binlog ? session.source!.workerEnv() : {}
    session.monitorSettings.commitIntervalMs = commitIntervalMs
    const names: string[] = []
    for (let i = 0; i < options.count; i++) {
      const workerId = (session.workerCounters.get(options.task) ?? 0) + 1
      session.workerCounters.set(options.task, workerId)
      const name = `worker-${options.task}-${workerId}`
      // Workers reach ZooKeeper through their own proxies, so a network fault can hit one of them alone.
      // Its proxies read each session ZooKeeper hands it off the wire, so no naming rule is needed.
      // They run on the lab's network thread; a session is timed when the proxy read it.
      const network = await WorkerNetwork.open(
        name,
        connect,
        (handshake, at) => {
          if (this.active === session) this.record({ type: LabEventTypes.clientSession, name, ...handshake, time: at })
        },
        this.networkThread,
      )
      session.networks.set(name, network)
      const sink = sinkPath(session.info.dir, options.task)
      // An external program learns the same through placeholders and ZKLAB_* env; it reports nothing,
      // so its output stays plain log lines and its role is read off ZooKeeper (ExternalRoles).
      const told: ExternalWorkerSettings = {
        connect: network.connectStringFor(options.connectRepeat),
        root: LAB_ROOT,
        task: options.task,
        workerId,
        sessionTimeoutMs,
        commitIntervalMs,
        sink,
        ...(peer ? { peer } : {}),
        ...(options.election ? { election: options.election } : {}),
      }
      const program = external
        ? withEnv(
            { ...externalProcess(external, told), settings: { program: 'external' as const, ...told } },
            sourceEnv,
          )
        : launchProgram('task-worker', {
            connect: network.connectStringFor(options.connectRepeat),
            root: LAB_ROOT,
            task: options.task,
            workerId,
            strategy: strategy as TaskWorkerStrategy,
            commitIntervalMs,
            sessionTimeoutMs,
            sink,
            ...(binlog
              ? {
                  workload: 'binlog' as const,
                  source: session.source!.address,
                  sourceUser: session.source!.user,
                  ...(options.commitEvents ? { commitEvents: options.commitEvents } : {}),
                }
              : {}),
          })
      try {
        session.supervisor.spawn({
          name,
          kind: external ? 'external' : 'worker',
          ...program,
          ...(binlog && !external ? { env: sourceEnv } : {}),
          jsonEvents: !external,
          // The workload label lets the app tell a binlog task's workers before their first commit.
          labels: {
            ...(external
              ? { task: options.task, workerId, strategy: peer ?? 'external', commitIntervalMs }
              : { task: options.task, workerId, strategy }),
            ...(binlog ? { workload: 'binlog' } : {}),
          },
          ...(options.clock ? { clock: options.clock } : {}),
        })
      } catch (err) {
        // Not started (e.g. not executable): its proxy and its number go too.
        session.networks.delete(name)
        session.workerCounters.set(options.task, workerId - 1)
        await network.close()
        throw err
      }
      names.push(name)
    }
    return names
  }

  async removeWorker(input: { name: string }): Promise<void> {
    const { name } = RemoveWorkerInput.parse(input)
    const session = this.requireSession()
    if (!this.liveState.workers[name]) throw new Error(`No worker named ${name}.`)
    await session.supervisor.stop(name)
  }

  async recentEvents(input: RecentEventsInput = {}): Promise<LabEvent[]> {
    const { afterSeq, limit } = RecentEventsInput.parse(input)
    const start = this.recent.findIndex((e) => e.seq > afterSeq)
    return start < 0 ? [] : this.recent.slice(start).slice(-limit)
  }

  async processAction(input: { name: string; action: string }): Promise<void> {
    const { name, action } = ProcessActionInput.parse(input)
    const session = this.requireSession()
    const supervisor = session.supervisor
    if (action === 'kill' || action === 'stop' || action === 'pause') this.registerFault(name, action)
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

  async listScenarios(): Promise<ScenarioSummary[]> {
    return bundledScenarios().map(({ name, scenario }) => ({
      name,
      description: scenario.description ?? '',
      tasks: scenario.tasks.length,
      workers: scenario.tasks.reduce((sum, t) => sum + t.workers, 0),
      strategies: [...new Set(scenario.tasks.map((t) => (t.external ? 'external' : t.strategy)))],
      workloads: [...new Set(scenario.tasks.map((t) => t.workload))],
      zookeeper:
        scenario.zookeeper.mode === 'ensemble'
          ? `ensemble of ${scenario.zookeeper.servers ?? 3}`
          : scenario.zookeeper.mode,
    }))
  }

  async listStrategies(): Promise<StrategyInfo[]> {
    const availability = this.options.peerAvailability ?? peerAvailability
    return Promise.all(
      Strategy.options.map(async (name): Promise<StrategyInfo> => {
        const info = { name, kind: strategyKind(name), description: STRATEGY_DESCRIPTIONS[name] }
        if (!isPeerStrategy(name)) return { ...info, available: true }
        const found = await availability(name)
        return found.ok
          ? { ...info, available: true }
          : { ...info, available: false, problem: found.problem, install: found.install }
      }),
    )
  }

  /**
   * Refuses, before anything starts, strategies whose peer program cannot run here: a
   * PeerUnavailableError naming the problem and the install command.
   */
  async requireStrategies(strategies: Iterable<Strategy>): Promise<void> {
    const wanted = new Set(strategies)
    if (![...wanted].some(isPeerStrategy)) return
    for (const info of await this.listStrategies()) {
      if (wanted.has(info.name) && !info.available && isPeerStrategy(info.name))
        throw new PeerUnavailableError(info.name, info.problem ?? 'its toolchain is missing', info.install ?? '')
    }
  }

  async runScenario(input: RunScenarioInput): Promise<{ started: string }> {
    const { name, strategy, external, seed } = RunScenarioInput.parse(input)
    if (this.scenarioRun) throw new Error(`The scenario ${this.scenarioRun.name} is still running; stop it first.`)
    const found = bundledScenarios().find((s) => s.name === name)
    if (!found) throw new Error(`No bundled scenario named ${name} (see listScenarios).`)
    const scenario = loadScenario(found.file)
    // Refused while the open session is still open: a run that cannot start closes nothing.
    await this.requireStrategies(scenarioStrategies(scenario, { strategy, external }))
    // A scenario gets a session of its own, so its journal and verdicts are about it alone.
    await this.closeSession()
    const controller = new AbortController()
    const done = runScenarioInLab(this, scenario, {
      strategy,
      external,
      ...(seed === undefined ? {} : { seed }),
      signal: controller.signal,
      sessionsDir: this.sessionsDir,
    })
      .catch(() => {
        // The run's outcome is in its journal (scenario.result, checker.report); nothing to rethrow to.
      })
      .finally(() => {
        this.scenarioRun = undefined
      })
    this.scenarioRun = { name, controller, done }
    return { started: name }
  }

  async stopScenario(): Promise<void> {
    const run = this.scenarioRun
    if (!run) return
    run.controller.abort()
    await run.done
  }

  async listSessions(): Promise<{ sessionsDir: string; sessions: SessionSummary[] }> {
    const sessionsDir = this.librarySessionsDir()
    return { sessionsDir, sessions: listSessions(sessionsDir) }
  }

  async chooseSessionsFolder(): Promise<{ sessionsDir: string; session?: string } | null> {
    if (!this.options.chooseFolder) {
      throw new Error(
        'This lab has no folder dialog: in browser mode the sessions folder is chosen when the lab starts (zklab serve --sessions-dir <dir>).',
      )
    }
    const picked = await this.options.chooseFolder()
    if (!picked) return null
    mkdirSync(picked, { recursive: true })
    const chosen = realpathSync(picked)
    // A session folder itself: its parent becomes the library, and the app replays the session.
    if (isSessionFolder(chosen) && dirname(chosen) !== chosen) {
      this.sessionsDir = dirname(chosen)
      return { sessionsDir: this.sessionsDir, session: chosen }
    }
    this.sessionsDir = chosen
    return { sessionsDir: chosen }
  }

  async setSessionsDir(input: { dir: string }): Promise<void> {
    const { dir } = SessionsDirInput.parse(input)
    mkdirSync(dir, { recursive: true })
    this.sessionsDir = resolve(dir)
  }

  // The library's calls act only on session folders directly inside the sessions folder (librarySession).

  async readSession(input: { dir: string }) {
    const { dir } = SessionDirInput.parse(input)
    return readSessionEvents(this.librarySessionsDir(), dir)
  }

  async renameSession(input: { dir: string; name: string }): Promise<SessionSummary> {
    const { dir, name } = RenameSessionInput.parse(input)
    return renameSession(this.librarySessionsDir(), dir, name)
  }

  async deleteSession(input: { dir: string }): Promise<void> {
    const { dir } = SessionDirInput.parse(input)
    const sessionsDir = this.librarySessionsDir()
    const { real } = librarySession(sessionsDir, dir)
    if (this.active && real === realpathSync(this.active.info.dir))
      throw new Error('This session is open; close it before deleting it.')
    deleteSession(sessionsDir, dir)
  }

  async exportReport(input: {
    dir: string
    formats?: Array<'html' | 'json' | 'pdf'>
  }): Promise<Partial<Record<'html' | 'json' | 'pdf', string>>> {
    const { dir, formats } = ExportReportInput.parse(input)
    const { real, listed } = librarySession(this.librarySessionsDir(), dir)
    const { files } = await exportReport(real, { formats })
    // Named as the library names the folder, like every other answer about it.
    return Object.fromEntries(Object.entries(files).map(([format, path]) => [format, join(listed, basename(path))]))
  }

  async compareSessions(input: { dirs: string[] }): Promise<SessionComparison[]> {
    const { dirs } = CompareSessionsInput.parse(input)
    return compareSessions(this.librarySessionsDir(), dirs)
  }

  async networkFault(input: NetworkFaultInput): Promise<void> {
    const parsed = NetworkFaultInput.parse(input)
    const { name, fault } = parsed
    const session = this.requireSession()
    const network = session.networks.get(name)
    if (!network)
      throw new Error(`No worker named ${name} with a network path to fault (only the lab's workers have one).`)
    // Only a partition can cost a primary its session; latency, loss and resets are survived by reconnecting.
    if (fault === 'partition') this.registerFault(name, fault)
    const { name: _worker, ...spec } = parsed
    // Recorded once the network thread has put it in force, never before.
    await network.apply(spec)
    this.record({ type: LabEventTypes.networkFault, ...networkFaultRecord(parsed) })
  }

  async partitionServers(input: ServerPartitionSpec): Promise<{ description: string }> {
    const spec = ServerPartitionSpec.parse(input)
    const links = this.requireServerLinks()
    const { cuts, description } = resolveServerPartition(spec, this.liveState.zookeeper.servers)
    // Recorded once every proxy has it in force, never before.
    await links.set(cuts)
    this.record({
      type: LabEventTypes.zkLinks,
      shape: spec.shape,
      description,
      cuts: cuts.map((c) => ({ from: `zk-${c.from}`, to: `zk-${c.to}` })),
    })
    return { description }
  }

  async healServers(): Promise<void> {
    const links = this.requireServerLinks()
    if (!links.partitioned) return
    await links.set([])
    this.record({
      type: LabEventTypes.zkLinks,
      shape: 'heal',
      description: 'every link between servers healed',
      cuts: [],
    })
  }

  private requireServerLinks(): ServerLinks {
    const session = this.requireSession()
    const links = session.serverLinks
    if (!links)
      throw new Error(
        session.zookeeper
          ? `Partitions between servers need a local ensemble; this session runs ZooKeeper as ${session.zookeeper.kind} (start one with mode: ensemble).`
          : 'ZooKeeper has not been started in this session yet (start a local ensemble to partition its servers).',
      )
    return links
  }

  /** The checker's verdicts so far (live: judged from what workers reported; final: from the sinks). */
  checkReport(): CheckReport | undefined {
    return this.active ? this.active.checker.report() : this.finalReport
  }

  /** Every failover of this session so far, completed or still waiting for the new primary's first commit. */
  get failovers(): readonly Failover[] {
    return this.active?.failovers.failovers ?? []
  }

  /** The failover of a task still waiting for its new primary's first commit. */
  pendingFailover(task: string): Failover | undefined {
    return this.active?.failovers.pending(task)
  }

  async snapshot(): Promise<LabState> {
    return structuredClone(this.liveState)
  }

  async closeSession(): Promise<void> {
    const session = this.active
    if (!session) return
    clearInterval(session.statsTimer)
    session.watchPoller?.stop()
    session.journal.append({ time: Date.now(), source: 'lab', type: LabEventTypes.sessionClosing })
    await (session.stopping ??= this.stopChildren(session))
    clearInterval(session.checkTimer)
    // The final verdicts read the sinks, the ground truth, rather than what workers said they did.
    const report = checkSessionDir(session.info.dir)
    this.finalReport = report
    const verdicts = report.verdicts.map(summarizeVerdict)
    session.journal.append({
      time: Date.now(),
      source: 'checker',
      type: LabEventTypes.checkReport,
      level: report.ok ? 'info' : 'error',
      ok: report.ok,
      verdicts,
      failovers: report.failovers,
    })
    this.updateSessionFileWhileOpen(session, {
      check: { ok: report.ok, verdicts },
    })
    session.journal.append({ time: Date.now(), source: 'lab', type: LabEventTypes.sessionClosed })
    session.journal.close()
    this.batcher.flush()
    this.active = undefined
    // A session whose recording failed is not closed cleanly: session.json is left as it was (on a
    // full disk, rewriting it in place could empty it) and, without closedAt, the library says so.
    if (session.journal.failure) return
    try {
      updateSessionFile(session.info.dir, { closedAt: new Date().toISOString() })
    } catch {
      // Without closedAt the library lists it as not closed cleanly, which is what happened.
    }
  }

  /**
   * The journal could not be written. Said in memory (the live state, the views, the CLI), then
   * every child is stopped: a run whose events go nowhere is not an experiment. Runs inside whatever
   * callback appended the event, so nothing here may throw.
   */
  private recordingFailed(journal: Journal, failure: JournalFailure): void {
    const session = this.active
    if (!session || session.journal !== journal) return
    journal.append({
      time: failure.time,
      source: 'lab',
      type: LabEventTypes.recordingFailed,
      level: 'error',
      reason: failure.reason,
      ...(failure.code ? { code: failure.code } : {}),
      dir: session.info.dir,
      lastRecordedSeq: failure.lastRecordedSeq,
    })
    clearInterval(session.statsTimer)
    session.watchPoller?.stop()
    session.stopping ??= this.stopChildren(session)
    // Not awaited here; closeSession awaits it and reports what went wrong.
    session.stopping.catch(() => undefined)
  }

  /** Ends every child of the session and closes its proxies; the source goes last, after its readers. */
  private async stopChildren(session: ActiveSession): Promise<void> {
    try {
      await session.supervisor.stopAll(3000)
      await session.source?.close()
    } finally {
      await Promise.all([...session.networks.values()].map((n) => n.close().catch(() => undefined)))
      await session.serverLinks?.close().catch(() => undefined)
    }
  }

  /** session.json while the session runs: a write that fails is a recording failure, not a throw. */
  private updateSessionFileWhileOpen(session: ActiveSession, patch: Record<string, unknown>): void {
    if (session.journal.failure) return
    try {
      updateSessionFile(session.info.dir, patch)
    } catch (err) {
      session.journal.fail(
        `${sessionFilePath(session.info.dir)} could not be written: ${(err as Error).message}`,
        (err as NodeJS.ErrnoException).code,
      )
    }
  }

  /** Closes the session and forgets this lab; the lab cannot be used afterwards. */
  async dispose(): Promise<void> {
    await this.stopScenario()
    await this.closeSession()
    await this.networkThread.stop()
    this.batcher.dispose()
    liveLabs.delete(this)
  }

  /** Ends every child at once, synchronously: for process exit handlers. */
  killAllNow(): void {
    this.active?.supervisor.killAllNow()
    this.active?.source?.killNow()
  }

  private startWatchers(session: ActiveSession, connect: string): void {
    // The observer mirrors the tree and the monitor raises alerts; both are restarted if they die.
    const restart = { maxRestarts: 5, backoffMs: 500 }
    session.supervisor.spawn({
      name: 'observer',
      kind: 'observer',
      ...launchProgram('observer', { connect, root: LAB_ROOT, sessionTimeoutMs: HELPER_SESSION_TIMEOUT_MS }),
      jsonEvents: true,
      restart,
    })
    session.supervisor.spawn({
      name: 'monitor',
      kind: 'monitor',
      ...launchProgram('monitor', {
        connect,
        root: LAB_ROOT,
        commitIntervalMs: session.monitorSettings.commitIntervalMs,
        sessionTimeoutMs: HELPER_SESSION_TIMEOUT_MS,
      }),
      jsonEvents: true,
      restart,
    })
  }

  /**
   * A fault about to hit a worker: if it is a primary, the tracker waits for the takeover. Registered
   * before the fault is applied, so no event of the takeover can slip past it.
   */
  private registerFault(name: string, kind: Fault['kind']): void {
    const session = this.requireSession()
    const worker = this.liveState.workers[name]
    if (!worker || session.supervisor.get(name)?.state === 'exited') return
    session.failovers.fault({
      task: worker.task,
      kind,
      target: name,
      wasPrimary: worker.role === 'primary' && worker.status === 'running',
      time: Date.now(),
      seq: this.liveState.lastSeq,
    })
  }

  /**
   * Asks every server for its counters (znodes, connections, mode) and records them when they change,
   * so views show them without polling ZooKeeper themselves.
   */
  /** The watch graph and the sessions each server holds, recorded when they change. */
  private startWatchPolling(session: ActiveSession, runtime: ZooKeeperRuntime): void {
    if (this.options.watchPolling === false) return
    const live = () => this.active === session
    session.watchPoller = new WatchPoller({
      servers: () => runtime.servers(),
      state: () => this.liveState,
      onWatches: (graph) =>
        live() &&
        session.journal.append({ time: Date.now(), source: 'lab', type: LabEventTypes.zookeeperWatches, ...graph }),
      onSessions: (sessions) =>
        live() &&
        session.journal.append({ time: Date.now(), source: 'lab', type: LabEventTypes.zookeeperSessions, ...sessions }),
    })
    session.watchPoller.start()
  }

  private startStatsPolling(session: ActiveSession, runtime: ZooKeeperRuntime): void {
    const last = new Map<number, string>()
    let busy = false
    session.statsTimer = setInterval(() => {
      if (busy || this.active !== session) return
      busy = true
      void runtime
        .status()
        .then((servers) => {
          for (const server of servers) {
            const srvr = server.srvr
            if (!server.reachable || !srvr?.serving) continue
            const stats = {
              server: server.id,
              name: server.name,
              nodeCount: srvr.nodeCount,
              connections: srvr.connections,
              mode: srvr.mode,
              zxid: srvr.zxid,
              latencyAvg: srvr.latency.avg,
              outstanding: srvr.outstanding,
            }
            const key = JSON.stringify(stats)
            if (last.get(server.id) === key || this.active !== session) continue
            last.set(server.id, key)
            session.journal.append({ time: Date.now(), source: 'lab', type: LabEventTypes.zkStats, ...stats })
          }
        })
        .catch(() => {
          // A server that does not answer shows up through its process state; nothing to record here.
        })
        .finally(() => {
          busy = false
        })
    }, ZK_STATS_INTERVAL_MS)
    session.statsTimer.unref()
  }

  private async runPublisher(action: { create: string } | { delete: string }): Promise<void> {
    const session = this.requireSession()
    const connect = this.requireZooKeeper().connectString()
    const name = `publisher-${++session.publisherRuns}`
    const child = session.supervisor.spawn({
      name,
      kind: 'publisher',
      ...launchProgram('publisher', {
        connect,
        root: LAB_ROOT,
        sessionTimeoutMs: HELPER_SESSION_TIMEOUT_MS,
        ...action,
      }),
      jsonEvents: true,
    })
    const exit = await child.exited
    if (exit.code !== 0) {
      const said = child
        .recentLines(5)
        .filter((l) => !l.startsWith('{'))
        .join(' / ')
      throw new Error(`The publisher failed (${exit.signal ?? `exit code ${exit.code}`})${said ? `: ${said}` : ''}`)
    }
  }

  /** The folder the library lists and its calls are confined to. */
  private librarySessionsDir(): string {
    return resolve(this.sessionsDir ?? defaultSessionsDir())
  }

  private requireSession(): ActiveSession {
    if (!this.active) throw new Error('No session is open; create one first.')
    const failure = this.active.journal.failure
    if (failure) {
      throw new Error(
        `Recording failed (${failure.reason}); the lab stopped the session in ${this.active.info.dir}. Close it and start a new one once the disk is fixed.`,
      )
    }
    return this.active
  }

  private requireZooKeeper(): ZooKeeperRuntime {
    const runtime = this.requireSession().zookeeper
    if (!runtime) throw new Error('ZooKeeper is not started in this session; start it first.')
    return runtime
  }
}

/** A spawn spec with more environment variables (the source's, for a binlog task's external program). */
function withEnv<T extends { env: Record<string, string> }>(spec: T, env: Record<string, string>): T {
  // The program's own env still wins, as it does over every ZKLAB_* variable.
  return { ...spec, env: { ...env, ...spec.env } }
}

function installExitHook(): void {
  if (exitHookInstalled) return
  exitHookInstalled = true
  // Whatever ends this process, its children end with it (a SIGKILL of the lab: the reaper ends their groups).
  process.on('exit', () => {
    for (const lab of liveLabs) lab.killAllNow()
  })
}
