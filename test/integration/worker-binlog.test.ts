/**
 * The binlog workload against a real MariaDB (the lab's private instance, in a tmpdir), a real ZooKeeper and
 * real task-worker processes, under an inline load (one items row and one ledger row per
 * transaction). The sink is compared with the ledger read back with SELECT: every transaction's rows
 * exactly once, in GTID order, for the recipe through a kill, a pause past the session timeout and a
 * source restart; the seed is caught doubling or losing rows when its primary is paused.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import mysql from 'mysql2/promise'
import { beforeAll, beforeEach, describe, expect, it } from 'vitest'
import type { MariaDbInstance } from '../../src/core/mariadb/index.js'
import { BackupRecord, LEDGER_TABLE, SOURCE_DATABASE } from '../../src/shared/binlog.js'
import { encodeLaunch, SOURCE_PASSWORD_ENV } from '../../src/shared/worker-launch/index.js'
import { useStandaloneZk, type StandaloneZk } from './helpers/standalone-zk.js'
import { useMariaDb } from './helpers/mariadb.js'
import { waitFor } from './helpers/wait.js'
import { startProgram, type WorkerProcess } from './helpers/worker-process.js'

const SESSION_TIMEOUT = 2000
const PAUSE_MS = SESSION_TIMEOUT + 1500
// ---- the load: one items row and one ledger row per transaction --------------------------------

class Load {
  private nextChange = 1
  private running = false
  private loop: Promise<void> | undefined
  committed = 0
  failures = 0

  constructor(
    private readonly db: MariaDbInstance,
    private readonly everyMs = 8,
  ) {}

  start(): void {
    this.running = true
    this.loop = this.run()
  }

  async stop(): Promise<void> {
    this.running = false
    await this.loop
  }

  private async run(): Promise<void> {
    let conn: mysql.Connection | undefined
    while (this.running) {
      try {
        conn ??= await mysql.createConnection({ ...this.db.address, ...this.db.credentials })
        const change = this.nextChange++
        // Inserts mostly, an update or a delete of an earlier row now and then.
        const op = change % 7 === 0 ? 'update' : change % 11 === 0 ? 'delete' : 'insert'
        const pk = op === 'insert' ? change : change - 3
        await conn.beginTransaction()
        const [result] =
          op === 'insert'
            ? await conn.query('INSERT INTO labsrc.items VALUES (?, ?, ?)', [pk, `item-${pk}`, 0])
            : op === 'update'
              ? await conn.query('UPDATE labsrc.items SET n = n + 1 WHERE id = ?', [pk])
              : await conn.query('DELETE FROM labsrc.items WHERE id = ?', [pk])
        if ((result as mysql.ResultSetHeader).affectedRows !== 1) {
          // Its row is gone already: no row event, so no change either (the ledger lists row changes).
          await conn.rollback()
          continue
        }
        await conn.query(`INSERT INTO ${SOURCE_DATABASE}.${LEDGER_TABLE} VALUES (?, ?, 'items', ?, ?)`, [
          change,
          op,
          pk,
          Date.now(),
        ])
        await conn.commit()
        this.committed++
      } catch {
        // The source is restarting: the change may or may not have committed; the ledger says which.
        this.failures++
        await conn?.end().catch(() => {})
        conn = undefined
        await new Promise((r) => setTimeout(r, 100))
      }
      await new Promise((r) => setTimeout(r, this.everyMs))
    }
    await conn?.end().catch(() => {})
  }
}

interface LedgerRow {
  change_id: number
  op: string
  pk: number
}

// ---- the comparison ---------------------------------------------------------------------------------

function readSink(path: string): BackupRecord[] {
  if (!existsSync(path)) return []
  return readFileSync(path, 'utf8')
    .split('\n')
    .flatMap((line) => {
      try {
        return [BackupRecord.parse(JSON.parse(line))]
      } catch {
        return [] // a torn line: not written
      }
    })
}

interface Verdict {
  /** `gtid#index` written more than once. */
  doubled: string[]
  /** Ledger changes with no (or not all) rows in the sink. */
  missing: number[]
  /** Rows that do not match their ledger change, or come out of GTID order. */
  wrong: string[]
}

/** Each ledger change must be one transaction: its items row at index 0, its ledger row at index 1. */
function compare(records: BackupRecord[], ledger: LedgerRow[]): Verdict {
  const seen = new Map<string, number>()
  const doubled: string[] = []
  const wrong: string[] = []
  const firstWrite: BackupRecord[] = []
  for (const r of records) {
    const key = `${r.gtid}#${r.index}`
    const n = (seen.get(key) ?? 0) + 1
    seen.set(key, n)
    if (n === 2) doubled.push(key)
    if (n === 1) firstWrite.push(r)
  }
  // In GTID order: the first write of each row comes after the rows of earlier transactions.
  for (let i = 1; i < firstWrite.length; i++) {
    const [a, b] = [firstWrite[i - 1], firstWrite[i]]
    if (b.seq < a.seq || (b.seq === a.seq && b.index < a.index)) wrong.push(`${b.gtid}#${b.index} after ${a.gtid}`)
  }
  const byChange = new Map<number, BackupRecord[]>()
  for (const r of firstWrite) if (r.change !== undefined) byChange.set(r.change, [...(byChange.get(r.change) ?? []), r])
  const missing: number[] = []
  for (const row of ledger) {
    const rows = byChange.get(row.change_id) ?? []
    if (rows.length < 2) {
      missing.push(row.change_id)
      continue
    }
    const [item, entry] = [...rows].sort((x, y) => x.index - y.index)
    if (item.table !== 'labsrc.items' || item.op !== row.op || item.values[0] !== row.pk)
      wrong.push(`change ${row.change_id}: ${JSON.stringify(item)}`)
    if (entry.table !== `${SOURCE_DATABASE}.${LEDGER_TABLE}` || entry.values[0] !== row.change_id)
      wrong.push(`change ${row.change_id}: ${JSON.stringify(entry)}`)
  }
  const known = new Set(ledger.map((row) => row.change_id))
  for (const change of byChange.keys()) if (!known.has(change)) wrong.push(`change ${change} is not in the ledger`)
  return { doubled, missing, wrong }
}

// ---- the test file ------------------------------------------------------------------------------------

let zk: StandaloneZk
let dir: string
let db: MariaDbInstance

useStandaloneZk((started) => {
  zk = started
})
useMariaDb((m) => {
  db = m.instance
  dir = m.dir
})

describe('binlog workload (real MariaDB, ZooKeeper and workers)', () => {
  beforeAll(async () => {
    await db.withAdmin(async (c) => {
      await c.query('SET sql_log_bin = 0')
      await c.query('CREATE TABLE labsrc.items (id INT PRIMARY KEY, name VARCHAR(40), n INT)')
      await c.query(
        `CREATE TABLE ${SOURCE_DATABASE}.${LEDGER_TABLE} (change_id INT PRIMARY KEY, op VARCHAR(8), tbl VARCHAR(40), pk INT, changed_at_ms BIGINT)`,
      )
    })
    process.env[SOURCE_PASSWORD_ENV] = db.credentials.password // inherited by the workers
  })

  // Each test starts from an empty history: its GTIDs count from 0-1-1 and the ledger is its own.
  beforeEach(async () => {
    await db.withAdmin(async (c) => {
      await c.query('SET sql_log_bin = 0')
      await c.query('DELETE FROM labsrc.items')
      await c.query(`DELETE FROM ${SOURCE_DATABASE}.${LEDGER_TABLE}`)
      await c.query('RESET MASTER')
    })
  })

  const startWorker = (
    task: string,
    id: number,
    strategy: 'seed' | 'recipe',
    extra: { commitInterval?: number; commitEvents?: number } = {},
  ): WorkerProcess =>
    startProgram(
      'task-worker',
      encodeLaunch('task-worker', {
        connect: zk.connect,
        task,
        workerId: id,
        sink: join(dir, `${task}.log`),
        strategy,
        sessionTimeoutMs: SESSION_TIMEOUT,
        commitIntervalMs: extra.commitInterval ?? 300,
        commitEvents: extra.commitEvents ?? 50,
        workload: 'binlog',
        source: `${db.address.host}:${db.address.port}`,
        sourceUser: db.credentials.user,
      }).args,
    )

  const isPrimary = (e: { type: string; role?: unknown; reason?: unknown }) =>
    e.type === 'worker.role' && e.role === 'primary'

  /** Waits until `w` has written at least `n` more transactions (from event index `from`). */
  const worked = (w: WorkerProcess, n: number, from = 0) =>
    waitFor(() => w.events.slice(from).filter((e) => e.type === 'worker.work').length >= n, 20_000)

  /** Starts the load, a primary (worker 1) and a standby (worker 2) behind it, and waits for some work. */
  const underLoad = async (
    task: string,
    strategy: 'seed' | 'recipe',
    extra?: { commitInterval: number; commitEvents: number },
  ) => {
    const load = new Load(db)
    load.start()
    try {
      const first = startWorker(task, 1, strategy, extra)
      await first.waitFor(isPrimary, 'worker 1 primary')
      const second = startWorker(task, 2, strategy, extra)
      await second.waitForType(strategy === 'recipe' ? 'worker.watching' : 'worker.role')
      await worked(first, 20)
      await first.waitForType('worker.commit')
      return { task, load, first, second, sink: join(dir, `${task}.log`) }
    } catch (err) {
      await load.stop()
      throw err
    }
  }

  const ledger = async (): Promise<LedgerRow[]> => {
    const [rows] = await db.withAdmin((c) =>
      c.query(`SELECT change_id, op, pk FROM ${SOURCE_DATABASE}.${LEDGER_TABLE} ORDER BY change_id`),
    )
    return rows as LedgerRow[]
  }

  /** Stops the load, then waits until the sink holds the last change's rows (the backup caught up). */
  const drain = async (load: Load, sink: string, workers: WorkerProcess[]): Promise<LedgerRow[]> => {
    await load.stop()
    const rows = await ledger()
    const last = rows.at(-1)!.change_id
    await waitFor(() => readSink(sink).filter((r) => r.change === last).length >= 2, 20_000, 100).catch(
      (err: Error) => {
        throw new Error(`${err.message}\n${workers.map((w) => w.describe()).join('\n')}`)
      },
    )
    await new Promise((r) => setTimeout(r, 500)) // a late duplicate would show up by now
    return rows
  }

  it('recipe: a kill -9 of the primary and a pause of its successor past the session timeout lose and double nothing', async () => {
    const { task, load, first, second, sink } = await underLoad('binlog-recipe-failover', 'recipe')
    try {
      first.kill('SIGKILL')
      await second.waitFor(isPrimary, 'worker 2 takes over after the kill', 20_000)
      const reconciled = await second.waitForType('worker.reconciled')
      console.log(`takeover after kill -9: ${JSON.stringify(reconciled)}`)
      const third = startWorker(task, 3, 'recipe')
      await third.waitForType('worker.watching')
      const mark = second.events.length
      await worked(second, 20, mark)

      process.kill(second.pid, 'SIGSTOP')
      await third.waitFor(isPrimary, 'worker 3 takes over during the pause', 20_000)
      await new Promise((r) => setTimeout(r, Math.max(0, PAUSE_MS - SESSION_TIMEOUT)))
      process.kill(second.pid, 'SIGCONT')
      await second.waitFor(
        (e) => e.type === 'worker.role' && e.role === 'standby' && e.reason !== undefined,
        'worker 2 steps down after the pause',
        20_000,
        mark,
      )
      await worked(third, 20)

      const rows = await drain(load, sink, [first, second, third])
      const verdict = compare(readSink(sink), rows)
      expect(verdict, JSON.stringify(reconciled)).toEqual({ doubled: [], missing: [], wrong: [] })
      expect(rows.length).toBeGreaterThan(100)
      // After its pause the old primary stopped streaming: no row of its after it stepped down.
      const stepDown = second.events.findIndex((e, i) => i >= mark && e.type === 'worker.role' && e.role === 'standby')
      expect(second.events.slice(stepDown).some((e) => e.type === 'worker.work')).toBe(false)
      expect(second.events.slice(mark).some((e) => e.type === 'worker.stream' && e.state === 'stopped')).toBe(true)
    } finally {
      await load.stop()
    }
  }, 60_000)

  it('seed: a pause of the primary past the session timeout doubles or loses rows, named by GTID', async () => {
    // Commits once a second: at the pause the sink is ahead of lastCommit by up to a second of work.
    const every = { commitInterval: 1000, commitEvents: 100_000 }
    const { load, first, second, sink } = await underLoad('binlog-seed-pause', 'seed', every)
    try {
      process.kill(first.pid, 'SIGSTOP')
      await second.waitFor(isPrimary, 'worker 2 takes over during the pause', 20_000)
      await new Promise((r) => setTimeout(r, Math.max(0, PAUSE_MS - SESSION_TIMEOUT)))
      process.kill(first.pid, 'SIGCONT')
      const mark = first.events.length
      await worked(first, 5, mark) // the zombie writes on

      const rows = await drain(load, sink, [first, second])
      const verdict = compare(readSink(sink), rows)
      console.log(
        `seed after a pause: ${verdict.doubled.length} rows doubled (${verdict.doubled.slice(0, 5).join(', ')}…), ` +
          `${verdict.missing.length} changes missing (${verdict.missing.slice(0, 5).join(', ')})`,
      )
      expect(verdict.doubled.length + verdict.missing.length).toBeGreaterThan(0)
      expect(verdict.wrong.filter((w) => !w.includes(' after '))).toEqual([])
    } finally {
      await load.stop()
    }
  }, 60_000)

  it('recipe: restarting the MariaDB under load loses nothing', async () => {
    const { load, first, second, sink } = await underLoad('binlog-recipe-source-restart', 'recipe')
    try {
      await db.stop()
      await first.waitFor((e) => e.type === 'worker.stream' && e.state === 'error', 'a stream error', 20_000)
      await new Promise((r) => setTimeout(r, 1000)) // it retries meanwhile, and keeps its role
      await db.start()
      const mark = first.events.length
      await worked(first, 20, mark)

      const rows = await drain(load, sink, [first, second])
      expect(compare(readSink(sink), rows)).toEqual({ doubled: [], missing: [], wrong: [] })
      expect(first.events.some((e) => e.type === 'worker.role' && e.role === 'standby')).toBe(false)
      expect(second.events.some(isPrimary)).toBe(false)
      expect(load.failures).toBeGreaterThan(0) // the load did see the source go
    } finally {
      await load.stop()
    }
  }, 60_000)

  it('recipe: a sink whose last transaction is partial (a torn line) gets only its missing rows', async () => {
    // A complete backup first, by one worker of another task.
    const load = new Load(db)
    load.start()
    await new Promise((r) => setTimeout(r, 800))
    const source = startWorker('binlog-recipe-partial-source', 1, 'recipe')
    const rows = await drain(load, join(dir, 'binlog-recipe-partial-source.log'), [source])
    source.kill('SIGKILL')
    const full = readFileSync(join(dir, 'binlog-recipe-partial-source.log'), 'utf8').split('\n').filter(Boolean)
    // Then a sink that stops after the first row of a transaction, in the middle of its second row's line.
    const cut = full.findIndex((line, i) => i > full.length / 2 && BackupRecord.parse(JSON.parse(line)).index === 0)
    const partial = BackupRecord.parse(JSON.parse(full[cut]))
    const sink = join(dir, 'binlog-recipe-partial.log')
    writeFileSync(sink, full.slice(0, cut + 1).join('\n') + '\n' + full[cut + 1].slice(0, 20))

    const worker = startWorker('binlog-recipe-partial', 1, 'recipe')
    const reconciled = await worker.waitForType('worker.reconciled')
    expect(reconciled).toMatchObject({ lastCommit: 0, sinkLast: partial.seq, skip: { gtid: partial.gtid, index: 0 } })
    const completed = await worker.waitForType('worker.work')
    expect(completed).toMatchObject({ gtid: partial.gtid, rows: 1 })
    await waitFor(() => readSink(sink).filter((r) => r.change === rows.at(-1)!.change_id).length >= 2, 20_000, 100)
    expect(compare(readSink(sink), rows)).toEqual({ doubled: [], missing: [], wrong: [] })
  }, 60_000)
})
