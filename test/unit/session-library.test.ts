import {
  appendFileSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { Lab } from '../../src/core/lab.js'
import {
  deleteSession,
  librarySession,
  listSessions,
  readSessionEvents,
  renameSession,
} from '../../src/core/sessions/session-library.js'
import { readJsonFile } from '../json-files.js'
import { stringMatching } from '../matchers.js'

/** Bytes of a file that is not the lab's: no error message may ever show them. */
const FOREIGN = 'root:x:0:0:secret-token-1234:/root:/bin/bash\n'

describe('session library', () => {
  let base: string
  let root: string
  let outside: string
  const session = (parent: string, name: string, file: Record<string, unknown>, journal: string) => {
    const dir = join(parent, name)
    mkdirSync(dir, { recursive: true })
    writeFileSync(join(dir, 'session.json'), JSON.stringify(file))
    writeFileSync(join(dir, 'events.jsonl'), journal)
    return dir
  }
  const line = (seq: number, extra: Record<string, unknown> = {}) =>
    JSON.stringify({ seq, time: seq, source: 'lab', type: 'x', ...extra }) + '\n'

  beforeEach(() => {
    base = mkdtempSync(join(tmpdir(), 'zklab-library-'))
    root = join(base, 'sessions')
    outside = join(base, 'elsewhere')
    mkdirSync(root)
    mkdirSync(outside)
    writeFileSync(join(outside, 'passwd'), FOREIGN)
  })
  afterEach(() => rmSync(base, { recursive: true, force: true }))

  it('lists session folders newest first, with scenario, strategies, duration and verdict', () => {
    session(
      root,
      'a',
      {
        name: 'old',
        createdAt: '2026-01-01T00:00:00.000Z',
        closedAt: '2026-01-01T00:00:10.000Z',
        check: { ok: false },
      },
      line(1),
    )
    session(
      root,
      'b',
      {
        name: 'new',
        createdAt: '2026-02-01T00:00:00.000Z',
        scenario: 'kill-primary',
        result: { durationMs: 3000 },
        closedAt: 'x',
        check: { ok: true },
      },
      line(1, { labels: { strategy: 'recipe' } }),
    )
    session(root, 'c', { name: 'cut off', createdAt: '2026-03-01T00:00:00.000Z' }, line(1))
    mkdirSync(join(root, 'not-a-session'))
    const list = listSessions(root)
    expect(list.map((s) => s.name)).toEqual(['cut off', 'new', 'old'])
    expect(list[1]).toMatchObject({
      scenario: 'kill-primary',
      strategies: ['recipe'],
      durationMs: 3000,
      verdictOk: true,
      closedCleanly: true,
    })
    expect(list[2]).toMatchObject({ durationMs: 10_000, verdictOk: false })
    expect(list[0].closedCleanly).toBe(false)
    expect(list[0].verdictOk).toBeUndefined()
  })

  it('lists the verdicts that were not judged or unknown, with why, and tells unknown from FAIL', () => {
    const reason = 'no ZooKeeper transaction log: the lab did not run the servers (an external ZooKeeper)'
    const verdicts = (...states: string[]) =>
      states.map((state, i) => ({
        invariant: ['single-primary', 'status-truth', 'zombie-write'][i],
        task: 't',
        state,
        ok: state === 'ok' || state === 'not-judged',
        ...(state === 'not-judged' ? { reason } : state === 'unknown' ? { reason: 'boom' } : {}),
        summary: '',
      }))
    session(
      root,
      'a',
      {
        name: 'unknown only',
        createdAt: '2026-01-01T00:00:00.000Z',
        closedAt: 'x',
        check: { ok: false, verdicts: verdicts('ok', 'unknown', 'not-judged') },
      },
      line(1),
    )
    session(
      root,
      'b',
      {
        name: 'failed too',
        createdAt: '2026-02-01T00:00:00.000Z',
        closedAt: 'x',
        check: { ok: false, verdicts: verdicts('fail', 'unknown', 'not-judged') },
      },
      line(1),
    )
    // Graded before verdict states: only ok, so a false one is a failure.
    session(
      root,
      'c',
      {
        name: 'old',
        createdAt: '2026-03-01T00:00:00.000Z',
        closedAt: 'x',
        check: { ok: false, verdicts: [{ invariant: 'single-primary', task: 't', ok: false, summary: '' }] },
      },
      line(1),
    )
    const [old, failed, unknown] = listSessions(root)
    expect(unknown.unjudged).toEqual([
      { invariant: 'status-truth', task: 't', state: 'unknown', reason: 'boom' },
      { invariant: 'zombie-write', task: 't', state: 'not-judged', reason },
    ])
    // With no verdict broken, the unknown one alone failed the session: the library says "unknown", not FAIL.
    expect(unknown.verdictsBroken).toBe(0)
    expect(failed.verdictsBroken).toBe(1)
    expect(old.unjudged).toBeUndefined()
    expect(old.verdictsBroken).toBe(1)
  })

  it('leaves linked folders and sessions with linked files out of the list', () => {
    const real = session(outside, 'real', { name: 'outside' }, line(1))
    symlinkSync(real, join(root, 'linked'))
    const linkedJson = session(root, 'linked-json', { name: 'x' }, line(1))
    rmSync(join(linkedJson, 'session.json'))
    symlinkSync(join(real, 'session.json'), join(linkedJson, 'session.json'))
    session(root, 'plain', { name: 'plain' }, line(1))
    expect(listSessions(root).map((s) => s.name)).toEqual(['plain'])
  })

  it('reads a journal whose last line was torn by a kill, reporting it', () => {
    const dir = session(root, 'torn', { name: 't' }, line(1) + line(2))
    appendFileSync(join(dir, 'events.jsonl'), '{"seq":3,"ti')
    const { events, problems } = readSessionEvents(root, dir)
    expect(events.map((e) => e.seq)).toEqual([1, 2])
    expect(problems[0].message).toMatch(/truncated/)
  })

  it('reports a line that is not JSON by its number, without quoting it', () => {
    const dir = session(root, 'junk', { name: 'j' }, line(1) + FOREIGN + line(3))
    const { problems } = readSessionEvents(root, dir)
    expect(problems).toEqual([{ line: 2, message: stringMatching(/^not JSON/) }])
    expect(JSON.stringify(problems)).not.toMatch(/secret-token|root:x/)
  })

  it('acts only on a session folder directly inside the sessions folder', () => {
    const inside = session(root, 's', { name: 's' }, line(1))
    const foreign = session(outside, 'foreign', { name: 'foreign' }, line(1))
    const nested = session(join(root, 'group'), 'nested', { name: 'nested' }, line(1))
    mkdirSync(join(root, 'half'))
    writeFileSync(join(root, 'half', 'session.json'), '{}')
    const refused: Array<[string, RegExp]> = [
      [foreign, /only folders directly inside/],
      [join(inside, '..', '..', 'elsewhere', 'foreign'), /only folders directly inside/],
      [root, /only folders directly inside/],
      [nested, /only folders directly inside/],
      [join(root, 'half'), /events\.jsonl is missing/],
      [join(root, 'gone'), /no such folder/],
      [join(outside, 'passwd'), /not a folder/],
    ]
    for (const [dir, why] of refused) {
      expect(() => librarySession(root, dir), dir).toThrow(why)
      expect(() => readSessionEvents(root, dir)).toThrow(/is not a session of the library/)
      expect(() => renameSession(root, dir, 'x')).toThrow(/is not a session of the library/)
      expect(() => deleteSession(root, dir)).toThrow(/is not a session of the library/)
    }
    expect(existsSync(foreign) && existsSync(nested) && existsSync(join(root, 'half'))).toBe(true)
    expect(readJsonFile<{ name: string }>(join(foreign, 'session.json')).name).toBe('foreign')
  })

  it('refuses a linked session folder, and a session whose session.json or journal is a link', () => {
    const foreign = session(outside, 'foreign', { name: 'foreign' }, line(1))
    symlinkSync(foreign, join(root, 'link-out'))
    const inside = session(root, 'target', { name: 'target' }, line(1))
    symlinkSync(inside, join(root, 'link-in'))
    const linkedJson = session(root, 'linked-json', {}, line(1))
    rmSync(join(linkedJson, 'session.json'))
    symlinkSync(join(foreign, 'session.json'), join(linkedJson, 'session.json'))
    const linkedJournal = session(root, 'linked-journal', { name: 'j' }, '')
    rmSync(join(linkedJournal, 'events.jsonl'))
    symlinkSync(join(outside, 'passwd'), join(linkedJournal, 'events.jsonl'))

    expect(() => readSessionEvents(root, join(root, 'link-out'))).toThrow(/symbolic link/)
    expect(() => deleteSession(root, join(root, 'link-in'))).toThrow(/symbolic link/)
    expect(() => renameSession(root, linkedJson, 'overwritten')).toThrow(/session\.json is a symbolic link/)
    expect(readJsonFile<{ name: string }>(join(foreign, 'session.json')).name).toBe('foreign')
    let message = ''
    try {
      readSessionEvents(root, linkedJournal)
    } catch (err) {
      message = (err as Error).message
    }
    expect(message).toMatch(/events\.jsonl is a symbolic link/)
    expect(message).not.toMatch(/secret-token/)
    expect(existsSync(inside) && existsSync(foreign)).toBe(true)
  })

  it('renames through a new file, and deletes only what it was asked to', () => {
    const dir = session(root, 's', { name: 'before', createdAt: '2026-01-01T00:00:00.000Z' }, line(1))
    const inode = statSync(join(dir, 'session.json')).ino
    const summary = renameSession(root, dir, 'after')
    expect(summary).toMatchObject({ name: 'after', dir })
    expect(JSON.parse(readFileSync(join(dir, 'session.json'), 'utf8'))).toEqual({
      name: 'after',
      createdAt: '2026-01-01T00:00:00.000Z',
    })
    expect(statSync(join(dir, 'session.json')).ino).not.toBe(inode)
    expect(readdirSync(dir).sort()).toEqual(['events.jsonl', 'session.json'])
    const other = session(root, 'other', { name: 'other' }, line(1))
    deleteSession(root, join(root, '.', 's'))
    expect(existsSync(dir)).toBe(false)
    expect(existsSync(other)).toBe(true)
  })

  it('names answers by the sessions folder as given, when a link leads to it', () => {
    symlinkSync(root, join(base, 'via-link'))
    const listedRoot = join(base, 'via-link')
    session(root, 's', { name: 's' }, line(1))
    const [listed] = listSessions(listedRoot)
    expect(listed.dir).toBe(join(listedRoot, 's'))
    expect(readSessionEvents(listedRoot, listed.dir).summary.dir).toBe(listed.dir)
    expect(renameSession(listedRoot, join(root, 's'), 'renamed').dir).toBe(listed.dir)
  })
})

describe('the Lab’s library calls', () => {
  let base: string
  let root: string
  const labs: Lab[] = []
  const session = (parent: string, name: string) => {
    const dir = join(parent, name)
    mkdirSync(dir, { recursive: true })
    writeFileSync(join(dir, 'session.json'), JSON.stringify({ name }))
    writeFileSync(
      join(dir, 'events.jsonl'),
      JSON.stringify({ seq: 1, time: 1, source: 'lab', type: 'session.created' }) + '\n',
    )
    return dir
  }
  const lab = (chooseFolder?: () => Promise<string | null>) => {
    const made = new Lab(chooseFolder ? { chooseFolder } : {})
    labs.push(made)
    return made
  }

  beforeEach(() => {
    base = mkdtempSync(join(tmpdir(), 'zklab-lab-library-'))
    root = join(base, 'sessions')
    mkdirSync(root)
  })
  afterEach(async () => {
    for (const made of labs.splice(0)) await made.dispose()
    rmSync(base, { recursive: true, force: true })
  })

  it('chooses a folder through the shell’s picker: a session folder names its parent and itself', async () => {
    const picks: Array<string | null> = [join(root, 'one'), root, join(base, 'new-folder'), null]
    session(root, 'one')
    const l = lab(async () => picks.shift() ?? null)
    expect(await l.chooseSessionsFolder()).toEqual({ sessionsDir: root, session: join(root, 'one') })
    expect((await l.listSessions()).sessionsDir).toBe(root)
    expect(await l.chooseSessionsFolder()).toEqual({ sessionsDir: root })
    expect(await l.chooseSessionsFolder()).toEqual({ sessionsDir: join(base, 'new-folder') })
    expect(existsSync(join(base, 'new-folder'))).toBe(true)
    expect(await l.chooseSessionsFolder()).toBeNull()
    expect((await l.listSessions()).sessionsDir).toBe(join(base, 'new-folder'))
  })

  it('without a picker, says how browser mode chooses the folder', async () => {
    await expect(lab().chooseSessionsFolder()).rejects.toThrow(/zklab serve --sessions-dir/)
  })

  it('refuses to read, rename, export, compare or delete a folder outside the sessions folder', async () => {
    const l = lab()
    await l.setSessionsDir({ dir: root })
    const inside = session(root, 'inside')
    const foreign = session(join(base, 'elsewhere'), 'foreign')
    await expect(l.readSession({ dir: foreign })).rejects.toThrow(/not a session of the library/)
    await expect(l.renameSession({ dir: foreign, name: 'x' })).rejects.toThrow(/not a session of the library/)
    await expect(l.exportReport({ dir: foreign, formats: ['json'] })).rejects.toThrow(/not a session of the library/)
    await expect(l.compareSessions({ dirs: [inside, foreign] })).rejects.toThrow(/not a session of the library/)
    await expect(l.deleteSession({ dir: foreign })).rejects.toThrow(/not a session of the library/)
    expect(readdirSync(foreign).sort()).toEqual(['events.jsonl', 'session.json'])
    expect((await l.readSession({ dir: inside })).summary).toMatchObject({ dir: inside, name: 'inside' })
    // A link planted where the report goes is replaced, not written through.
    const victim = join(base, 'victim.txt')
    writeFileSync(victim, 'keep me')
    symlinkSync(victim, join(inside, 'report.json'))
    expect(await l.exportReport({ dir: inside, formats: ['json'] })).toEqual({ json: join(inside, 'report.json') })
    expect(readFileSync(victim, 'utf8')).toBe('keep me')
    expect(lstatSync(join(inside, 'report.json')).isFile()).toBe(true)
  })
})
