import {
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
import { basename, join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import {
  createSessionFolder,
  isSessionFolder,
  journalPath,
  readSessionFile,
  readSessionFileIfAny,
  readSinks,
  REPORT_FILES,
  sessionFilePath,
  sinkPath,
  txnLogDirs,
  updateSessionFile,
  writeSessionFile,
  zooKeeperDataDirs,
  zooKeeperServerDir,
} from '../../src/core/session-folder/index.js'
import { readJournal } from '../../src/core/journal/journal.js'
import { listSessions } from '../../src/core/sessions/session-library.js'
import { Lab } from '../../src/core/lab.js'

const mode = (path: string) => statSync(path).mode & 0o777

/** Bytes of a file that is not the lab's: no error message may ever show them. */
const FOREIGN = 'root:x:0:0:secret-token-1234:/root:/bin/bash\n'

describe('session folders', () => {
  const dirs: string[] = []
  const temp = () => {
    const dir = mkdtempSync(join(tmpdir(), 'zklab-folder-'))
    dirs.push(dir)
    return dir
  }
  afterEach(() => {
    vi.restoreAllMocks()
    delete process.env.ZKLAB_MIN_FREE_MB
    dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true }))
  })

  it('names new folders by the millisecond and a random suffix, private, with their sub-folders', () => {
    const sessions = join(temp(), 'sessions')
    const createdAt = Date.UTC(2025, 0, 2, 3, 4, 5, 678)
    const a = createSessionFolder({ sessionsDir: sessions, name: 'Kill primary!', createdAt })
    const b = createSessionFolder({ sessionsDir: sessions, name: 'Kill primary!', createdAt })
    expect(a).not.toBe(b)
    for (const dir of [a, b]) {
      expect(basename(dir)).toMatch(/^20250102-030405-678-kill-primary-[0-9a-f]{6}$/)
      expect(mode(dir)).toBe(0o700)
      for (const sub of ['logs', 'sinks', 'zookeeper']) expect(mode(join(dir, sub))).toBe(0o700)
    }
    // The sessions folder the lab made for them is private too.
    expect(mode(sessions)).toBe(0o700)
  })

  it('takes an explicit folder that does not exist yet or is empty, and refuses one with files in it', () => {
    const base = temp()
    expect(createSessionFolder({ dir: join(base, 'new'), sessionsDir: base, name: 's', createdAt: 0 })).toBe(
      join(base, 'new'),
    )
    const empty = join(base, 'empty')
    mkdirSync(empty, { mode: 0o755 })
    createSessionFolder({ dir: empty, sessionsDir: base, name: 's', createdAt: 0 })
    expect(mode(empty)).toBe(0o700)

    const used = join(base, 'used')
    mkdirSync(used)
    writeFileSync(join(used, 'events.jsonl'), '{"seq":1}\n')
    expect(() => createSessionFolder({ dir: used, sessionsDir: base, name: 's', createdAt: 0 })).toThrow(
      /already exists and is not empty.*path that does not exist yet \(or an empty folder\)/,
    )
    // Nothing in it was touched.
    expect(readFileSync(join(used, 'events.jsonl'), 'utf8')).toBe('{"seq":1}\n')

    const file = join(base, 'a-file')
    writeFileSync(file, '')
    expect(() => createSessionFolder({ dir: file, sessionsDir: base, name: 's', createdAt: 0 })).toThrow(
      /is not a folder/,
    )
    const link = join(base, 'link')
    symlinkSync(join(base, 'new'), link)
    expect(() => createSessionFolder({ dir: link, sessionsDir: base, name: 's', createdAt: 0 })).toThrow(
      /symbolic link/,
    )
  })

  it('refuses a session where the disk has less free space than the minimum, naming both', () => {
    const base = temp()
    process.env.ZKLAB_MIN_FREE_MB = String(2 ** 40)
    expect(() => createSessionFolder({ sessionsDir: join(base, 'sessions'), name: 's', createdAt: 0 })).toThrow(
      new RegExp(
        `Not enough free space for a session in ${join(base, 'sessions')}: [\\d.]+ MiB free, the lab needs at least ${2 ** 40} MiB.*ZKLAB_MIN_FREE_MB`,
      ),
    )
    process.env.ZKLAB_MIN_FREE_MB = 'lots'
    expect(() => createSessionFolder({ sessionsDir: base, name: 's', createdAt: 0 })).toThrow(
      /ZKLAB_MIN_FREE_MB=lots: give a number of MiB/,
    )
  })

  it('two labs created in the same millisecond get two private folders with journals of their own', async () => {
    const sessions = join(temp(), 'sessions')
    vi.spyOn(Date, 'now').mockReturnValue(Date.UTC(2025, 5, 6, 7, 8, 9, 10))
    const labs = [new Lab(), new Lab()]
    try {
      const infos = await Promise.all(labs.map((lab) => lab.createSession({ name: 'same', sessionsDir: sessions })))
      vi.restoreAllMocks()
      expect(infos[0].dir).not.toBe(infos[1].dir)
      labs[0].record({ type: 'scenario.step', path: 'steps[0]', step: { parallel: 0 } })
      for (const lab of labs) await lab.closeSession()
      const journals = infos.map((info) => readJournal(join(info.dir, 'events.jsonl')))
      for (const [i, info] of infos.entries()) {
        expect(mode(info.dir)).toBe(0o700)
        for (const file of ['events.jsonl', 'session.json']) expect(mode(join(info.dir, file))).toBe(0o600)
        expect(journals[i].problems).toEqual([])
        // Each journal is its own: numbered from 1, gap-free, about its own folder only.
        expect(journals[i].events.map((e) => e.seq)).toEqual(journals[i].events.map((_, k) => k + 1))
        expect(journals[i].events.filter((e) => e.type === 'session.created').map((e) => e.dir)).toEqual([info.dir])
      }
      expect(journals[0].events.some((e) => e.type === 'scenario.step')).toBe(true)
      expect(journals[1].events.some((e) => e.type === 'scenario.step')).toBe(false)
      // The library lists both, newest first by createdAt (here the same millisecond).
      expect(
        listSessions(sessions)
          .map((s) => s.dir)
          .sort(),
      ).toEqual(infos.map((i) => i.dir).sort())
    } finally {
      for (const lab of labs) await lab.dispose()
    }
  })

  it('a lab refuses to open a session in a folder another session already wrote', async () => {
    const base = temp()
    const lab = new Lab()
    try {
      const first = await lab.createSession({ name: 'first', dir: join(base, 's') })
      await lab.closeSession()
      await expect(lab.createSession({ name: 'second', dir: first.dir })).rejects.toThrow(
        /already exists and is not empty/,
      )
      expect(
        readJournal(join(first.dir, 'events.jsonl')).events.filter((e) => e.type === 'session.created'),
      ).toHaveLength(1)
    } finally {
      await lab.dispose()
    }
  })
})

describe('session.json', () => {
  let dir: string
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'zklab-session-file-'))
  })
  afterEach(() => rmSync(dir, { recursive: true, force: true }))

  it('is written whole, private to its user, with no temporary file left', () => {
    writeSessionFile(dir, { name: 'a' })
    updateSessionFile(dir, { closedAt: 'now' })
    expect(readSessionFile(dir)).toEqual({ name: 'a', closedAt: 'now' })
    expect(statSync(join(dir, 'session.json')).mode & 0o777).toBe(0o600)
    expect(readdirSync(dir)).toEqual(['session.json'])
  })

  it('replaces a linked session.json instead of writing through it, and will not update one', () => {
    const victim = join(dir, 'victim.txt')
    writeFileSync(victim, 'keep me')
    symlinkSync(victim, join(dir, 'session.json'))
    expect(() => updateSessionFile(dir, { name: 'x' })).toThrow(/symbolic link/)
    writeSessionFile(dir, { name: 'fresh' })
    expect(readFileSync(victim, 'utf8')).toBe('keep me')
    expect(lstatSync(join(dir, 'session.json')).isSymbolicLink()).toBe(false)
  })

  it('says a corrupt file is not JSON without quoting it', () => {
    writeFileSync(join(dir, 'session.json'), FOREIGN)
    expect(() => readSessionFile(dir)).toThrow(/is not valid JSON\.$/)
    expect(() => readSessionFile(dir)).not.toThrow(/secret-token/)
  })

  it('tells a reader that carries on without it (the report) why there is none, without quoting it', () => {
    expect(readSessionFileIfAny(dir)).toEqual({ problem: 'session.json is missing' })
    writeFileSync(join(dir, 'session.json'), FOREIGN)
    expect(readSessionFileIfAny(dir)).toEqual({ problem: 'session.json cannot be read (it is not valid JSON)' })
    writeFileSync(join(dir, 'session.json'), '[1]')
    expect(readSessionFileIfAny(dir)).toEqual({ problem: 'session.json is not an object' })
    writeSessionFile(dir, { name: 'n' })
    expect(readSessionFileIfAny(dir)).toEqual({ content: { name: 'n' } })
  })
})

describe('the layout of a session folder', () => {
  let dir: string
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'zklab-layout-'))
  })
  afterEach(() => rmSync(dir, { recursive: true, force: true }))

  it('keeps the names every session folder ever written has, so old folders still load', () => {
    expect(journalPath('/s')).toBe(join('/s', 'events.jsonl'))
    expect(sessionFilePath('/s')).toBe(join('/s', 'session.json'))
    expect(sinkPath('/s', 'orders')).toBe(join('/s', 'sinks', 'orders.log'))
    expect(zooKeeperServerDir('/s', 'zk-2')).toBe(join('/s', 'zookeeper', 'zk-2'))
    expect(zooKeeperDataDirs(join('/s', 'zookeeper', 'docker-1'))).toEqual({
      data: join('/s', 'zookeeper', 'docker-1', 'data'),
      datalog: join('/s', 'zookeeper', 'docker-1', 'datalog'),
    })
    expect(REPORT_FILES).toEqual({ json: 'report.json', html: 'report.html', pdf: 'report.pdf' })
  })

  it('is a session only with session.json and events.jsonl both there as plain files', () => {
    expect(isSessionFolder(dir)).toBe(false)
    writeFileSync(journalPath(dir), '')
    expect(isSessionFolder(dir)).toBe(false)
    symlinkSync(journalPath(dir), sessionFilePath(dir))
    expect(isSessionFolder(dir)).toBe(false)
    rmSync(sessionFilePath(dir))
    writeSessionFile(dir, {})
    expect(isSessionFolder(dir)).toBe(true)
  })

  it('reads every sink by task, counting lines that are not records and ignoring other files', () => {
    mkdirSync(join(dir, 'sinks'))
    writeFileSync(sinkPath(dir, 'a'), '{"id":1,"worker":1,"time":5}\n{"id":2,"worker":1,"time":6}\n{"id":3,"wor')
    writeFileSync(sinkPath(dir, 'b'), 'not json\n{"id":"x"}\n')
    writeFileSync(join(dir, 'sinks', 'notes.txt'), 'hello\n')
    const { sinks, unreadable } = readSinks(dir)
    expect(Object.keys(sinks).sort()).toEqual(['a', 'b'])
    expect(sinks.a.map((r) => r.id)).toEqual([1, 2])
    expect(unreadable).toEqual({ a: 1, b: 2 })
    expect(readSinks(join(dir, 'no-such-session'))).toEqual({ sinks: {}, backups: {}, unreadable: {} })
  })

  it("finds ZooKeeper's transaction-log folders of every server, in server order", () => {
    for (const server of ['zk-10', 'zk-2'])
      mkdirSync(join(zooKeeperDataDirs(zooKeeperServerDir(dir, server)).data, 'version-2'), { recursive: true })
    mkdirSync(join(zooKeeperDataDirs(zooKeeperServerDir(dir, 'docker-1')).datalog, 'version-2'), { recursive: true })
    mkdirSync(zooKeeperServerDir(dir, 'zk-3'), { recursive: true })
    expect(txnLogDirs(dir)).toEqual([
      { server: 'docker-1', dir: join(dir, 'zookeeper', 'docker-1', 'datalog', 'version-2') },
      { server: 'zk-2', dir: join(dir, 'zookeeper', 'zk-2', 'data', 'version-2') },
      { server: 'zk-10', dir: join(dir, 'zookeeper', 'zk-10', 'data', 'version-2') },
    ])
  })
})
