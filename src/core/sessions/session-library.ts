import { existsSync, readdirSync, readFileSync, realpathSync, rmSync, statSync } from 'node:fs'
import { basename, dirname, join, resolve } from 'node:path'
import type { SessionSummary } from '../../shared/api.js'
import { verdictState, type InvariantName } from '../../shared/checker-report.js'
import type { LabEvent } from '../../shared/events.js'
import { readJournal, type JournalProblem } from '../journal/journal.js'
import {
  isSessionFolder,
  journalPath,
  lstatOrUndefined,
  readSessionFile,
  SESSION_MARKERS,
  sessionFilePath,
  updateSessionFile,
} from '../session-folder/index.js'

interface SessionFields {
  name?: string
  createdAt?: string
  closedAt?: string
  scenario?: string
  result?: { durationMs?: number }
  check?: {
    ok?: boolean
    verdicts?: Array<{ invariant: InvariantName; task: string; ok?: boolean; state?: string; reason?: string }>
  }
}

/**
 * Where a library call may act: `dir` must be a folder directly inside the sessions folder (both
 * compared as real paths), not a link, and a session. Returns the folder's real path to act on and
 * the path it is listed under, so answers name it as listSessions does. Everything the app's page or
 * the bridge can reach of the disk goes through here.
 */
export function librarySession(sessionsDir: string, dir: string): { real: string; listed: string } {
  const listedRoot = resolve(sessionsDir)
  let root: string
  try {
    root = realpathSync(listedRoot)
  } catch {
    throw new Error(`The sessions folder ${listedRoot} does not exist; choose another one.`)
  }
  const given = resolve(dir)
  const refuse = (why: string) => new Error(`${given} is not a session of the library in ${listedRoot}: ${why}.`)
  const stats = lstatOrUndefined(given)
  if (!stats) throw refuse('there is no such folder')
  if (stats.isSymbolicLink()) throw refuse('it is a symbolic link')
  if (!stats.isDirectory()) throw refuse('it is not a folder')
  // The last part is no link (checked above), so this resolves only the folders above it.
  const real = realpathSync(given)
  if (dirname(real) !== root || real === root) throw refuse('only folders directly inside the sessions folder are')
  for (const file of SESSION_MARKERS) {
    const found = lstatOrUndefined(join(real, file))
    if (!found) throw refuse(`${file} is missing`)
    if (found.isSymbolicLink()) throw refuse(`its ${file} is a symbolic link`)
    if (!found.isFile()) throw refuse(`its ${file} is not a file`)
  }
  return { real, listed: join(listedRoot, basename(real)) }
}

function sessionFields(dir: string): SessionFields {
  try {
    return readSessionFile(dir)
  } catch {
    return {}
  }
}

/** The strategies a session's workers ran, from the journal's spawn events (cheap: a text scan). */
function strategiesOf(dir: string): string[] {
  const found = new Set<string>()
  const text = readFileSync(journalPath(dir), 'utf8')
  for (const match of text.matchAll(/"strategy":"([a-z]+)"/g)) found.add(match[1])
  return [...found].sort()
}

/** A session's line in the library; `listedAs` is the path it is known by (the folder itself by default). */
export function summarizeSession(dir: string, listedAs = dir): SessionSummary {
  const file = sessionFields(dir)
  const created = file.createdAt ?? new Date(statSync(sessionFilePath(dir)).mtimeMs).toISOString()
  const durationMs =
    file.result?.durationMs ?? (file.closedAt ? Date.parse(file.closedAt) - Date.parse(created) : undefined)
  return {
    dir: listedAs,
    name: file.name ?? 'session',
    createdAt: created,
    ...(file.scenario ? { scenario: file.scenario } : {}),
    strategies: strategiesOf(dir),
    ...(durationMs !== undefined && Number.isFinite(durationMs) ? { durationMs } : {}),
    ...(typeof file.check?.ok === 'boolean' ? { verdictOk: file.check.ok } : {}),
    ...unjudgedOf(file),
    closedCleanly: file.closedAt !== undefined,
  }
}

/** The final verdicts session.json records as unknown or not judged (none in sessions graded before verdict states), and how many failed. */
function unjudgedOf(file: SessionFields): Pick<SessionSummary, 'unjudged' | 'verdictsBroken'> {
  if (!Array.isArray(file.check?.verdicts)) return {}
  const verdicts = file.check.verdicts
  const verdictsBroken = verdicts.filter((v) => verdictState(v) === 'fail').length
  const unjudged = verdicts.flatMap((v) => {
    const state = verdictState(v)
    return state === 'unknown' || state === 'not-judged'
      ? [{ invariant: v.invariant, task: v.task, state, ...(typeof v.reason === 'string' ? { reason: v.reason } : {}) }]
      : []
  })
  return { verdictsBroken, ...(unjudged.length > 0 ? { unjudged } : {}) }
}

/** Every session folder directly under the sessions directory (links skipped), newest first. */
export function listSessions(sessionsDir: string): SessionSummary[] {
  if (!existsSync(sessionsDir)) return []
  return readdirSync(sessionsDir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && isSessionFolder(join(sessionsDir, d.name)))
    .map((d) => summarizeSession(join(sessionsDir, d.name)))
    .sort((a, b) => b.createdAt.localeCompare(a.createdAt))
}

/** A past session's journal, for a read-only replay; torn or corrupt lines are reported, not fatal. */
export function readSessionEvents(
  sessionsDir: string,
  dir: string,
): { summary: SessionSummary; events: LabEvent[]; problems: JournalProblem[] } {
  const { real, listed } = librarySession(sessionsDir, dir)
  const { events, problems } = readJournal(journalPath(real))
  return { summary: summarizeSession(real, listed), events, problems }
}

export function renameSession(sessionsDir: string, dir: string, name: string): SessionSummary {
  const { real, listed } = librarySession(sessionsDir, dir)
  updateSessionFile(real, { name })
  return summarizeSession(real, listed)
}

/** Deletes a session folder of the library, and nothing else on disk. */
export function deleteSession(sessionsDir: string, dir: string): void {
  const { real } = librarySession(sessionsDir, dir)
  rmSync(real, { recursive: true, force: true })
}
