/**
 * A session's sinks: `sinks/<task>.log`, one JSON record a line, appended by whichever worker is the
 * task's primary. Read whole; a line that is not a record (a torn last write after a kill) is
 * counted, never fatal.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
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

export function readSink(path: string): { records: SinkRecord[]; unreadable: number } {
  if (!existsSync(path)) return { records: [], unreadable: 0 }
  const records: SinkRecord[] = []
  let unreadable = 0
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (!line.trim()) continue
    try {
      const record = JSON.parse(line) as SinkRecord
      if (typeof record.id === 'number') records.push(record)
      else unreadable++
    } catch {
      unreadable++
    }
  }
  return { records, unreadable }
}

/** Every sink of a session folder, by task. */
export function readSinks(sessionDir: string): {
  sinks: Record<string, SinkRecord[]>
  unreadable: Record<string, number>
} {
  const dir = sinksDir(sessionDir)
  const sinks: Record<string, SinkRecord[]> = {}
  const unreadable: Record<string, number> = {}
  if (!existsSync(dir)) return { sinks, unreadable }
  for (const file of readdirSync(dir)) {
    const task = sinkTask(file)
    if (task === undefined) continue
    const read = readSink(join(dir, file))
    sinks[task] = read.records
    if (read.unreadable) unreadable[task] = read.unreadable
  }
  return { sinks, unreadable }
}
