/**
 * `serve.json`: where a running `zklab serve` records its URL (token included) so `zklab fault` and the
 * user can reach it. It grants the lab to whoever reads it, so it is created exclusively, mode 0600,
 * in a sessions folder created 0700; one live lab owns it at a time.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { defaultSessionsDir } from '../core/lab.js'

export interface ServeRecord {
  url: string
  pid: number
  session: string
}

export function bridgeFile(sessionsDir = defaultSessionsDir()): string {
  return join(sessionsDir, 'serve.json')
}

/** The record in this file, undefined if there is none; throws (naming the file) if it cannot be read. */
export function readServeRecord(file: string): ServeRecord | undefined {
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw new Error(
      `Cannot read ${file} (${(err as NodeJS.ErrnoException).code}): it belongs to a lab another user started; use your own --sessions-dir.`,
      { cause: err },
    )
  }
  try {
    const record = JSON.parse(text) as ServeRecord
    if (typeof record.url === 'string' && Number.isInteger(record.pid)) return record
  } catch {
    // Torn by a lab that died while writing it: as good as none.
  }
  return { url: '', pid: 0, session: '' }
}

/** Whether the process that wrote a record still runs (a reused pid that is no zklab does not count). */
export function isServing(record: ServeRecord): boolean {
  if (record.pid <= 0) return false
  try {
    process.kill(record.pid, 0)
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false
  }
  try {
    return readFileSync(`/proc/${record.pid}/cmdline`, 'utf8').includes('zklab')
  } catch {
    return true
  }
}

/**
 * Before a lab starts: a record left by a lab that is gone is removed; one of a lab still running is
 * kept, and this start refused, so `zklab fault` never reaches the wrong lab.
 */
export function claimServeRecord(file: string): void {
  const previous = readServeRecord(file)
  if (previous && isServing(previous)) throw new Error(runningElsewhere(file, previous))
  if (previous) rmSync(file, { force: true })
}

/** Records this lab, exclusively: a record that appeared since claimServeRecord is another lab's. */
export function writeServeRecord(file: string, record: ServeRecord): void {
  try {
    writeFileSync(file, JSON.stringify(record) + '\n', { flag: 'wx', mode: 0o600 })
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err
    throw new Error(runningElsewhere(file, readServeRecord(file) ?? { url: '', pid: 0, session: '' }), { cause: err })
  }
}

/** Removes the record if it is still this process's. */
export function removeServeRecord(file: string): void {
  try {
    if (readServeRecord(file)?.pid === process.pid) rmSync(file, { force: true })
  } catch {
    // Not ours to remove.
  }
}

function runningElsewhere(file: string, record: ServeRecord): string {
  const who = record.pid > 0 ? `zklab serve (pid ${record.pid})` : 'zklab serve'
  return `Another ${who} is running with this sessions folder (${file}). Stop it, or start this one with another --sessions-dir.`
}
