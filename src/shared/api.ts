/**
 * The Lab API: declared once here, implemented by the core's `Lab` class, and called by every shell
 * (the CLI, Electron's IPC and the browser bridge). Inputs are zod schemas so each shell validates
 * what crosses its boundary with the same rules.
 */
import { z } from 'zod'
import type { LabEvent } from './events.js'
import type { Verdict, VerdictSummary } from './checker-report.js'
import type { LabState } from './lab-state.js'
import type { StrategyInfo } from './strategies.js'
import { LAB_METHOD_NAMES, type LabMethod } from './lab-methods.js'
import { taskNameProblem } from './task-name.js'
import { ServerPartitionSpec } from './server-partitions.js'
import {
  SESSION_TIMEOUT_MAX_MS,
  SESSION_TIMEOUT_MIN_MS,
  TICK_TIME_DEFAULT_MS,
  TICK_TIME_MAX_MS,
  TICK_TIME_MIN_MS,
} from './session-timeout.js'
import {
  ClockSkew,
  DEFAULT_COMMIT_INTERVAL_MS,
  DEFAULT_SESSION_TIMEOUT_MS,
  DEFAULT_STRATEGY,
  ElectionSettings,
  Strategy,
} from './worker-launch/index.js'

import { MAX_SEED } from './nemesis/random.js'
import { Workload } from './binlog.js'

export { IPC_EVENTS_CHANNEL, LAB_METHOD_NAMES, ipcChannel, type LabMethod } from './lab-methods.js'

/** Task names become znode names and file names: one rule set, shared with the worker programs. */
export const TaskName = z.string().superRefine((name, ctx) => {
  const problem = taskNameProblem(name)
  if (problem) ctx.addIssue({ code: 'custom', message: problem })
})

export { ClockSkew, ElectionSettings, PeerStrategy, Strategy, isPeerStrategy } from './worker-launch/index.js'
export type { StrategyInfo } from './strategies.js'

export const ZooKeeperOptions = z
  .object({
    /** standalone: one local server; ensemble: 3 or 5 local servers; external: a connect string. */
    mode: z.enum(['standalone', 'ensemble', 'external', 'docker']).default('standalone'),
    servers: z.union([z.literal(3), z.literal(5)]).optional(),
    /** Client port of the (first) server; a free one is picked when absent. */
    port: z.number().int().min(1024).max(65535).optional(),
    /** ZooKeeper's tick; sessions may time out between 2 and 20 ticks (src/shared/session-timeout.ts). */
    tickTimeMs: z.number().int().min(TICK_TIME_MIN_MS).max(TICK_TIME_MAX_MS).default(TICK_TIME_DEFAULT_MS),
    connectString: z.string().min(1).optional(),
    /** An unpacked Apache ZooKeeper to use instead of the one found on the machine. */
    home: z.string().min(1).optional(),
  })
  .strict()
  .refine((o) => o.mode !== 'external' || o.connectString, {
    message: 'an external ZooKeeper needs a connectString (host:port,…)',
    path: ['connectString'],
  })
export type ZooKeeperOptions = z.input<typeof ZooKeeperOptions>

/** Within the lab's bounds; whether ZooKeeper grants it depends on the tick (sessionTimeoutProblem). */
export const SessionTimeoutMs = z
  .number()
  .int()
  .min(SESSION_TIMEOUT_MIN_MS)
  .max(SESSION_TIMEOUT_MAX_MS)
  .default(DEFAULT_SESSION_TIMEOUT_MS)

export const WorkerSettings = z
  .object({
    strategy: Strategy.default(DEFAULT_STRATEGY),
    /** How often the primary backs up the next id. */
    commitIntervalMs: z.number().int().min(50).max(60_000).default(DEFAULT_COMMIT_INTERVAL_MS),
    sessionTimeoutMs: SessionTimeoutMs,
    /** Where the task's election is held and how its children order (external programs and peers). */
    election: ElectionSettings.optional(),
    /**
     * How many times each server appears in the worker's connect string (1 by default). The seed's
     * users list one server several times; its Go client then keeps retrying it after an expiry.
     */
    connectRepeat: z.number().int().min(1).max(5).optional(),
    /** Its wall clock set apart: `{ offsetMs: 5000 }` ahead, `{ rate: 1.01 }` drifting (libfaketime; Linux). */
    clock: ClockSkew.optional(),
    /**
     * What the primary does: `counter` (the next id, the default) or `binlog` (back up the session's
     * MariaDB source, which must be started: startSource).
     */
    workload: Workload.optional(),
    /** binlog: commit the GTID to lastCommit after this many row events (or commitIntervalMs). */
    commitEvents: z.number().int().min(1).max(1_000_000).optional(),
  })
  .strict()
export type WorkerSettings = z.output<typeof WorkerSettings>

/** Transactions per second the load generator commits on the source unless a scenario says otherwise. */
export const DEFAULT_SOURCE_RATE = 20
/**
 * The binlog workload's MariaDB source (scenario field `source`, Lab API startSource): the lab runs a
 * private server, and the load generator writes to it at `rate` transactions per second.
 */
export const SourceSettings = z
  .object({
    /** Transactions per second the load generator commits (0: none, the source stays idle). */
    rate: z.number().min(0).max(10_000).default(DEFAULT_SOURCE_RATE),
  })
  .strict()
export type SourceSettings = z.output<typeof SourceSettings>
export type SourceSettingsInput = z.input<typeof SourceSettings>
/** What the lab can do to its MariaDB source (target `mariadb` of faults and scenario steps). */
export const SourceAction = z.enum(['start', 'stop', 'kill', 'pause', 'resume', 'restart'])
export type SourceAction = z.infer<typeof SourceAction>
export const SourceActionInput = z.object({ action: SourceAction }).strict()
/**
 * Changes the source's load: `rate` alone is the new steady rate; `rate` with `forMs` holds it that
 * long, then goes back; `burst` adds that many transactions as fast as the source takes them.
 */
export const SourceLoadInput = z
  .object({
    rate: z.number().min(0).max(10_000).optional(),
    forMs: z.number().int().min(1).max(3_600_000).optional(),
    burst: z.number().int().min(1).max(1_000_000).optional(),
  })
  .strict()
  .refine((l) => (l.rate === undefined) !== (l.burst === undefined), {
    message: 'give either rate (with forMs, optionally) or burst',
  })
  .refine((l) => l.forMs === undefined || l.rate !== undefined, { message: 'forMs goes with rate', path: ['forMs'] })
export type SourceLoadInput = z.input<typeof SourceLoadInput>

export const CreateSessionInput = z
  .object({
    name: z.string().min(1).max(80).optional(),
    /** Exact folder for the session; otherwise a new folder under sessionsDir. */
    dir: z.string().min(1).optional(),
    sessionsDir: z.string().min(1).optional(),
    scenario: z.string().optional(),
  })
  .strict()
export type CreateSessionInput = z.input<typeof CreateSessionInput>

export const ProcessAction = z.enum(['stop', 'kill', 'pause', 'resume', 'restart'])
export type ProcessAction = z.infer<typeof ProcessAction>

export const ZooKeeperAction = z.enum(['start', 'stop', 'kill', 'pause', 'resume', 'restart'])
export type ZooKeeperAction = z.infer<typeof ZooKeeperAction>

/**
 * Any program as a task's workers (strategy `external`). In `command`, `args` and `env` values the
 * lab replaces {connect} (the worker's own proxied connect string), {root}, {task}, {taskPath},
 * {workerId}, {sessionTimeoutMs}, {commitIntervalMs} and {sink}; it also sets them as ZKLAB_* env.
 */
export const ExternalWorker = z
  .object({
    command: z.string().trim().min(1, 'the command to run (a path or a program on PATH)'),
    args: z.array(z.string()).default([]),
    env: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'an environment variable name'), z.string()).default({}),
  })
  .strict()
export type ExternalWorker = z.input<typeof ExternalWorker>

export const TaskInput = z.object({ task: TaskName }).strict()
/**
 * Workers one session may start in all (restarts of the same worker not counted). The scale bench
 * starts up to 320 in one session; past a few hundred the machine, not the lab, is what gives out.
 */
export const MAX_WORKERS_PER_SESSION = 500
export const AddWorkersInput = z
  .object({
    task: TaskName,
    count: z.number().int().min(1).max(50).default(1),
    /** Run this program instead of the lab's task worker; `strategy` is then ignored. */
    external: ExternalWorker.optional(),
  })
  .extend(WorkerSettings.partial().shape)
  .strict()
export type AddWorkersInput = z.input<typeof AddWorkersInput>
export const ProcessActionInput = z.object({ name: z.string().min(1), action: ProcessAction }).strict()
export const ZooKeeperActionInput = z.object({ server: z.number().int().min(1), action: ZooKeeperAction }).strict()

/**
 * Faults on a worker's link to ZooKeeper, after Toxiproxy's toxics: `partition` (a blackhole),
 * `slow` (latency ± jitter), `loss` (retransmission delays), `bandwidth`, `slicer`, `slow-close`;
 * `reset` resets the connections once; `heal` clears every fault in force.
 */
export const NetworkFault = z.enum(['partition', 'heal', 'reset', 'slow', 'loss', 'bandwidth', 'slicer', 'slow-close'])
export type NetworkFault = z.infer<typeof NetworkFault>
/** Which way a fault hits: upstream is worker → ZooKeeper, downstream ZooKeeper → worker. */
export const FaultDirection = z.enum(['upstream', 'downstream', 'both'])
export type FaultDirection = z.infer<typeof FaultDirection>
/** A fault's parameters besides its kind and target (shared by the API, scenario steps and the CLI). */
export const NetworkFaultParams = {
  /** Which way the fault hits (default both). Ignored by heal and reset. */
  direction: FaultDirection.optional(),
  /** The probability (0–1) that a given connection is affected, decided per connection (default 1). */
  toxicity: z.number().min(0).max(1).optional(),
  /** For `slow`: added delay, and its random spread. */
  latencyMs: z.number().int().min(0).max(60_000).optional(),
  jitterMs: z.number().int().min(0).max(60_000).optional(),
  /** For `loss`: the probability (0–1) that a chunk is lost and waits for a retransmission. */
  probability: z.number().min(0).max(1).optional(),
  /** For `bandwidth`: bytes per second in each direction hit. */
  bytesPerSecond: z.number().int().min(1).max(1_000_000_000).optional(),
  /** For `slicer`: the slices' size, and the delay between two slices. */
  sliceBytes: z.number().int().min(1).max(1_048_576).optional(),
  sliceDelayMs: z.number().int().min(0).max(60_000).optional(),
  /** For `slow-close`: how long the proxy waits before closing the other side when one side closes. */
  delayMs: z.number().int().min(0).max(600_000).optional(),
  /** Seeds the link's random source (loss, jitter, toxicity), so a run can be replayed; default Math.random. */
  seed: z.number().int().min(0).max(0xffffffff).optional(),
}
/** The parameter each fault cannot do without. */
const REQUIRED_PARAM: Partial<Record<NetworkFault, keyof typeof NetworkFaultParams>> = {
  slow: 'latencyMs',
  loss: 'probability',
  bandwidth: 'bytesPerSecond',
  slicer: 'sliceBytes',
  'slow-close': 'delayMs',
}
export const NetworkFaultInput = z
  .object({
    /** The worker whose link to ZooKeeper is hit. */
    name: z.string().min(1),
    fault: NetworkFault,
    ...NetworkFaultParams,
  })
  .strict()
  .superRefine((f, ctx) => {
    const needed = REQUIRED_PARAM[f.fault]
    if (needed && f[needed] === undefined)
      ctx.addIssue({ code: 'custom', message: `${f.fault} needs ${needed}`, path: [needed] })
  })
export type NetworkFaultInput = z.input<typeof NetworkFaultInput>

export const RunScenarioInput = z
  .object({
    /** A bundled scenario, by name (listScenarios). */
    name: z.string().regex(/^[A-Za-z0-9._-]+$/, 'a bundled scenario name, like kill-primary'),
    /** Overrides the strategy of every task in the scenario. */
    strategy: Strategy.optional(),
    /** Runs every task's workers as this program instead (grading any implementation with the same scenario). */
    external: ExternalWorker.optional(),
    /** Seeds the run's random choices over the scenario's own (replaying a run); drawn and recorded when absent. */
    seed: z.number().int().min(0).max(MAX_SEED).optional(),
  })
  .strict()
  .refine((o) => !(o.strategy && o.external), {
    message: 'give a strategy or an external command, not both',
    path: ['external'],
  })
export type RunScenarioInput = z.input<typeof RunScenarioInput>

export interface ScenarioSummary {
  name: string
  description: string
  tasks: number
  workers: number
  strategies: string[]
  zookeeper: string
  /** What its tasks' primaries do, when some task says (`binlog`: the scenario runs a MariaDB source). */
  workloads?: Workload[]
}

export const SessionDirInput = z.object({ dir: z.string().min(1) }).strict()
export const RenameSessionInput = z.object({ dir: z.string().min(1), name: z.string().min(1).max(80) }).strict()
export const SessionsDirInput = z.object({ dir: z.string().min(1) }).strict()

/** One past session, as the library lists it. */
export interface SessionSummary {
  dir: string
  name: string
  createdAt: string
  scenario?: string
  strategies: string[]
  durationMs?: number
  /** true: every invariant held; false: some broke; undefined: not graded (cut off, or still open). */
  verdictOk?: boolean
  /** Final verdicts neither ok nor FAIL: the check failed (`unknown`) or the lab lacked its evidence (`not-judged`), with why. */
  unjudged?: Array<Pick<Verdict, 'invariant' | 'task' | 'state' | 'reason'>>
  /** How many final verdicts failed (FAIL), where session.json lists them: with none, unknown verdicts alone made verdictOk false. */
  verdictsBroken?: number
  /** false when the lab stopped without closing the session (killed mid-run). */
  closedCleanly: boolean
}

export const ExportReportInput = z
  .object({
    dir: z.string().min(1),
    formats: z
      .array(z.enum(['html', 'json', 'pdf']))
      .min(1)
      .default(['html', 'json', 'pdf']),
  })
  .strict()
export const CompareSessionsInput = z.object({ dirs: z.array(z.string().min(1)).min(2).max(8) }).strict()

export interface GapStats {
  count: number
  p50: number | null
  p95: number | null
  max: number | null
}

/** One session of a comparison: its verdicts and failover gaps, from the same checker. */
export interface SessionComparison {
  summary: SessionSummary
  ok: boolean
  verdicts: VerdictSummary[]
  failovers: number
  newPrimaryMs: GapStats
  firstCommitMs: GapStats
}

export const RemoveWorkerInput = z.object({ name: z.string().min(1) }).strict()
export const RecentEventsInput = z
  .object({
    /** Only events after this sequence number. */
    afterSeq: z.number().int().min(0).default(0),
    limit: z.number().int().min(1).max(50_000).default(10_000),
  })
  .strict()
export type RecentEventsInput = z.input<typeof RecentEventsInput>

/**
 * Whether this machine can run a local ZooKeeper: what the lab found, or what is missing and the one
 * command that installs it (empty when the fix is a setting, e.g. a ZOOKEEPER_HOME that holds no
 * ZooKeeper). The app's set-up panel shows it instead of a bare error.
 */
export type ZooKeeperSetup =
  | {
      ok: true
      java: { path: string; version: string }
      zookeeper: { kind: string; home: string; version: string }
    }
  | {
      ok: false
      missing: ('java' | 'zookeeper')[]
      /** One sentence per problem, each naming where the lab looked. */
      problems: string[]
      install: string
    }

export interface SessionInfo {
  dir: string
  name: string
  createdAt: number
}

export type Unsubscribe = () => void

export interface LabApi {
  createSession(input: CreateSessionInput): Promise<SessionInfo>
  startZooKeeper(input?: ZooKeeperOptions): Promise<LabState['zookeeper']>
  /** Looks for Java and ZooKeeper again (after a failed start, or when the user installed them). */
  checkZooKeeperSetup(): Promise<ZooKeeperSetup>
  zooKeeperAction(input: z.input<typeof ZooKeeperActionInput>): Promise<void>
  /**
   * Starts the session's MariaDB source (the binlog workload's; datadir `mariadb/`, log
   * `logs/mariadb.log`) and its load generator. Refused, naming the set-up command, where MariaDB is
   * not installed.
   */
  startSource(input?: SourceSettingsInput): Promise<NonNullable<LabState['source']>>
  /** Stops, kills, pauses, resumes, restarts (same port and datadir) or starts again the MariaDB source. */
  sourceAction(input: z.input<typeof SourceActionInput>): Promise<void>
  /** Changes the source's load: a new rate, a rate for a while, or a burst. */
  sourceLoad(input: SourceLoadInput): Promise<void>
  publishTask(input: z.input<typeof TaskInput>): Promise<void>
  deleteTask(input: z.input<typeof TaskInput>): Promise<void>
  /** Starts `count` workers for a task; returns their process names. */
  addWorkers(input: AddWorkersInput): Promise<string[]>
  removeWorker(input: z.input<typeof RemoveWorkerInput>): Promise<void>
  processAction(input: z.input<typeof ProcessActionInput>): Promise<void>
  /** The bundled scenarios the app can run. */
  listScenarios(): Promise<ScenarioSummary[]>
  /** Every strategy a task can run, the peers with whether their toolchain is installed here (and how to install it). */
  listStrategies(): Promise<StrategyInfo[]>
  /**
   * Runs a bundled scenario in a new session (the open one is closed first). Returns once the run
   * has started; progress, violations and the result arrive as events.
   */
  runScenario(input: RunScenarioInput): Promise<{ started: string }>
  /** Stops the running scenario between steps; its session is closed and graded as far as it got. */
  stopScenario(): Promise<void>
  /** The folder new sessions go to, and the past sessions in it, newest first. */
  listSessions(): Promise<{ sessionsDir: string; sessions: SessionSummary[] }>
  /** Chooses where sessions go (and which the library lists); for the lab's own process only (host-only). */
  setSessionsDir(input: z.input<typeof SessionsDirInput>): Promise<void>
  /**
   * Asks the user for a folder in the shell's own dialog (Electron only; elsewhere it throws). A session
   * folder makes its parent the sessions folder and is named as `session`, to replay; any other folder
   * becomes the sessions folder. null when the user cancelled.
   */
  chooseSessionsFolder(): Promise<{ sessionsDir: string; session?: string } | null>
  /** A past session's whole journal, for a read-only replay (a session folder of the library). */
  readSession(
    input: z.input<typeof SessionDirInput>,
  ): Promise<{ summary: SessionSummary; events: LabEvent[]; problems: { line: number; message: string }[] }>
  renameSession(input: z.input<typeof RenameSessionInput>): Promise<SessionSummary>
  /** Deletes a session folder of the library (never the open one, never anything outside it). */
  deleteSession(input: z.input<typeof SessionDirInput>): Promise<void>
  /** Writes report.html / report.json / report.pdf of a session into its folder; returns their paths. */
  exportReport(input: z.input<typeof ExportReportInput>): Promise<Partial<Record<'html' | 'json' | 'pdf', string>>>
  /** Sessions side by side: verdicts and failover gap percentiles. */
  compareSessions(input: z.input<typeof CompareSessionsInput>): Promise<SessionComparison[]>
  /** Cuts, slows, resets or heals one worker's network path to ZooKeeper (through its proxy). */
  networkFault(input: NetworkFaultInput): Promise<void>
  /**
   * Cuts links between the servers of a local ensemble in a named shape (server-partitions.ts); it
   * replaces the partition in force. Returns the shape in words, with the servers it hit.
   */
  partitionServers(input: z.input<typeof ServerPartitionSpec>): Promise<{ description: string }>
  /** Heals every link between ensemble servers. */
  healServers(): Promise<void>
  /** The current state, derived from the journal the same way every view derives it. */
  snapshot(): Promise<LabState>
  /** The latest events the lab holds in memory (logs and timeline of a view opened mid-session). */
  recentEvents(input?: RecentEventsInput): Promise<LabEvent[]>
  /** Events in batches, in journal order. */
  subscribe(listener: (batch: LabEvent[]) => void): Unsubscribe
  closeSession(): Promise<void>
}

/**
 * Every callable method with the schema of its one argument: the table the Electron IPC handlers and
 * the WebSocket bridge validate against, and from which the renderer's client is generated.
 * `subscribe` is not here: each transport delivers event batches its own way.
 */
export const LabMethods = {
  createSession: CreateSessionInput,
  startZooKeeper: ZooKeeperOptions.optional(),
  checkZooKeeperSetup: z.undefined(),
  zooKeeperAction: ZooKeeperActionInput,
  startSource: SourceSettings.optional(),
  sourceAction: SourceActionInput,
  sourceLoad: SourceLoadInput,
  publishTask: TaskInput,
  deleteTask: TaskInput,
  addWorkers: AddWorkersInput,
  removeWorker: RemoveWorkerInput,
  processAction: ProcessActionInput,
  networkFault: NetworkFaultInput,
  partitionServers: ServerPartitionSpec,
  healServers: z.undefined(),
  listScenarios: z.undefined(),
  listStrategies: z.undefined(),
  listSessions: z.undefined(),
  setSessionsDir: SessionsDirInput,
  chooseSessionsFolder: z.undefined(),
  readSession: SessionDirInput,
  renameSession: RenameSessionInput,
  deleteSession: SessionDirInput,
  exportReport: ExportReportInput,
  compareSessions: CompareSessionsInput,
  runScenario: RunScenarioInput,
  stopScenario: z.undefined(),
  snapshot: z.undefined(),
  recentEvents: RecentEventsInput.optional(),
  closeSession: z.undefined(),
} as const satisfies Record<LabMethod, z.ZodType>

/** Compiles only while lab-methods.ts names exactly the API's callable methods. */
type Assert<T extends true> = T
export type MethodNamesMatchTheApi = Assert<
  [LabMethod] extends [Exclude<keyof LabApi, 'subscribe'>]
    ? [Exclude<keyof LabApi, 'subscribe'>] extends [LabMethod]
      ? true
      : false
    : false
>

/** The callable part of the API, as every transport exposes it. */
export type LabCalls = Pick<LabApi, LabMethod>

/** An argument that does not match its method's schema; the message names each bad field. */
export class LabInputError extends Error {
  override readonly name = 'LabInputError'
}

/** Validates one call from outside (IPC, WebSocket): a known method and an argument that fits it. */
export function parseLabCall(method: unknown, input: unknown): { method: LabMethod; input: unknown } {
  if (typeof method !== 'string' || !(LAB_METHOD_NAMES as string[]).includes(method)) {
    throw new LabInputError(`Unknown lab method ${JSON.stringify(method)}.`)
  }
  const schema = LabMethods[method as LabMethod] as z.ZodType
  const parsed = schema.safeParse(input)
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.length ? i.path.join('.') : 'argument'}: ${i.message}`)
    throw new LabInputError(`Invalid argument for ${method}: ${problems.join('; ')}`)
  }
  return { method: method as LabMethod, input: parsed.data }
}
