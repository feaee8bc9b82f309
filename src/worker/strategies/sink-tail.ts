/**
 * The end of a task's sink file, read for a takeover. Only the last records are read (64 KiB, doubled
 * until a whole record is in view, at most the whole file): a new primary needs the last recorded
 * position (the counter's highest id, the binlog's last GTID and row), and the recipe's records only
 * grow (each primary carries on from where the sink and lastCommit stand), so it is among the last
 * ones. A sink of hours of work is megabytes; this keeps the takeover's file I/O small.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs'
import { lastBackupRow, lastWriteVoid, type BinlogSinkLast } from '../binlog/transactions.js'
import { readSinkTail, type SinkTail } from './recipe-rules.js'

const NEWLINE = 0x0a

/** What `read` finds in the tail's whole lines (undefined: nothing readable), and whether the file ends cleanly. */
export function readTailOfFile<T>(
  path: string,
  read: (text: string) => T | undefined,
  chunkBytes = 64 * 1024,
): { found: T | undefined; endsClean: boolean } {
  let fd: number
  try {
    fd = openSync(path, 'r')
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { found: undefined, endsClean: true }
    throw err
  }
  try {
    const size = fstatSync(fd).size
    if (size === 0) return { found: undefined, endsClean: true }
    for (let want = Math.min(chunkBytes, size); ; want = Math.min(want * 2, size)) {
      const buf = Buffer.alloc(want)
      readSync(fd, buf, 0, want, size - want)
      let text = buf.toString('utf8')
      // Unless the whole file is in view, the first line may be cut: start at the first whole one.
      if (want < size) text = text.slice(text.indexOf('\n') + 1)
      const found = read(text)
      if (found !== undefined || want === size) return { found, endsClean: buf[want - 1] === NEWLINE }
    }
  } finally {
    closeSync(fd)
  }
}

/** The counter's sink: its highest readable id (0 when none). */
export function readSinkTailOfFile(path: string, chunkBytes?: number): SinkTail {
  const { found, endsClean } = readTailOfFile(
    path,
    (text) => {
      const { lastId } = readSinkTail(text)
      return lastId > 0 ? lastId : undefined
    },
    chunkBytes,
  )
  return { lastId: found ?? 0, endsClean }
}

/** The binlog sink: its last readable row (which transaction, which row of it). */
export function readBinlogSinkTailOfFile(
  path: string,
  chunkBytes?: number,
): { last: BinlogSinkLast | undefined; endsClean: boolean } {
  const { found, endsClean } = readTailOfFile(path, lastBackupRow, chunkBytes)
  return { last: found, endsClean }
}

/** Whether this worker's last line of `gtid` (under `epoch`) came after a later epoch's claim: void. */
export function binlogWriteVoidInFile(path: string, gtid: string, epoch: number): boolean {
  return readTailOfFile(path, (text) => (lastWriteVoid(text, gtid, epoch) ? true : undefined)).found === true
}
