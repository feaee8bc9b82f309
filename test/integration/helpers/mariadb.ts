/**
 * One private MariaDB server for a whole test file, in a tmpdir: started in beforeAll, and in
 * afterAll stopped, then killed by its PID if anything is left of it (even after a failed test),
 * and its folder removed.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll } from 'vitest'
import { MariaDbInstance, type MariaDbInstanceOptions } from '../../../src/core/mariadb/index.js'

export interface TestMariaDb {
  instance: MariaDbInstance
  /** The tmpdir holding data/, the socket and mariadb.log. */
  dir: string
}

export function useMariaDb(
  use: (db: TestMariaDb) => void,
  options: Partial<Omit<MariaDbInstanceOptions, 'dir' | 'logFile'>> = {},
): void {
  let db: TestMariaDb | undefined
  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'zklab-mariadb-test-'))
    const instance = new MariaDbInstance({ dir, logFile: join(dir, 'mariadb.log'), ...options })
    db = { instance, dir }
    await instance.start()
    use(db)
  }, 60_000)
  afterAll(async () => {
    // Only the current server's PID: earlier ones have exited, and their numbers may be reused.
    const pid = db?.instance.pid
    await db?.instance.dispose().catch(() => {})
    if (pid !== undefined && db?.instance.pid === pid) killQuietly(pid)
    if (db) rmSync(db.dir, { recursive: true, force: true })
  }, 30_000)
}

/** Ends a server by PID if it is still there (SIGCONT first, in case a test left it paused). */
export function killQuietly(pid: number): void {
  for (const signal of ['SIGCONT', 'SIGKILL'] as const) {
    try {
      process.kill(pid, signal)
    } catch {
      return
    }
  }
}
