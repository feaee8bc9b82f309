/**
 * The binlog workload's load: transactions on the lab's MariaDB source at a chosen rate, each one
 * row change (insert, update or delete) on one of a few tables plus one ledger row in
 * `labsrc.lab_changes` carrying the change's id, so the source's full history is known and every
 * transaction, a delete too, can be found in the binlog and in a backup.
 *
 * It runs inside the lab process and must outlive the source's faults: a transaction that fails is
 * counted and retried on a new connection after a bounded backoff; one whose COMMIT was sent but not
 * answered (connection lost or server paused mid-commit) may or may not be in the binlog, so it is
 * recorded as unknown, never assumed, and its row is left alone from then on.
 *
 * Values are integers, short ASCII strings and NULL only: both readers of the binlog (zongji in the
 * workers, mariadb-binlog in the lab) then give exactly the same values.
 */
import mysql from 'mysql2/promise'
import { LEDGER_TABLE, SOURCE_DATABASE, type RowOperation } from '../../shared/binlog.js'

/** How the lab reaches its source. */
export interface SourceConnection {
  host: string
  port: number
  user: string
  password: string
}

interface TableSpec {
  name: string
  /** CREATE TABLE body; the first column is the BIGINT primary key. */
  columns: string
  /** Column names after the key, in order. */
  fields: string[]
  /**
   * A fresh value for each of `fields`. The first one carries the change id, so an update always
   * changes its row (MariaDB logs no row for an update that changes nothing).
   */
  values(random: () => number, change: number): (number | string | null)[]
}

const word = (random: () => number, max: number): string => {
  const letters = 'abcdefghijklmnopqrstuvwxyz0123456789-_'
  const length = 1 + Math.floor(random() * max)
  let text = ''
  for (let i = 0; i < length; i++) text += letters[Math.floor(random() * letters.length)]
  return text
}
const int = (random: () => number, span: number): number => Math.floor(random() * span * 2) - span
const sometimesNull = <T>(random: () => number, value: T): T | null => (random() < 0.15 ? null : value)

/** The tables the load writes: signed integers (negative ones too), short strings and NULLs. */
export const LOAD_TABLES: readonly TableSpec[] = [
  {
    name: 'accounts',
    columns: 'id BIGINT PRIMARY KEY, owner VARCHAR(24) NOT NULL, balance INT NULL',
    fields: ['owner', 'balance'],
    values: (r, change) => [`o${change}-${word(r, 8)}`, sometimesNull(r, int(r, 100_000))],
  },
  {
    name: 'orders',
    columns: 'id BIGINT PRIMARY KEY, account_id BIGINT NOT NULL, qty SMALLINT NOT NULL, status VARCHAR(12) NULL',
    fields: ['account_id', 'qty', 'status'],
    values: (r, change) => [change * 1000 + Math.floor(r() * 1000), int(r, 300), sometimesNull(r, word(r, 10))],
  },
  {
    name: 'events',
    columns: 'id BIGINT PRIMARY KEY, kind VARCHAR(16) NOT NULL, payload VARCHAR(40) NULL, weight INT NULL',
    fields: ['kind', 'payload', 'weight'],
    values: (r, change) => [`k${change}`, sometimesNull(r, word(r, 32)), sometimesNull(r, int(r, 2_000_000_000))],
  },
]

const LEDGER_COLUMNS =
  'change_id BIGINT PRIMARY KEY, op VARCHAR(8) NOT NULL, tbl VARCHAR(32) NOT NULL, pk BIGINT NOT NULL, changed_at_ms BIGINT NOT NULL'

/** What the generator asks of a connection to the source (mysql2/promise's, by default). */
export interface LoadConnection {
  /** Resolves to mysql2's `[rows, fields]`. */
  query(options: { sql: string; values?: unknown[]; timeout?: number }): Promise<[unknown, unknown]>
  destroy(): void
}

/** Opens a connection; `timeoutMs` bounds the connect. */
export type LoadConnector = (connection: SourceConnection, timeoutMs: number) => Promise<LoadConnection>

/** One planned change: kept until it commits, so a retry repeats exactly the same change. */
interface Change {
  id: number
  op: RowOperation
  table: TableSpec
  pk: number
  values: (number | string | null)[]
  attempts: number
}

/** Where the generator stands; `committed`/`failed`/`unknown` count transactions (attempts for failed). */
export interface LoadStats {
  /** Transactions whose COMMIT the server acknowledged. */
  committed: number
  /** Attempts that failed before COMMIT was sent or were refused by it: not in the binlog, retried. */
  failed: number
  /** Transactions whose COMMIT was sent but never answered: in the binlog or not. */
  unknown: number
  /** Changes given up after too many refusals by the server itself (not connection losses). */
  abandoned: number
  /** The highest change id committed so far (0 before the first). */
  lastChangeId: number
  /** The rate in force (transactions/s), a burst's included. */
  rate: number
  /** Whether it has a connection to the source now. */
  connected: boolean
  /** The last error met, for a status line. */
  lastError?: string
}

export interface LoadGeneratorOptions {
  connection: SourceConnection
  /** Seeds the choice of operations and values, so a run can be repeated. Default: time-based. */
  seed?: number
  /** Limit for one statement (COMMIT included) before the connection is given up. Default 5000 ms. */
  statementTimeoutMs?: number
  /** Backoff after a failure: doubles from `min` to `max`. Default 50 ms to 2000 ms. */
  backoff?: { minMs: number; maxMs: number }
  /** How often the server may refuse one change (an SQL error, not a lost connection) before it is dropped. Default 5. */
  maxRefusals?: number
  /** How connections are opened; a test may hand in its own. Default: mysql2/promise. */
  connect?: LoadConnector
}

/** Burst: `count` extra transactions as fast as the source takes them, or `rate` for `durationMs`. */
export type Burst = { count: number } | { rate: number; durationMs: number }

const DEFAULT_TIMEOUT_MS = 5000
const DEFAULT_BACKOFF = { minMs: 50, maxMs: 2000 }
const DEFAULT_MAX_REFUSALS = 5
/** Rows an update/delete picks from, per table: enough variety, bounded memory. */
const KNOWN_ROWS_KEPT = 2000
/** Behind schedule by more than this, the schedule restarts from now instead of catching up at once. */
const MAX_LAG_MS = 1000
/**
 * Whether the server itself answered with an error (and so rolled the transaction back). A
 * connection-level error has no SQL state; class 08 (connection exception, e.g. shutdown in
 * progress) and fatal errors say nothing certain about a COMMIT either.
 */
function isServerAnswer(err: unknown): boolean {
  const { sqlState, fatal } = err as { sqlState?: unknown; fatal?: unknown }
  return typeof sqlState === 'string' && !sqlState.startsWith('08') && fatal !== true
}

/** A small seeded PRNG (mulberry32): the load's choices repeat with the seed. */
function seededRandom(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** Creates `labsrc`, its tables and the ledger (if missing); idempotent. */
export async function createLoadSchema(
  connection: SourceConnection,
  connect: LoadConnector = connectMysql,
): Promise<void> {
  const conn = await connect(connection, DEFAULT_TIMEOUT_MS)
  try {
    await conn.query({ sql: `CREATE DATABASE IF NOT EXISTS ${SOURCE_DATABASE}` })
    for (const t of LOAD_TABLES)
      await conn.query({ sql: `CREATE TABLE IF NOT EXISTS ${SOURCE_DATABASE}.${t.name} (${t.columns}) ENGINE=InnoDB` })
    await conn.query({
      sql: `CREATE TABLE IF NOT EXISTS ${SOURCE_DATABASE}.${LEDGER_TABLE} (${LEDGER_COLUMNS}) ENGINE=InnoDB`,
    })
  } finally {
    conn.destroy()
  }
}

async function connectMysql(connection: SourceConnection, timeoutMs: number): Promise<LoadConnection> {
  const conn = await mysql.createConnection({ ...connection, connectTimeout: timeoutMs, multipleStatements: false })
  // A fatal error with no command pending is emitted on the connection: without a listener it would end the lab.
  conn.on('error', () => undefined)
  return { query: (options) => conn.query(options), destroy: () => conn.destroy() }
}

export class LoadGenerator {
  private readonly options: Required<Omit<LoadGeneratorOptions, 'seed'>>
  private readonly random: () => number
  private conn: LoadConnection | undefined
  private running = false
  private loop: Promise<void> | undefined
  private wake: (() => void) | undefined
  private baseRate = 0
  private burstCount = 0
  private burstRate: { rate: number; until: number } | undefined
  private nextChangeId = 1
  private readonly nextPk = new Map<string, number>()
  private readonly knownRows = new Map<string, number[]>()
  private pending: Change | undefined
  private backoffMs: number
  private readonly committedIds: number[] = []
  private readonly unknownIds: number[] = []
  private counts = { committed: 0, failed: 0, unknown: 0, abandoned: 0, lastChangeId: 0 }
  private lastError: string | undefined

  constructor(options: LoadGeneratorOptions) {
    this.options = {
      connection: options.connection,
      statementTimeoutMs: options.statementTimeoutMs ?? DEFAULT_TIMEOUT_MS,
      backoff: options.backoff ?? DEFAULT_BACKOFF,
      maxRefusals: options.maxRefusals ?? DEFAULT_MAX_REFUSALS,
      connect: options.connect ?? connectMysql,
    }
    this.random = seededRandom(options.seed ?? Date.now())
    this.backoffMs = this.options.backoff.minMs
  }

  /**
   * Creates the schema and picks up where an earlier run on the same source left off (change ids and
   * keys continue), then runs at `rate` transactions/s until `stop()`. Throws only if the source cannot
   * be prepared at all; after that, no failure of the source ends the load.
   */
  async start({ rate }: { rate: number }): Promise<void> {
    if (this.running) throw new Error('The load generator is already running.')
    await createLoadSchema(this.options.connection, this.options.connect)
    // A change left over from an earlier start never committed; it is planned afresh.
    this.pending = undefined
    await this.resume()
    this.baseRate = Math.max(0, rate)
    this.running = true
    this.loop = this.run()
  }

  setRate(rate: number): void {
    this.baseRate = Math.max(0, rate)
    this.wake?.()
  }

  burst(burst: Burst): void {
    if ('count' in burst) this.burstCount += Math.max(0, Math.floor(burst.count))
    else this.burstRate = { rate: Math.max(0, burst.rate), until: Date.now() + burst.durationMs }
    this.wake?.()
  }

  /** Stops after the transaction in flight ends (bounded by the statement timeout) and closes the connection. */
  async stop(): Promise<void> {
    this.running = false
    this.wake?.()
    await this.loop
    this.loop = undefined
    this.dropConnection()
  }

  stats(): LoadStats {
    return {
      ...this.counts,
      rate: this.currentRate(),
      connected: this.conn !== undefined,
      ...(this.lastError === undefined ? {} : { lastError: this.lastError }),
    }
  }

  /** Every change id the source acknowledged, ascending. */
  committedChangeIds(): readonly number[] {
    return this.committedIds
  }

  /** Change ids whose COMMIT went unanswered: each is in the source's history at most once. */
  unknownChangeIds(): readonly number[] {
    return this.unknownIds
  }

  private currentRate(): number {
    if (this.burstRate && Date.now() >= this.burstRate.until) this.burstRate = undefined
    return this.burstRate?.rate ?? this.baseRate
  }

  private async resume(): Promise<void> {
    const conn = await this.options.connect(this.options.connection, this.options.statementTimeoutMs)
    try {
      const [ledger] = await conn.query({
        sql: `SELECT COALESCE(MAX(change_id), 0) AS last FROM ${SOURCE_DATABASE}.${LEDGER_TABLE}`,
      })
      // Never below what this generator already handed out: an unknown change's id may not be in the table.
      const last = Number((ledger as { last: number | string }[])[0]?.last ?? 0)
      this.nextChangeId = Math.max(this.nextChangeId, last + 1)
      for (const t of LOAD_TABLES) {
        const [rows] = await conn.query({
          sql: `SELECT id FROM ${SOURCE_DATABASE}.${t.name} ORDER BY id DESC LIMIT ${KNOWN_ROWS_KEPT}`,
        })
        const ids = (rows as { id: number | string }[]).map((r) => Number(r.id)).reverse()
        this.knownRows.set(t.name, ids)
        this.nextPk.set(t.name, Math.max(this.nextPk.get(t.name) ?? 1, (ids.at(-1) ?? 0) + 1))
      }
    } finally {
      conn.destroy()
    }
  }

  private async run(): Promise<void> {
    let next = performance.now()
    while (this.running) {
      if (this.burstCount > 0) {
        this.burstCount--
      } else {
        const rate = this.currentRate()
        if (rate <= 0) {
          await this.sleep(this.burstRate ? Math.max(0, this.burstRate.until - Date.now()) : 60_000)
          next = performance.now()
          continue
        }
        const now = performance.now()
        if (now - next > MAX_LAG_MS) next = now
        if (next > now) {
          await this.sleep(next - now)
          // Woken early (a new rate, a burst, stop): decide again.
          if (performance.now() < next - 1) continue
        }
        next += 1000 / rate
      }
      if (this.running) await this.runOne()
    }
  }

  /** Runs the pending change (or a new one) once; every outcome is counted, none is thrown. */
  private async runOne(): Promise<void> {
    const change = (this.pending ??= this.plan())
    let commitSent = false
    try {
      const conn = await this.connection()
      const timeout = this.options.statementTimeoutMs
      await conn.query({ sql: 'START TRANSACTION', timeout })
      await conn.query({ sql: this.rowStatement(change), values: this.rowValues(change), timeout })
      await conn.query({
        sql: `INSERT INTO ${SOURCE_DATABASE}.${LEDGER_TABLE} VALUES (?, ?, ?, ?, ?)`,
        values: [change.id, change.op, change.table.name, change.pk, Date.now()],
        timeout,
      })
      commitSent = true
      await conn.query({ sql: 'COMMIT', timeout })
      this.settle(change, 'committed')
      this.backoffMs = this.options.backoff.minMs
    } catch (err) {
      this.lastError = (err as Error).message
      // Whatever happened, this connection's state is unknown: a fresh one for the next attempt.
      this.dropConnection()
      if (commitSent && !isServerAnswer(err)) {
        this.settle(change, 'unknown')
      } else {
        this.counts.failed++
        if (isServerAnswer(err) && ++change.attempts >= this.options.maxRefusals) {
          this.counts.abandoned++
          this.pending = undefined
        }
      }
      await this.sleep(this.backoffMs)
      this.backoffMs = Math.min(this.options.backoff.maxMs, this.backoffMs * 2)
    }
  }

  private settle(change: Change, outcome: 'committed' | 'unknown'): void {
    this.pending = undefined
    const known = this.knownRows.get(change.table.name) ?? []
    if (outcome === 'committed') {
      this.counts.committed++
      this.counts.lastChangeId = change.id
      this.committedIds.push(change.id)
      if (change.op === 'insert') {
        known.push(change.pk)
        if (known.length > KNOWN_ROWS_KEPT) known.shift()
      } else if (change.op === 'delete') {
        known.splice(known.indexOf(change.pk), 1)
      }
    } else {
      this.counts.unknown++
      this.unknownIds.push(change.id)
      // The row may or may not have changed: never touched again, so every later change hits one row.
      const at = known.indexOf(change.pk)
      if (at >= 0) known.splice(at, 1)
    }
  }

  private plan(): Change {
    const table = LOAD_TABLES[Math.floor(this.random() * LOAD_TABLES.length)]
    const known = this.knownRows.get(table.name) ?? []
    const roll = this.random()
    // Mostly inserts and updates, so the tables grow slowly and updates/deletes find rows.
    const op: RowOperation = known.length === 0 || roll < 0.45 ? 'insert' : roll < 0.8 ? 'update' : 'delete'
    let pk: number
    if (op === 'insert') {
      pk = this.nextPk.get(table.name) ?? 1
      this.nextPk.set(table.name, pk + 1)
    } else {
      pk = known[Math.floor(this.random() * known.length)]!
    }
    const id = this.nextChangeId++
    return { id, op, table, pk, values: table.values(this.random, id), attempts: 0 }
  }

  private rowStatement({ op, table }: Change): string {
    const name = `${SOURCE_DATABASE}.${table.name}`
    if (op === 'insert')
      return `INSERT INTO ${name} (id, ${table.fields.join(', ')}) VALUES (?${', ?'.repeat(table.fields.length)})`
    if (op === 'update') return `UPDATE ${name} SET ${table.fields.map((f) => `${f} = ?`).join(', ')} WHERE id = ?`
    return `DELETE FROM ${name} WHERE id = ?`
  }

  private rowValues({ op, pk, values }: Change): (number | string | null)[] {
    if (op === 'insert') return [pk, ...values]
    if (op === 'update') return [...values, pk]
    return [pk]
  }

  private async connection(): Promise<LoadConnection> {
    this.conn ??= await this.options.connect(this.options.connection, this.options.statementTimeoutMs)
    return this.conn
  }

  private dropConnection(): void {
    this.conn?.destroy()
    this.conn = undefined
  }

  /** Waits `ms`, or less when setRate/burst/stop wakes it. */
  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms)
      function done(): void {
        clearTimeout(timer)
        resolve()
      }
      this.wake = () => {
        this.wake = undefined
        done()
      }
    })
  }
}
