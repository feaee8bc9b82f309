/**
 * How the lab launches its child programs, in one place: per program the typed settings, their one
 * default each, the encoder the lab builds a command line with and the decoder each program reads it
 * back with. The flags stay what people type by hand (`--commit-interval 1000`); the settings object
 * is what the lab records in `process.spawned.settings`, so nothing reads a command line twice.
 */
import { z } from 'zod'
import { DEFAULT_WORKLOAD, Workload } from '../binlog.js'
import {
  ArgError,
  connectFlag,
  decodeFlags,
  encodeFlags,
  intFlag,
  rootFlag,
  taskNameFlag,
  znodePathFlag,
  type Field,
  type Fields,
  type InputOf,
  type SettingsOf,
} from './flags.js'

export { ArgError } from './flags.js'

/** How the lab's own task worker elects and fails over: `seed` (the blog post's program, flaws kept) or `recipe`. */
export const TaskWorkerStrategy = z.enum(['seed', 'recipe'])
export type TaskWorkerStrategy = z.infer<typeof TaskWorkerStrategy>
/**
 * Well-known programs the lab ships as peers of its own worker, each run as it is and graded like any
 * external program: `seed-go` (the seed's Go program on go-zookeeper), `kazoo` (python kazoo's Election
 * recipe) and `curator` (Apache Curator's LeaderLatch). See src/core/peers.
 */
export const PeerStrategy = z.enum(['seed-go', 'kazoo', 'curator'])
export type PeerStrategy = z.infer<typeof PeerStrategy>
/** Every strategy a task can run: the lab's task worker's, or a peer program's. */
export const Strategy = z.enum([...TaskWorkerStrategy.options, ...PeerStrategy.options])
export type Strategy = z.infer<typeof Strategy>
export const isPeerStrategy = (s: string): s is PeerStrategy => (PeerStrategy.options as readonly string[]).includes(s)

/** binlog: row events between two commits of the GTID, at most. */
export const DEFAULT_COMMIT_EVENTS = 100
/** The environment variable that carries the binlog source's password to a worker. */
export const SOURCE_PASSWORD_ENV = 'ZKLAB_SOURCE_PASSWORD'

/** The default election path, relative to the task's path. */
export const DEFAULT_ELECTION_PATH = 'instance'
/**
 * Where a task's workers hold their election and how its children are ordered: the primary is the
 * worker whose session owns the first child. By default the order is ZooKeeper's 10-digit sequence
 * suffix, which every well-known recipe's names end with (the seed's, the lab's, kazoo's, Curator's).
 */
export const ElectionSettings = z
  .object({
    /** The election's parent node, relative to the task's path (`instance`, `election/leader`). */
    path: z
      .string()
      .regex(/^[A-Za-z0-9_.-]+(\/[A-Za-z0-9_.-]+)*$/, 'a path relative to the task, like instance or election/leader')
      .default(DEFAULT_ELECTION_PATH),
    /** A regular expression whose first group orders the children (numerically when it is all digits). */
    order: z
      .string()
      .refine((source) => {
        try {
          return new RegExp(source).source.length > 0
        } catch {
          return false
        }
      }, 'a valid regular expression with one capture group, like -(\\d+)$')
      .optional(),
  })
  .strict()
export type ElectionSettings = z.output<typeof ElectionSettings>

// One default per setting, shared by the Lab API, the scenario format and the programs.
export const DEFAULT_ROOT = '/customBackUp'
export const DEFAULT_STRATEGY: TaskWorkerStrategy = 'seed'
/** ms between two units of work of a primary. */
export const DEFAULT_COMMIT_INTERVAL_MS = 1000
/** The ZooKeeper session timeout a program asks for, ms. */
export const DEFAULT_SESSION_TIMEOUT_MS = 4000
/** How long a program waits for its first session before giving up, ms. */
export const DEFAULT_CONNECT_TIMEOUT_MS = 15_000
/** The monitor's commit-stalled alert fires after this many commit intervals without progress. */
export const DEFAULT_STALL_INTERVALS = 3
/** Bytes of a znode's data the observer reports. */
export const DEFAULT_MAX_DATA = 256

const MAX_INT32 = 2 ** 31 - 1
const field = <S extends z.ZodType>(flag: `--${string}`, schema: S): Field<S> => ({ flag, schema })

const connect = field('--connect', connectFlag())
const root = field('--root', rootFlag().default(DEFAULT_ROOT))
const commitIntervalMs = field('--commit-interval', intFlag({ min: 1 }).default(DEFAULT_COMMIT_INTERVAL_MS))
const sessionTimeoutMs = field(
  '--session-timeout',
  intFlag({ min: 1, max: MAX_INT32 }).default(DEFAULT_SESSION_TIMEOUT_MS),
)
const connectTimeoutMs = field('--connect-timeout', intFlag({ min: 100 }).default(DEFAULT_CONNECT_TIMEOUT_MS))

/**
 * Each program's flags, in the order the lab writes them. Keys are the settings' names; `flag` is
 * what the command line says.
 */
const PROGRAM_FIELDS = {
  'task-worker': {
    connect,
    root,
    task: field('--task', taskNameFlag()),
    workerId: field('--worker-id', intFlag({ min: 0, max: MAX_INT32 })),
    strategy: field('--strategy', TaskWorkerStrategy.default(DEFAULT_STRATEGY)),
    commitIntervalMs,
    sessionTimeoutMs,
    /** The file the primary appends one JSON line to per unit of work. */
    sink: field('--sink', z.string().min(1, 'must be a file path')),
    connectTimeoutMs,
    /** What the primary does: count (`counter`) or back up the source's binlog (`binlog`). */
    workload: field('--workload', Workload.default(DEFAULT_WORKLOAD)),
    /**
     * binlog: the MariaDB source, `host:port`, and its replication user. The password is not a flag
     * (a command line is visible to every user of the machine): it comes in ZKLAB_SOURCE_PASSWORD.
     */
    source: field(
      '--source',
      z
        .string()
        .regex(/^[^:\s]+:\d+$/, 'host:port, like 127.0.0.1:3307')
        .optional(),
    ),
    sourceUser: field('--source-user', z.string().min(1).optional()),
    /** binlog: commit the GTID to lastCommit after this many row events, or after --commit-interval ms. */
    commitEvents: field('--commit-events', intFlag({ min: 1 }).default(DEFAULT_COMMIT_EVENTS)),
  },
  publisher: {
    connect,
    root,
    create: field('--create', taskNameFlag().optional()),
    delete: field('--delete', taskNameFlag().optional()),
    sessionTimeoutMs,
    connectTimeoutMs,
  },
  monitor: {
    connect,
    root,
    commitIntervalMs,
    stallIntervals: field('--stall-intervals', intFlag({ min: 1 }).default(DEFAULT_STALL_INTERVALS)),
    sessionTimeoutMs,
    connectTimeoutMs,
  },
  observer: {
    connect,
    /** The observer may mirror the whole tree: "/" is allowed. */
    root: field('--root', znodePathFlag().default(DEFAULT_ROOT)),
    maxData: field('--max-data', intFlag({ min: 0 }).default(DEFAULT_MAX_DATA)),
    sessionTimeoutMs,
    connectTimeoutMs,
  },
} as const satisfies Record<string, Fields>

type ProgramFields = typeof PROGRAM_FIELDS
/** The lab's own child programs, in src/worker. */
export type LabProgram = keyof ProgramFields
export const LAB_PROGRAMS = Object.keys(PROGRAM_FIELDS) as LabProgram[]

/** A program's settings, every default filled in. */
export type ProgramSettings<P extends LabProgram> = SettingsOf<ProgramFields[P]>
/** What the lab gives to launch a program: the required settings, and any others it wants to set. */
export type LaunchInput<P extends LabProgram> = InputOf<ProgramFields[P]>

export type TaskWorkerSettings = ProgramSettings<'task-worker'>
export type PublisherSettings = ProgramSettings<'publisher'>
export type MonitorSettings = ProgramSettings<'monitor'>
export type ObserverSettings = ProgramSettings<'observer'>

/** Rules across flags, checked after each flag on its own. */
const CROSS_CHECKS: { [P in LabProgram]?: (settings: ProgramSettings<P>) => void } = {
  'task-worker': (s) => {
    if (s.workload === 'binlog' && (s.source === undefined || s.sourceUser === undefined)) {
      throw new ArgError('--source', 'the binlog workload needs --source host:port and --source-user <name>')
    }
  },
  publisher: (s) => {
    if ((s.create === undefined) === (s.delete === undefined)) {
      throw new ArgError('--create/--delete', 'give exactly one of --create <task> or --delete <task>')
    }
  },
}

/** A program's command line → its settings. Throws an ArgError naming the flag and what it needs. */
export function decodeLaunch<P extends LabProgram>(program: P, argv: readonly string[]): ProgramSettings<P> {
  const settings: ProgramSettings<P> = decodeFlags<ProgramFields[P]>(argv, PROGRAM_FIELDS[program])
  CROSS_CHECKS[program]?.(settings)
  return settings
}

/**
 * The command line that launches a program with these settings, and the settings the program will
 * decode from it (read back through the same decoder, so the two cannot drift). Settings left out
 * are left off the command line: the program's default applies.
 */
export function encodeLaunch<P extends LabProgram>(
  program: P,
  input: LaunchInput<P>,
): { args: string[]; settings: ProgramSettings<P> } {
  const args = encodeFlags(input as Partial<ProgramSettings<P>>, PROGRAM_FIELDS[program])
  return { args, settings: decodeLaunch(program, args) }
}

/**
 * What an external worker is told (placeholders and ZKLAB_* env). It parses nothing of ours, so this
 * is only the record of what it was given.
 */
export const ExternalWorkerSettings = z.object({
  /** The worker's own proxied connect string, so network faults hit it alone. */
  connect: z.string(),
  root: z.string(),
  task: z.string(),
  workerId: z.number().int(),
  sessionTimeoutMs: z.number().int(),
  commitIntervalMs: z.number().int(),
  /** The task's sink file. */
  sink: z.string(),
  /** Set when the program is one of the lab's peers rather than the user's own. */
  peer: PeerStrategy.optional(),
  /** Where its election is held and how it is ordered (defaults: `instance`, the sequence suffix). */
  election: ElectionSettings.optional(),
})
export type ExternalWorkerSettings = z.output<typeof ExternalWorkerSettings>

/** `process.spawned.settings`: which program was launched, and the settings it runs with. */
export type LaunchSettings =
  | { [P in LabProgram]: { program: P } & ProgramSettings<P> }[LabProgram]
  | ({ program: 'external' } & ExternalWorkerSettings)

const isLabProgram = (value: unknown): value is LabProgram =>
  typeof value === 'string' && Object.hasOwn(PROGRAM_FIELDS, value)
/** The program file on a recorded command line (`…/task-worker.mjs`, `…/monitor.ts`); its flags follow it. */
const PROGRAM_ENTRY = /(?:^|[\\/])([a-z-]+)\.(?:mjs|js|ts)$/

/**
 * The settings a `process.spawned` event says its program ran with: its `settings` when the lab
 * recorded them, else (sessions recorded before they were) its command line read with the programs'
 * own decoder. Undefined for a process that is none of the lab's programs, or whose record does not
 * decode.
 */
// A journal is read back from disk, so what it says it recorded is decoded again, not trusted.
export function settingsOfSpawned({
  args,
  settings,
}: {
  args?: unknown
  settings?: unknown
}): LaunchSettings | undefined {
  return recordedSettings(settings) ?? commandLineSettings(args)
}

function recordedSettings(value: unknown): LaunchSettings | undefined {
  if (!value || typeof value !== 'object') return undefined
  const { program, ...settings } = value as Record<string, unknown>
  if (program === 'external') {
    const parsed = ExternalWorkerSettings.safeParse(settings)
    return parsed.success ? { program, ...parsed.data } : undefined
  }
  if (!isLabProgram(program)) return undefined
  try {
    // Read back through the decoder, so a hand-edited journal cannot smuggle in what no program accepts.
    return { program, ...encodeLaunch(program, settings as LaunchInput<typeof program>).settings } as LaunchSettings
  } catch {
    return undefined
  }
}

function commandLineSettings(args: unknown): LaunchSettings | undefined {
  if (!Array.isArray(args)) return undefined
  const argv = args.map(String)
  for (let i = 0; i < argv.length; i++) {
    const program = PROGRAM_ENTRY.exec(argv[i])?.[1]
    if (!isLabProgram(program)) continue
    try {
      return { program, ...decodeLaunch(program, argv.slice(i + 1)) } as LaunchSettings
    } catch {
      return undefined
    }
  }
  return undefined
}

export { ClockSkew, MAX_CLOCK_OFFSET_MS, describeClock, faketimeSpec, labTimeOf } from './clock.js'
