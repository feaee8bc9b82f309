/**
 * session.json, the lab's own description of a session (name, versions, verdicts, a scenario's result).
 * Every writer goes through here: the file is written whole beside itself and renamed over the old one,
 * so a reader never sees half of it, and a session.json that is a symbolic link is never followed.
 */
import { randomBytes } from 'node:crypto'
import { lstatSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

export const SESSION_FILE = 'session.json'

/** Writes session.json through a temporary file in the same folder and a rename. */
export function writeSessionFile(dir: string, content: Record<string, unknown>): void {
  const path = join(dir, SESSION_FILE)
  // A fresh name, created exclusively: nothing already at that path (a planted link) is written through.
  const temp = join(dir, `.${SESSION_FILE}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`)
  try {
    writeFileSync(temp, JSON.stringify(content, null, 2) + '\n', { flag: 'wx', mode: 0o600 })
    renameSync(temp, path)
  } catch (err) {
    rmSync(temp, { force: true })
    throw err
  }
}

/** session.json as an object; refuses a link and says what is wrong without quoting the file. */
export function readSessionFile(dir: string): Record<string, unknown> {
  const path = join(dir, SESSION_FILE)
  if (lstatSync(path).isSymbolicLink()) throw new Error(`${path} is a symbolic link; the lab reads and writes only its own session.json.`)
  let parsed: unknown
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'))
  } catch (err) {
    if (err instanceof SyntaxError) throw new Error(`${path} is not valid JSON.`)
    throw err
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error(`${path} does not hold a JSON object.`)
  return parsed as Record<string, unknown>
}

/** Merges fields into session.json (results, verdicts, a new name). */
export function updateSessionFile(dir: string, patch: Record<string, unknown>): void {
  writeSessionFile(dir, { ...readSessionFile(dir), ...patch })
}
