/**
 * The load generator against a real private MariaDB, killed and started again, then paused, under load, and the
 * source's history read back with mariadb-binlog: every change the source acknowledged is in the
 * history exactly once and in order, and zongji (the workers' binlog client) decodes the very same
 * rows for the same GTIDs. Then the server is stopped and its files read from disk give the same history.
 */
import ZongJi, { type AnyBinlogEvent } from '@vlasky/zongji'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { readBinlogHistory } from '../../src/core/mariadb/history.js'
import type { MariaDbInstance } from '../../src/core/mariadb/index.js'
import { LoadGenerator, type LoadStats, type SourceConnection } from '../../src/core/mariadb/load-generator.js'
import { LEDGER_TABLE, SOURCE_DATABASE, type SourceRow } from '../../src/shared/binlog.js'
import { useMariaDb } from './helpers/mariadb.js'

let db: MariaDbInstance
useMariaDb((m) => (db = m.instance))

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))
const source = (): SourceConnection => ({ ...db.address, ...db.credentials })

/** Every row event zongji streams from the binlog's start, grouped by GTID, up to `lastGtid`'s commit. */
async function zongjiRows(lastGtid: string, timeoutMs = 15_000): Promise<Map<string, SourceRow[]>> {
  const byGtid = new Map<string, SourceRow[]>()
  const zongji = new ZongJi(source())
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`zongji did not reach ${lastGtid}`)), timeoutMs)
      zongji.on('error', (err: Error) => reject(err))
      zongji.on('binlog', (event: AnyBinlogEvent) => {
        const gtid = event.gtid ?? ''
        const rows = byGtid.get(gtid) ?? []
        if (event.getEventName() === 'xid' && gtid === lastGtid) {
          clearTimeout(timer)
          resolve()
        }
        const add = (
          op: SourceRow['op'],
          table: { parentSchema: string; tableName: string } | undefined,
          values: object,
        ): void => {
          rows.push({
            table: `${table?.parentSchema}.${table?.tableName}`,
            op,
            values: Object.values(values) as SourceRow['values'],
          })
          byGtid.set(gtid, rows)
        }
        if (event.getTypeName() === 'WriteRows' || event.getTypeName() === 'DeleteRows') {
          const e = event as Extract<AnyBinlogEvent, { getTypeName(): 'WriteRows' | 'DeleteRows' }>
          const op = e.getTypeName() === 'WriteRows' ? 'insert' : 'delete'
          for (const row of e.rows) add(op, e.tableMap[e.tableId], row)
        } else if (event.getTypeName() === 'UpdateRows') {
          const e = event as Extract<AnyBinlogEvent, { getTypeName(): 'UpdateRows' }>
          for (const row of e.rows) add('update', e.tableMap[e.tableId], row.after)
        }
      })
      zongji.start({
        gtidSet: '',
        serverId: 4242,
        includeEvents: ['mariadbgtid', 'tablemap', 'writerows', 'updaterows', 'deleterows', 'xid'],
      })
    })
  } finally {
    zongji.stop()
  }
  return byGtid
}

describe('load generator and source history', () => {
  it('keeps every acknowledged change through a source crash and a pause, and both binlog readers agree', async () => {
    const load = new LoadGenerator({
      connection: source(),
      seed: 16,
      statementTimeoutMs: 700,
      backoff: { minMs: 20, maxMs: 400 },
    })
    let beforeCrash: number
    let afterCrash: LoadStats
    try {
      await load.start({ rate: 150 })
      await sleep(600)
      load.burst({ count: 150 })
      await sleep(600)
      beforeCrash = load.stats().committed
      await db.kill()
      await sleep(300)
      await db.start()
      await sleep(1000)
      afterCrash = load.stats()
      // Paused longer than a statement may take: the transaction in flight is given up, and if that
      // was its COMMIT, its outcome is unknown (the server may finish it once it runs again).
      db.pause()
      await sleep(1500)
      db.resume()
      await sleep(1000)
    } finally {
      await load.stop()
    }
    const stats = load.stats()
    const committed = load.committedChangeIds()
    const unknown = new Set(load.unknownChangeIds())
    expect(beforeCrash).toBeGreaterThan(20)
    // It came back after the crash on its own and went on.
    expect(afterCrash.committed).toBeGreaterThan(beforeCrash + 10)
    expect(afterCrash.failed + afterCrash.unknown).toBeGreaterThan(0)
    expect(stats.failed + stats.unknown).toBeGreaterThan(afterCrash.failed + afterCrash.unknown)
    expect(stats.committed).toBeGreaterThan(afterCrash.committed + 10)
    expect(stats.committed).toBe(committed.length)

    const history = await readBinlogHistory({ server: source() }, { program: db.installation.binlog })
    const changes = history.filter((t) => t.change !== undefined)
    const ids = changes.map((t) => t.change!)
    // In order and never twice: the ids the ledger carries only grow.
    expect(ids.every((id, i) => i === 0 || id > ids[i - 1])).toBe(true)
    const inHistory = new Set(ids)
    expect(committed.filter((id) => !inHistory.has(id))).toEqual([])
    // A change is in the history only if the source acknowledged it, or its COMMIT went unanswered.
    expect(ids.filter((id) => !committed.includes(id) && !unknown.has(id))).toEqual([])
    // Each change is one row on one table plus its ledger row, stamped when it was issued.
    for (const tx of changes) {
      expect(tx.rows).toHaveLength(2)
      expect(tx.rows[1]).toMatchObject({ table: `${SOURCE_DATABASE}.${LEDGER_TABLE}`, op: 'insert' })
      const [, op, table, pk] = tx.rows[1].values
      expect(tx.rows[0]).toMatchObject({ table: `${SOURCE_DATABASE}.${table}`, op })
      expect(tx.rows[0].values[0]).toBe(pk)
      expect(tx.changedAt).toBeLessThanOrEqual(tx.time + 1000)
    }
    expect(new Set(changes.map((t) => t.rows[0].op))).toEqual(new Set(['insert', 'update', 'delete']))
    // The crash rotated the binlog: the history spans more than one file.
    expect(new Set(history.map((t) => t.file)).size).toBeGreaterThan(1)

    // zongji decodes the same rows for the same GTIDs.
    const withRows = history.filter((t) => t.rows.length > 0)
    const streamed = await zongjiRows(withRows.at(-1)!.gtid)
    expect([...streamed.keys()]).toEqual(withRows.map((t) => t.gtid))
    for (const tx of withRows) expect(streamed.get(tx.gtid)).toEqual(tx.rows)

    // A stopped server's files read from disk tell the same history.
    const files = (await db.binlogFiles()).map((f) => join(db.dataDir, f.name))
    await db.stop()
    try {
      expect(await readBinlogHistory({ files }, { program: db.installation.binlog })).toEqual(history)
    } finally {
      await db.start()
    }
  })
})
