/**
 * The binlog source's history as the lab read it back after the run: `source/binlog.jsonl`, one
 * `SourceTransaction` a line in binlog order (src/shared/binlog.ts). Validated line by line: a line
 * that is not a transaction (a torn last write) is counted, never fatal, and never trusted.
 */
import { existsSync } from 'node:fs'
import { SourceTransaction } from '../../shared/binlog.js'
import { readJsonLines } from './json-lines.js'
import { sourceHistoryPath } from './paths.js'

export interface SourceHistoryRead {
  transactions: SourceTransaction[]
  unreadable: number
}

/** The session's source history, or undefined when the lab wrote none (no binlog source, or a run still going). */
export function readSourceHistory(sessionDir: string): SourceHistoryRead | undefined {
  const path = sourceHistoryPath(sessionDir)
  if (!existsSync(path)) return undefined
  const transactions: SourceTransaction[] = []
  const unreadable = readJsonLines(path, (value) => {
    const parsed = SourceTransaction.safeParse(value)
    if (parsed.success) transactions.push(parsed.data)
    return parsed.success
  })
  return { transactions, unreadable }
}
