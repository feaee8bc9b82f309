import { existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { join, relative, resolve, sep } from 'node:path'
import type { SessionSummary } from '../../shared/api.js'
import type { LabEvent } from '../../shared/events.js'
import { readJournal, type JournalProblem } from '../journal/journal.js'

interface SessionFile {
  name?: string
  createdAt?: string
  closedAt?: string
  scenario?: string
  result?: { durationMs?: number }
  check?: { ok?: boolean }
}

/** A session folder is one with a session.json; anything else in the sessions directory is left alone. */
export function isSessionFolder(dir: string): boolean {
  return existsSync(join(dir, 'session.json')) && existsSync(join(dir, 'events.jsonl'))
}

function readSessionFile(dir: string): SessionFile {
  try {
    return JSON.parse(readFileSync(join(dir, 'session.json'), 'utf8')) as SessionFile
  } catch {
    return {}
  }
}

/** The strategies a session's workers ran, from the journal's spawn events (cheap: a text scan). */
function strategiesOf(dir: string): string[] {
  const found = new Set<string>()
  const text = readFileSync(join(dir, 'events.jsonl'), 'utf8')
  for (const match of text.matchAll(/"strategy":"([a-z]+)"/g)) found.add(match[1])
  return [...found].sort()
}

export function summarizeSession(dir: string): SessionSummary {
  const file = readSessionFile(dir)
  const created = file.createdAt ?? new Date(statSync(join(dir, 'session.json')).mtimeMs).toISOString()
  const durationMs = file.result?.durationMs ?? (file.closedAt ? Date.parse(file.closedAt) - Date.parse(created) : undefined)
  return {
    dir,
    name: file.name ?? 'session',
    createdAt: created,
    ...(file.scenario ? { scenario: file.scenario } : {}),
    strategies: strategiesOf(dir),
    ...(durationMs !== undefined && Number.isFinite(durationMs) ? { durationMs } : {}),
    ...(typeof file.check?.ok === 'boolean' ? { verdictOk: file.check.ok } : {}),
    closedCleanly: file.closedAt !== undefined,
  }
}

/** Every session folder directly under the sessions directory, newest first. */
export function listSessions(sessionsDir: string): SessionSummary[] {
  if (!existsSync(sessionsDir)) return []
  return readdirSync(sessionsDir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && isSessionFolder(join(sessionsDir, d.name)))
    .map((d) => summarizeSession(join(sessionsDir, d.name)))
    .sort((a, b) => b.createdAt.localeCompare(a.createdAt))
}

/** A past session's journal, for a read-only replay; torn or corrupt lines are reported, not fatal. */
export function readSessionEvents(dir: string): { summary: SessionSummary; events: LabEvent[]; problems: JournalProblem[] } {
  if (!isSessionFolder(dir)) throw new Error(`${dir} is not a session folder (it needs session.json and events.jsonl).`)
  const { events, problems } = readJournal(join(dir, 'events.jsonl'))
  return { summary: summarizeSession(dir), events, problems }
}

export function renameSession(dir: string, name: string): SessionSummary {
  if (!isSessionFolder(dir)) throw new Error(`${dir} is not a session folder.`)
  const file = readSessionFile(dir)
  writeFileSync(join(dir, 'session.json'), JSON.stringify({ ...file, name }, null, 2) + '\n')
  return summarizeSession(dir)
}

/**
 * Deletes a session folder, but only a session folder directly inside the sessions directory: a
 * path from outside (IPC, WebSocket) can never reach anything else on disk.
 */
export function deleteSession(sessionsDir: string, dir: string): void {
  const root = resolve(sessionsDir)
  const target = resolve(dir)
  const rel = relative(root, target)
  if (!rel || rel.startsWith('..') || rel.includes(sep) || !isSessionFolder(target)) {
    throw new Error(`Only a session folder directly inside ${root} can be deleted; ${target} is not one.`)
  }
  rmSync(target, { recursive: true, force: true })
}
