/**
 * The load generator's bookkeeping of outcomes, against a scripted stand-in for the source (the
 * real one is in test/integration/mariadb-load-history.test.ts): a lost COMMIT is unknown and its
 * row is never touched again, a failure before COMMIT retries the same change on a new connection,
 * a change the server keeps refusing is given up, and every transaction is one row plus its ledger row.
 */
import { afterEach, describe, expect, it } from 'vitest'
import {
  LoadGenerator,
  type LoadConnection,
  type LoadConnector,
  type LoadStats,
} from '../../src/core/mariadb/load-generator.js'
import { LEDGER_TABLE } from '../../src/shared/binlog.js'

interface Statement {
  connection: number
  sql: string
  values: unknown[]
}

/** A source that answers everything, except the statements a test scripts to fail. */
class ScriptedSource {
  readonly statements: Statement[] = []
  connections = 0
  /** Checked in order on each statement: the first that matches fails it (and is used up unless `always`). */
  faults: { match: (s: Statement) => boolean; error: object; always?: boolean }[] = []

  readonly connect: LoadConnector = () => {
    const id = ++this.connections
    const conn: LoadConnection = {
      query: ({ sql, values = [] }) => {
        const statement = { connection: id, sql, values }
        this.statements.push(statement)
        const at = this.faults.findIndex((f) => f.match(statement))
        if (at >= 0) {
          const fault = this.faults[at]
          if (!fault.always) this.faults.splice(at, 1)
          return Promise.reject(Object.assign(new Error('scripted'), fault.error))
        }
        if (sql.startsWith('SELECT COALESCE')) return Promise.resolve([[{ last: 0 }], []])
        return Promise.resolve([[], []])
      },
      destroy: () => undefined,
    }
    return Promise.resolve(conn)
  }

  /** The ledger inserts, in the order sent: [change id, op, table, pk]. */
  ledger(): unknown[][] {
    return this.statements
      .filter((s) => s.sql.includes(LEDGER_TABLE) && s.sql.startsWith('INSERT'))
      .map((s) => s.values.slice(0, 4))
  }
}

const LOST = { code: 'ECONNRESET' }
const DUPLICATE = { code: 'ER_DUP_ENTRY', errno: 1062, sqlState: '23000' }
const DEADLOCK = { code: 'ER_LOCK_DEADLOCK', errno: 1213, sqlState: '40001' }

let load: LoadGenerator | undefined
afterEach(async () => {
  await load?.stop()
  load = undefined
})

async function runUntil(source: ScriptedSource, done: (s: LoadStats) => boolean): Promise<LoadStats> {
  load = new LoadGenerator({
    connection: { host: '127.0.0.1', port: 1, user: 'u', password: 'p' },
    seed: 7,
    connect: source.connect,
    backoff: { minMs: 1, maxMs: 4 },
    maxRefusals: 3,
  })
  await load.start({ rate: 0 })
  load.burst({ count: 1000 })
  const deadline = Date.now() + 10_000
  while (!done(load.stats()) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5))
  await load.stop()
  return load.stats()
}

const isCommit = (s: Statement): boolean => s.sql === 'COMMIT'

describe('load generator outcomes', () => {
  it('records a COMMIT lost with its connection as unknown, and never touches that row again', async () => {
    const source = new ScriptedSource()
    // The first data change's COMMIT (the schema's statements are not transactions).
    source.faults.push({ match: isCommit, error: LOST })
    const stats = await runUntil(source, (s) => s.committed >= 200)
    expect(stats.unknown).toBe(1)
    expect(stats.failed).toBe(0)
    expect(load!.unknownChangeIds()).toEqual([1])
    expect(load!.committedChangeIds().slice(0, 3)).toEqual([2, 3, 4])
    const [first, ...rest] = source.ledger()
    expect(first.slice(0, 2)).toEqual([1, 'insert'])
    // Later changes on that table leave the row whose insert may or may not have happened alone.
    expect(rest.filter((l) => l[2] === first[2] && l[3] === first[3])).toEqual([])
    // The next change came on a new connection.
    const commits = source.statements.filter(isCommit)
    expect(commits[1].connection).not.toBe(commits[0].connection)
  })

  it('retries a change that failed before COMMIT, same id, on a new connection', async () => {
    const source = new ScriptedSource()
    // Change 1's COMMIT refused by the server (rolled back), change 3's connection lost before COMMIT.
    source.faults.push({ match: isCommit, error: DEADLOCK })
    source.faults.push({ match: (s) => s.sql.includes(LEDGER_TABLE) && s.values[0] === 3, error: LOST })
    const stats = await runUntil(source, (s) => s.committed >= 50)
    expect(stats.failed).toBe(2)
    expect(stats.unknown).toBe(0)
    expect(load!.committedChangeIds().slice(0, 50)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1))
    const change3 = source.statements.filter((s) => s.sql.includes(LEDGER_TABLE) && s.values[0] === 3)
    expect(change3).toHaveLength(2)
    expect(change3[1].connection).toBeGreaterThan(change3[0].connection)
  })

  it('gives up a change the server keeps refusing, and goes on with the next', async () => {
    const source = new ScriptedSource()
    const refused = (s: Statement): boolean => s.sql.includes(LEDGER_TABLE) && s.values[0] === 5
    source.faults.push({ match: refused, error: DUPLICATE, always: true })
    const stats = await runUntil(source, (s) => s.committed >= 20)
    expect(stats).toMatchObject({ failed: 3, abandoned: 1, unknown: 0 })
    expect(load!.committedChangeIds()).not.toContain(5)
    expect(load!.committedChangeIds()).toContain(6)
  })

  it('writes one row and its ledger row per transaction, inserts before updates and deletes', async () => {
    const source = new ScriptedSource()
    await runUntil(source, (s) => s.committed >= 300)
    const ops = new Set(source.ledger().map((l) => l[1]))
    expect(ops).toEqual(new Set(['insert', 'update', 'delete']))
    // Per connection: START TRANSACTION, the row, the ledger row, COMMIT; nothing else in between.
    const transactions = source.statements.filter((s) => !s.sql.startsWith('CREATE') && !s.sql.startsWith('SELECT'))
    for (let i = 0; i + 3 < transactions.length; i += 4) {
      expect(transactions.slice(i, i + 4).map((s) => s.sql.split(' ')[0])).toEqual([
        'START',
        transactions[i + 1].sql.split(' ')[0],
        'INSERT',
        'COMMIT',
      ])
    }
    // An update or delete only names a row an earlier committed insert made.
    const inserted = new Set<string>()
    for (const [, op, table, pk] of source.ledger()) {
      if (op === 'insert') inserted.add(JSON.stringify([table, pk]))
      else expect(inserted.has(JSON.stringify([table, pk]))).toBe(true)
    }
  })
})

describe('load generator rates', () => {
  it('runs a burst rate for its duration, then the set rate', async () => {
    const source = new ScriptedSource()
    load = new LoadGenerator({
      connection: { host: '127.0.0.1', port: 1, user: 'u', password: 'p' },
      connect: source.connect,
    })
    await load.start({ rate: 0 })
    load.burst({ rate: 200, durationMs: 400 })
    expect(load.stats().rate).toBe(200)
    await new Promise((r) => setTimeout(r, 700))
    const afterBurst = load.stats()
    // About 80 at 200/s for 0.4 s; loose bounds for a loaded machine, and nothing after it ended.
    expect(afterBurst.rate).toBe(0)
    expect(afterBurst.committed).toBeGreaterThan(20)
    expect(afterBurst.committed).toBeLessThanOrEqual(82)
    await new Promise((r) => setTimeout(r, 100))
    expect(load.stats().committed).toBe(afterBurst.committed)
    load.setRate(50)
    await new Promise((r) => setTimeout(r, 400))
    expect(load.stats().committed).toBeGreaterThan(afterBurst.committed)
  })
})
