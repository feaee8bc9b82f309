/**
 * session.json, the lab's own description of a session (name, versions, verdicts, a scenario's result).
 * Every writer goes through here: the file is written whole beside itself and renamed over the old one,
 * so a reader never sees half of it, and a session.json that is a symbolic link is never followed.
 */
import { randomBytes } from 'node:crypto'
import { lstatSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { basename, dirname, join } from 'node:path'

export const SESSION_FILE = 'session.json'

/**
 * Writes a file of the lab's so that a reader never sees half of it: a temporary file beside it, then
 * a rename. The temporary name is fresh and created exclusively, so nothing planted there (a link) is
 * written through, and the rename replaces a link at `path` rather than following it.
 */
export function writeFileAtomically(path: string, content: string | Buffer, mode = 0o600): string {
  const temp = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`)
  try {
    writeFileSync(temp, content, { flag: 'wx', mode })
    renameSync(temp, path)
  } catch (err) {
    rmSync(temp, { force: true })
    throw err
  }
  return path
}

/** Writes session.json whole (writeFileAtomically). */
export function writeSessionFile(dir: string, content: Record<string, unknown>): void {
  writeFileAtomically(join(dir, SESSION_FILE), JSON.stringify(content, null, 2) + '\n')
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
