import { appendFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { deleteSession, listSessions, readSessionEvents, renameSession } from '../../src/core/sessions/session-library.js'

describe('session library', () => {
  let root: string
  const session = (name: string, file: Record<string, unknown>, journal: string) => {
    const dir = join(root, name)
    mkdirSync(dir, { recursive: true })
    writeFileSync(join(dir, 'session.json'), JSON.stringify(file))
    writeFileSync(join(dir, 'events.jsonl'), journal)
    return dir
  }
  const line = (seq: number, extra: Record<string, unknown> = {}) => JSON.stringify({ seq, time: seq, source: 'lab', type: 'x', ...extra }) + '\n'

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'zklab-library-'))
  })
  afterEach(() => rmSync(root, { recursive: true, force: true }))

  it('lists session folders newest first, with scenario, strategies, duration and verdict', () => {
    session('a', { name: 'old', createdAt: '2026-01-01T00:00:00.000Z', closedAt: '2026-01-01T00:00:10.000Z', check: { ok: false } }, line(1))
    session('b', { name: 'new', createdAt: '2026-02-01T00:00:00.000Z', scenario: 'kill-primary', result: { durationMs: 3000 }, closedAt: 'x', check: { ok: true } }, line(1, { labels: { strategy: 'recipe' } }))
    session('c', { name: 'cut off', createdAt: '2026-03-01T00:00:00.000Z' }, line(1))
    mkdirSync(join(root, 'not-a-session'))
    const list = listSessions(root)
    expect(list.map((s) => s.name)).toEqual(['cut off', 'new', 'old'])
    expect(list[1]).toMatchObject({ scenario: 'kill-primary', strategies: ['recipe'], durationMs: 3000, verdictOk: true, closedCleanly: true })
    expect(list[2]).toMatchObject({ durationMs: 10_000, verdictOk: false })
    expect(list[0].closedCleanly).toBe(false)
    expect(list[0].verdictOk).toBeUndefined()
  })

  it('reads a journal whose last line was torn by a kill, reporting it', () => {
    const dir = session('torn', { name: 't' }, line(1) + line(2))
    appendFileSync(join(dir, 'events.jsonl'), '{"seq":3,"ti')
    const { events, problems } = readSessionEvents(dir)
    expect(events.map((e) => e.seq)).toEqual([1, 2])
    expect(problems[0].message).toMatch(/truncated/)
  })

  it('renames, and deletes only session folders inside the library', () => {
    const dir = session('s', { name: 'before' }, line(1))
    expect(renameSession(dir, 'after').name).toBe('after')
    expect(JSON.parse(readFileSync(join(dir, 'session.json'), 'utf8')).name).toBe('after')
    const outside = mkdtempSync(join(tmpdir(), 'zklab-outside-'))
    writeFileSync(join(outside, 'session.json'), '{}')
    writeFileSync(join(outside, 'events.jsonl'), '')
    expect(() => deleteSession(root, outside)).toThrow(/Only a session folder directly inside/)
    expect(() => deleteSession(root, join(root, 's', '..', '..'))).toThrow()
    expect(() => deleteSession(root, root)).toThrow()
    expect(existsSync(outside)).toBe(true)
    rmSync(outside, { recursive: true, force: true })
    deleteSession(root, dir)
    expect(existsSync(dir)).toBe(false)
  })
})
