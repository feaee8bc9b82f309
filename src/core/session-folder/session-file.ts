/**
 * session.json, the lab's own description of a session (name, versions, verdicts, a scenario's result).
 * Every writer goes through here: the file is written whole beside itself and renamed over the old one,
 * so a reader never sees half of it, and a session.json that is a symbolic link is never followed.
 */
import { randomBytes } from 'node:crypto'
import { existsSync, lstatSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { basename, dirname, join } from 'node:path'
import { PRIVATE_FILE } from './create.js'
import { SESSION_FILE, sessionFilePath } from './paths.js'

/**
 * Writes a file of the lab's so that a reader never sees half of it: a temporary file beside it, then
 * a rename. The temporary name is fresh and created exclusively, so nothing planted there (a link) is
 * written through, and the rename replaces a link at `path` rather than following it.
 */
export function writeFileAtomically(path: string, content: string | Buffer, mode = PRIVATE_FILE): string {
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
  writeFileAtomically(sessionFilePath(dir), JSON.stringify(content, null, 2) + '\n')
}

/** session.json as an object; refuses a link and says what is wrong without quoting the file. */
export function readSessionFile(dir: string): Record<string, unknown> {
  const path = sessionFilePath(dir)
  if (lstatSync(path).isSymbolicLink())
    throw new Error(`${path} is a symbolic link; the lab reads and writes only its own session.json.`)
  const parsed = parseSessionFile(readFileSync(path, 'utf8'))
  if (parsed === 'not JSON') throw new Error(`${path} is not valid JSON.`)
  if (parsed === 'not an object') throw new Error(`${path} does not hold a JSON object.`)
  return parsed
}

/**
 * session.json for a reader that carries on without it (the report, over whatever a session left):
 * the object, or in a few words why there is none. Never quotes the file.
 */
export function readSessionFileIfAny(
  dir: string,
): { content: Record<string, unknown>; problem?: undefined } | { content?: undefined; problem: string } {
  const path = sessionFilePath(dir)
  if (!existsSync(path)) return { problem: `${SESSION_FILE} is missing` }
  let parsed: ReturnType<typeof parseSessionFile>
  try {
    parsed = parseSessionFile(readFileSync(path, 'utf8'))
  } catch (err) {
    return { problem: `${SESSION_FILE} cannot be read (${(err as Error).message})` }
  }
  if (parsed === 'not JSON') return { problem: `${SESSION_FILE} cannot be read (it is not valid JSON)` }
  if (parsed === 'not an object') return { problem: `${SESSION_FILE} is not an object` }
  return { content: parsed }
}

/** A parse error would quote the file's bytes; this says only what is wrong. */
function parseSessionFile(text: string): Record<string, unknown> | 'not JSON' | 'not an object' {
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch (err) {
    if (err instanceof SyntaxError) return 'not JSON'
    throw err
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return 'not an object'
  return parsed as Record<string, unknown>
}

/** Merges fields into session.json (results, verdicts, a new name). */
export function updateSessionFile(dir: string, patch: Record<string, unknown>): void {
  writeSessionFile(dir, { ...readSessionFile(dir), ...patch })
}
