/**
 * The end of a task's sink file, read for a takeover. Only the last records are read (64 KiB, doubled
 * until a whole record is in view, at most the whole file): a new primary needs the highest recorded
 * id, and the recipe's records only grow (each primary carries on from lastCommit), so that id is among
 * the last ones. A sink of hours of work is megabytes; this keeps the takeover's file I/O small.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs'
import { readSinkTail, type SinkTail } from './recipe-rules.js'

const NEWLINE = 0x0a

export function readSinkTailOfFile(path: string, chunkBytes = 64 * 1024): SinkTail {
  let fd: number
  try {
    fd = openSync(path, 'r')
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { lastId: 0, endsClean: true }
    throw err
  }
  try {
    const size = fstatSync(fd).size
    if (size === 0) return { lastId: 0, endsClean: true }
    for (let want = Math.min(chunkBytes, size); ; want = Math.min(want * 2, size)) {
      const buf = Buffer.alloc(want)
      readSync(fd, buf, 0, want, size - want)
      let text = buf.toString('utf8')
      // Unless the whole file is in view, the first line may be cut: start at the first whole one.
      if (want < size) text = text.slice(text.indexOf('\n') + 1)
      const { lastId } = readSinkTail(text)
      if (lastId > 0 || want === size) return { lastId, endsClean: buf[want - 1] === NEWLINE }
    }
  } finally {
    closeSync(fd)
  }
}
