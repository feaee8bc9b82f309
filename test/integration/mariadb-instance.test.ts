/**
 * The lab's private MariaDB source, for real: a datadir in a tmpdir, the lab user, ROW binlog with
 * GTIDs, and the faults the lab applies to it (restart, kill, pause).
 */
import mysql, { type Connection } from 'mysql2/promise'
import { describe, expect, it } from 'vitest'
import { SOURCE_DATABASE, parseGtid } from '../../src/shared/binlog.js'
import type { MariaDbInstance } from '../../src/core/mariadb/index.js'
import { useMariaDb } from './helpers/mariadb.js'

let db: MariaDbInstance
useMariaDb((m) => (db = m.instance))

async function connectAsLabUser(): Promise<Connection> {
  return mysql.createConnection({ ...db.address, ...db.credentials, database: SOURCE_DATABASE, connectTimeout: 5000 })
}

async function count(c: Connection): Promise<number> {
  const [rows] = await c.query('SELECT COUNT(*) AS n FROM t')
  return Number((rows as Array<{ n: number }>)[0].n)
}

describe('MariaDbInstance', () => {
  it('runs a ROW binlog with GTIDs that the lab user can write and read', async () => {
    expect(db.state).toBe('running')
    expect(db.address.host).toBe('127.0.0.1')
    const c = await connectAsLabUser()
    try {
      const [vars] = await c.query('SELECT @@binlog_format AS f, @@log_bin AS b, @@binlog_row_metadata AS m')
      expect((vars as Array<Record<string, unknown>>)[0]).toMatchObject({ f: 'ROW', b: 1, m: 'FULL' })
      const before = parseGtid((await db.gtid()) || '0-1-0')!.seq
      await c.query('CREATE TABLE t (id INT PRIMARY KEY, v VARCHAR(20))')
      await c.query("INSERT INTO t VALUES (1, 'one'), (2, 'two')")
      const after = parseGtid(await db.gtid())!
      expect(after.seq).toBe(before + 2)
      expect(after.server).toBe(1)
      // The lab user may read the binlog's list, which the history reader and the workers need.
      const [logs] = await c.query('SHOW BINARY LOGS')
      expect((logs as unknown[]).length).toBeGreaterThan(0)
    } finally {
      await c.end()
    }
  })

  it('restarts on the same port with its data and binlog', async () => {
    const { port } = db.address
    const pid = db.pid
    const gtid = await db.gtid()
    const files = await db.binlogFiles()
    await db.restart()
    expect(db.pid).not.toBe(pid)
    expect(db.address.port).toBe(port)
    expect(await db.gtid()).toBe(gtid)
    const after = await db.binlogFiles()
    // A restart rotates to a new file and keeps the old ones.
    expect(after.map((f) => f.name)).toEqual(expect.arrayContaining(files.map((f) => f.name)))
    expect(after.length).toBeGreaterThan(files.length)
    const c = await connectAsLabUser()
    try {
      expect(await count(c)).toBe(2)
    } finally {
      await c.end()
    }
  })

  it('recovers after a kill', async () => {
    const c = await connectAsLabUser()
    await c.query("INSERT INTO t VALUES (3, 'three')")
    await c.end()
    const gtid = await db.gtid()
    const exit = await db.kill()
    expect(exit?.signal).toBe('SIGKILL')
    expect(db.state).toBe('stopped')
    await expect(db.gtid()).rejects.toThrow()
    await db.start()
    expect(await db.gtid()).toBe(gtid)
    const c2 = await connectAsLabUser()
    try {
      expect(await count(c2)).toBe(3)
    } finally {
      await c2.end()
    }
  })

  it('pause blocks a query until resume', async () => {
    const c = await connectAsLabUser()
    try {
      db.pause()
      expect(db.state).toBe('paused')
      let done = false
      const insert = c.query("INSERT INTO t VALUES (4, 'four')").then(() => (done = true))
      await new Promise((r) => setTimeout(r, 500))
      expect(done).toBe(false)
      db.resume()
      await insert
      expect(done).toBe(true)
      expect(await count(c)).toBe(4)
    } finally {
      if (db.state === 'paused') db.resume()
      await c.end()
    }
  })

  it('refuses a port that is taken, naming it', async () => {
    const { MariaDbInstance: Instance, MariaDbPortInUseError } = await import('../../src/core/mariadb/index.js')
    const { mkdtempSync, rmSync } = await import('node:fs')
    const { tmpdir } = await import('node:os')
    const { join } = await import('node:path')
    const dir = mkdtempSync(join(tmpdir(), 'zklab-mariadb-taken-'))
    const other = new Instance({ dir, logFile: join(dir, 'mariadb.log'), port: db.address.port })
    try {
      const err = await other.start().catch((e: unknown) => e)
      expect(err).toBeInstanceOf(MariaDbPortInUseError)
      expect((err as Error).message).toContain(String(db.address.port))
      expect(other.pid).toBeUndefined()
    } finally {
      await other.dispose()
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
