/**
 * The lab when its session folder cannot be written: a full disk under the journal, and a logs/
 * folder nothing can be written to. A real ZooKeeper (external to the lab, so its data is not on the
 * small disk), real workers, monitor and observer, driven through the Lab facade.
 *
 * The full disk is a real one where the machine lets the test mount a small tmpfs (root, or a
 * container with the right to mount); a fault injected at the journal's write runs everywhere.
 */
import { execFileSync } from 'node:child_process'
import {
  chmodSync,
  closeSync,
  existsSync,
  mkdtempSync,
  openSync,
  readFileSync,
  readdirSync,
  rmSync,
  symlinkSync,
  writeFileSync,
  writeSync,
} from 'node:fs'
import { connect } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { LabEventTypes, WorkerEventTypes, type LabEvent } from '../../src/shared/events.js'
import { Lab } from '../../src/core/lab.js'
import { readJournal, type JournalWrite } from '../../src/core/journal/journal.js'
import { listSessions } from '../../src/core/sessions/session-library.js'
import { startStandaloneZk, type StandaloneZk } from './helpers/standalone-zk.js'
import { isAlive, waitFor } from './helpers/wait.js'
import { zklab } from './helpers/zklab-cli.js'

const TASK = 'task01'

/** Mounts a tmpfs of `size` on `dir`; false where the machine does not allow it. */
function tryMount(dir: string, options: string): boolean {
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', options, 'tmpfs', dir], { stdio: 'ignore' })
    return true
  } catch {
    return false
  }
}

function unmount(dir: string): void {
  execFileSync('umount', [dir], { stdio: 'ignore' })
}

/** Fills the file system under `dir` until it says ENOSPC (bounded: a tmpfs of a few MiB). */
function fillDisk(dir: string): void {
  const fd = openSync(join(dir, 'filler'), 'w')
  const chunk = Buffer.alloc(64 * 1024, 1)
  try {
    for (let i = 0; i < 1024; i++) writeSync(fd, chunk)
    throw new Error(`the disk under ${dir} never filled up`)
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err
  } finally {
    closeSync(fd)
  }
}

/** True if something accepts a TCP connection on 127.0.0.1:port within a second. */
function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port })
    const done = (ok: boolean) => {
      socket.destroy()
      resolve(ok)
    }
    socket.setTimeout(1000, () => done(false))
    socket.once('connect', () => done(true))
    socket.once('error', () => done(false))
  })
}

describe('recording failures (real ZooKeeper, real processes)', () => {
  let zk: StandaloneZk
  const cleanups: Array<() => Promise<void> | void> = []

  beforeAll(async () => {
    zk = await startStandaloneZk()
  })
  afterEach(async () => {
    delete process.env.ZKLAB_MIN_FREE_MB
    // In reverse: labs are disposed before the disks under them are unmounted.
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
  })
  afterAll(async () => {
    await zk?.stop()
  })

  function tempDir(prefix: string): string {
    const dir = mkdtempSync(join(tmpdir(), prefix))
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }))
    return dir
  }

  /** A lab with a session in `sessionsDir`, ZooKeeper external, a task and `workers` seed workers committing. */
  /** A lab that hears every event and is disposed after the test, taking every process it started with it. */
  function newLab(journalWrite?: JournalWrite) {
    const lab = new Lab({ journalWrite })
    const events: LabEvent[] = []
    lab.onEvent((e) => events.push(e))
    cleanups.push(async () => {
      await lab.dispose()
      // Whatever the test asserted, no process of the session outlives it.
      for (const e of events.filter((x) => x.type === LabEventTypes.processSpawned)) {
        if (isAlive(Number(e.pid))) process.kill(Number(e.pid), 'SIGKILL')
      }
    })
    return { lab, events }
  }

  async function runningLab(sessionsDir: string, workers: number, journalWrite?: JournalWrite) {
    const { lab, events } = newLab(journalWrite)
    const session = await lab.createSession({ name: 'disk', sessionsDir })
    await lab.startZooKeeper({ mode: 'external', connectString: zk.connect })
    await lab.publishTask({ task: TASK })
    await lab.addWorkers({ task: TASK, count: workers, commitIntervalMs: 200, sessionTimeoutMs: 4000 })
    await waitFor(() => events.filter((e) => e.type === WorkerEventTypes.commit).length >= 2, 60_000)
    return { lab, events, session }
  }

  /** What every recording failure must leave: the state, every child stopped, proxies closed, a whole journal, a usable lab. */
  async function expectStoppedSafely(lab: Lab, events: LabEvent[], dir: string, code: string) {
    await waitFor(() => lab.recordingFailure !== undefined, 30_000)
    const failure = lab.recordingFailure!
    expect(failure.code).toBe(code)
    expect(failure.reason).toContain(join(dir, 'events.jsonl'))
    const said = events.find((e) => e.type === LabEventTypes.recordingFailed)!
    expect(said).toMatchObject({ level: 'error', dir, code, lastRecordedSeq: failure.lastRecordedSeq })

    // Every child is stopped while the session is still open: ZooKeeper's clients, the workers.
    const spawned = events.filter((e) => e.type === LabEventTypes.processSpawned)
    expect(spawned.map((e) => e.name)).toEqual(expect.arrayContaining(['observer', 'monitor', `worker-${TASK}-1`]))
    await waitFor(() => spawned.every((e) => !isAlive(Number(e.pid))), 20_000)
    // The workers' proxies to ZooKeeper are closed too.
    const proxyPorts = spawned
      .filter((e) => e.kind === 'worker')
      .map((e) => Number(/127\.0\.0\.1:(\d+)/.exec(e.args.join(' '))![1]))
    await waitFor(async () => (await Promise.all(proxyPorts.map(accepts))).every((ok) => !ok), 10_000)
    expect(await accepts(Number(zk.connect.split(':')[1]))).toBe(true)

    // The journal is whole up to the last event it recorded: no torn line, nothing after.
    const text = readFileSync(join(dir, 'events.jsonl'), 'utf8')
    expect(text.endsWith('\n')).toBe(true)
    const journal = readJournal(join(dir, 'events.jsonl'))
    expect(journal.problems).toEqual([])
    expect(journal.events.at(-1)!.seq).toBe(failure.lastRecordedSeq)
    expect(journal.events.length).toBe(failure.lastRecordedSeq)

    // The lab refuses new work for this session, then closes it and is usable again.
    await expect(lab.addWorkers({ task: TASK, count: 1 })).rejects.toThrow(/Recording failed.*start a new one/)
    await lab.closeSession()
    expect(lab.sessionDir).toBeUndefined()
    expect(readJournal(join(dir, 'events.jsonl')).events.length).toBe(failure.lastRecordedSeq)
    return failure
  }

  it('a full disk (a real tmpfs): recording failed, children stopped, journal whole, the lab alive', async (ctx) => {
    const mountpoint = tempDir('zklab-fulldisk-')
    if (!tryMount(mountpoint, 'size=4m,mode=0700')) {
      ctx.skip(true, 'mounting a tmpfs is not allowed here; the injected fault below covers the same path')
      return
    }
    cleanups.push(() => unmount(mountpoint))
    process.env.ZKLAB_MIN_FREE_MB = '1'
    const { lab, events, session } = await runningLab(mountpoint, 2)
    console.info(`full disk: a real tmpfs of 4 MiB at ${mountpoint}`)
    fillDisk(mountpoint)
    const failure = await expectStoppedSafely(lab, events, session.dir, 'ENOSPC')
    expect(failure.reason).toMatch(/no space left on device/i)
    // The library lists it, and not as closed cleanly; session.json was left as it was.
    rmSync(join(mountpoint, 'filler'))
    const listed = listSessions(mountpoint)
    expect(listed.map((s) => s.dir)).toEqual([session.dir])
    expect(listed[0]).toMatchObject({ name: 'disk', closedCleanly: false })
    // A new session on the freed disk records again.
    const next = await lab.createSession({ name: 'after', sessionsDir: mountpoint })
    expect(lab.recordingFailure).toBeUndefined()
    await lab.closeSession()
    expect(readJournal(join(next.dir, 'events.jsonl')).events.at(-1)!.type).toBe(LabEventTypes.sessionClosed)
  }, 120_000)

  it('zklab run on a disk that fills up mid-run exits 1 naming the reason, and leaves no process', async (ctx) => {
    const mountpoint = tempDir('zklab-fulldisk-cli-')
    if (!tryMount(mountpoint, 'size=4m,mode=0700')) {
      ctx.skip(true, 'mounting a tmpfs is not allowed here')
      return
    }
    cleanups.push(() => unmount(mountpoint))
    const scenarioFile = join(tempDir('zklab-fulldisk-scenario-'), 'long.yaml')
    writeFileSync(
      scenarioFile,
      [
        'name: long-run',
        `zookeeper: { mode: external, connectString: "${zk.connect}" }`,
        'tasks:',
        '  - { name: task01, workers: 1, commitIntervalMs: 200 }',
        'steps:',
        '  - waitFor: primary',
        '  - sleep: 120000',
        '',
      ].join('\n'),
    )
    const run = zklab(['run', scenarioFile, '--sessions-dir', mountpoint], {
      env: { ...process.env, ZKLAB_MIN_FREE_MB: '1' },
      timeoutMs: 90_000,
    })
    // Once the worker commits, the disk fills up under the running lab.
    const journalOf = () =>
      readdirSync(mountpoint)
        .map((d) => join(mountpoint, d, 'events.jsonl'))
        .find((f) => existsSync(f))
    await waitFor(() => {
      const journal = journalOf()
      return journal !== undefined && readFileSync(journal, 'utf8').includes('"worker.commit"')
    }, 60_000)
    fillDisk(mountpoint)
    const done = await run
    expect(done.code).toBe(1)
    const sessionDir = join(journalOf()!, '..')
    expect(done.stderr).toContain(
      `zklab: recording failed: the journal ${join(sessionDir, 'events.jsonl')} could not be written`,
    )
    expect(done.stderr).toMatch(/no space left on device.*\(session folder .*\)/i)
    // Stopped at once, not after the two-minute sleep.
    expect(done.stdout).toMatch(/RECORDING FAILED/)
    const journal = readJournal(join(sessionDir, 'events.jsonl'))
    expect(journal.problems).toEqual([])
    const pids = journal.events.filter((e) => e.type === LabEventTypes.processSpawned).map((e) => Number(e.pid))
    expect(pids.length).toBeGreaterThanOrEqual(3)
    expect(pids.filter(isAlive)).toEqual([])
  }, 120_000)

  it("a disk fault injected at the journal's write (a short write, then ENOSPC): the same safe stop", async () => {
    let full = false
    let shortWritten = false
    const write: JournalWrite = (fd, buffer, offset, length) => {
      if (!full) return writeSync(fd, buffer, offset, length)
      if (!shortWritten) {
        shortWritten = true
        return writeSync(fd, buffer, offset, Math.min(length, 9))
      }
      throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC', errno: -28 })
    }
    const { lab, events, session } = await runningLab(tempDir('zklab-injected-'), 1, write)
    console.info("full disk: a fault injected at the journal's write")
    full = true
    await expectStoppedSafely(lab, events, session.dir, 'ENOSPC')
    expect(shortWritten).toBe(true)
  }, 120_000)

  it('a logs/ folder that cannot be written: a warning, the run goes on, the journal keeps the lines', async () => {
    const sessions = tempDir('zklab-nologs-')
    const { lab, events } = newLab()
    const session = await lab.createSession({ name: 'nologs', sessionsDir: sessions })
    const logs = join(session.dir, 'logs')
    // Root writes through file modes: a read-only mount where allowed, else a dangling link.
    let how: string
    if (tryMount(logs, 'ro,size=64k')) {
      cleanups.push(() => unmount(logs))
      how = 'a read-only tmpfs'
    } else if (process.getuid?.() !== 0) {
      chmodSync(logs, 0o500)
      how = 'chmod 0500'
    } else {
      rmSync(logs, { recursive: true })
      symlinkSync(join(session.dir, 'no-such-folder', 'logs'), logs)
      how = 'a link to nowhere'
    }
    console.info(`unwritable logs/: ${how}`)
    await lab.startZooKeeper({ mode: 'external', connectString: zk.connect })
    await lab.publishTask({ task: TASK })
    await lab.addWorkers({ task: TASK, count: 1, commitIntervalMs: 200 })
    await waitFor(() => events.filter((e) => e.type === WorkerEventTypes.commit).length >= 2, 60_000)

    const warnings = events.filter((e) => e.type === LabEventTypes.log && e.source === 'lab' && e.level === 'warn')
    expect(warnings.map((e) => (e.type === 'log' ? e.line : ''))).toEqual(
      expect.arrayContaining([
        expect.stringMatching(
          new RegExp(`${join(logs, `worker-${TASK}-1.log`)} cannot be written .*still in the journal`),
        ),
      ]),
    )
    // One warning per log file, not one per line.
    expect(new Set(warnings.map((e) => (e.type === 'log' ? e.line : ''))).size).toBe(warnings.length)
    expect(lab.recordingFailure).toBeUndefined()
    await lab.closeSession()
    const journal = readJournal(join(session.dir, 'events.jsonl'))
    expect(journal.problems).toEqual([])
    expect(
      journal.events.filter((e) => e.type === WorkerEventTypes.commit && e.source === `worker-${TASK}-1`).length,
    ).toBeGreaterThanOrEqual(2)
    expect(journal.events.at(-1)!.type).toBe(LabEventTypes.sessionClosed)
    expect(readdirSync(session.dir)).toContain('events.jsonl')
  }, 120_000)
})
