/**
 * A session's sinks: `sinks/<task>.log`, one JSON record a line, appended by whichever worker is the
 * task's primary. A counter task's lines are `SinkRecord`s (one id each); a binlog task's are
 * `BackupRecord`s (one row event of a source transaction each, src/shared/binlog.ts). Read whole; a
 * line that is neither (a torn last write after a kill) is counted, never fatal.
 */
import { existsSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { BackupRecord, ClaimFence, SinkClaim } from '../../shared/binlog.js'
import { readJsonLines } from './json-lines.js'
import { sinksDir, sinkTask } from './paths.js'

/** One record a primary appended to a task's sink: the stand-in for a backed-up binlog position. */
export interface SinkRecord {
  id: number
  worker: number | string
  time: number
  session?: string
  /** The recipe's fencing token: the lastCommit version its commit produced. */
  version?: number
}

export interface SinkRead {
  /**
   * Every record as the coordination invariants read it: a counter line as it is, a backup line as
   * its transaction's seq (`id`), writer, session, time and fencing token (`version`).
   */
  records: SinkRecord[]
  /** The binlog workload's lines, whole, in file order (empty for a counter task). */
  backups: BackupRecord[]
  unreadable: number
  /**
   * Backup lines made void by a recipe primary's claim before them (a deposed primary's late write,
   * see SinkClaim): left out of `records` and `backups`, as a restore would leave them out.
   */
  voided: number
}

export function readSink(path: string): SinkRead {
  const records: SinkRecord[] = []
  const backups: BackupRecord[] = []
  const fence = new ClaimFence()
  let voided = 0
  const unreadable = readJsonLines(path, (value) => {
    if (value && typeof value === 'object' && typeof (value as SinkRecord).id === 'number') {
      records.push(value as SinkRecord)
      return true
    }
    const claim = SinkClaim.safeParse(value)
    if (claim.success) {
      fence.see(claim.data)
      return true
    }
    const backup = BackupRecord.safeParse(value)
    if (!backup.success) return false
    const b = backup.data
    if (fence.see(b) === 'void') {
      voided++
      return true
    }
    backups.push(b)
    records.push({
      id: b.seq,
      worker: b.worker,
      time: b.time,
      ...(b.session !== undefined ? { session: b.session } : {}),
      ...(b.token !== undefined ? { version: b.token } : {}),
    })
    return true
  })
  return { records, backups, unreadable, voided }
}

/** Every sink of a session folder, by task; `backups` only for tasks whose sink holds backup lines. */
export function readSinks(sessionDir: string): {
  sinks: Record<string, SinkRecord[]>
  backups: Record<string, BackupRecord[]>
  unreadable: Record<string, number>
} {
  const dir = sinksDir(sessionDir)
  const sinks: Record<string, SinkRecord[]> = {}
  const backups: Record<string, BackupRecord[]> = {}
  const unreadable: Record<string, number> = {}
  if (!existsSync(dir)) return { sinks, backups, unreadable }
  for (const file of readdirSync(dir)) {
    const task = sinkTask(file)
    if (task === undefined) continue
    const read = readSink(join(dir, file))
    sinks[task] = read.records
    if (read.backups.length) backups[task] = read.backups
    if (read.unreadable) unreadable[task] = read.unreadable
  }
  return { sinks, backups, unreadable }
}
