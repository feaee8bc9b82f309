/**
 * The seed strategy against a real ZooKeeper and real worker processes: election, commits, sink, and
 * the flaws it is meant to show (failover only after session expiry, zombie primary, lingering node).
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ZkClient } from '../../src/worker/common/zk.js'
import { taskPaths } from '../../src/worker/common/paths.js'
import { useStandaloneZk, type StandaloneZk } from './helpers/standalone-zk.js'
import { runProgram, startProgram, type WorkerProcess, type ChildEvent } from './helpers/worker-process.js'
import { readJsonLines } from '../json-files.js'
import { anyNumber, anyString, stringContaining, stringMatching } from '../matchers.js'

const ROOT = '/customBackUp'
const SESSION_TIMEOUT = 2000
const COMMIT_INTERVAL = 200

let zk: StandaloneZk
let client: ZkClient
let dir: string

// tickTime 500: session timeouts from 1 s to 10 s are granted as asked. Programs are killed after
// each test (SIGKILL ends SIGSTOPped workers too).
useStandaloneZk((started, connected) => {
  zk = started
  client = connected
})
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'zklab-test-seed-'))
})
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true })
})

function startWorker(task: string, id: number, sink: string, extra: string[] = []): WorkerProcess {
  return startProgram('task-worker', [
    '--connect',
    zk.connect,
    '--task',
    task,
    '--worker-id',
    String(id),
    '--sink',
    sink,
    '--commit-interval',
    String(COMMIT_INTERVAL),
    '--session-timeout',
    String(SESSION_TIMEOUT),
    '--strategy',
    'seed',
    ...extra,
  ])
}

const lastRole = (w: WorkerProcess) => w.ofType('worker.role').at(-1)?.role
const sinkIds = (sink: string) => readJsonLines<{ id: number; worker: number; session: string }>(sink)

async function startGroup(task: string, sink: string, count: number): Promise<WorkerProcess[]> {
  const workers: WorkerProcess[] = []
  for (let id = 1; id <= count; id++) {
    const w = startWorker(task, id, sink)
    workers.push(w)
    await w.waitForType('worker.role', 30_000) // register in order: worker 1 gets the smallest node
  }
  return workers
}

describe('task-worker --strategy seed', () => {
  it('elects exactly one primary among three, whose commits advance and whose sink is contiguous', async () => {
    const task = 'election'
    const sink = join(dir, `${task}.log`)
    const workers = await startGroup(task, sink, 3)
    const primary = workers[0]
    await primary.waitFor((e) => e.type === 'worker.commit' && (e.id as number) >= 10, 'commit 10', 60_000)

    for (const w of workers) {
      const [started, connected, connection, registered] = w.events
      expect(started).toMatchObject({ type: 'worker.started', task, strategy: 'seed', pid: w.pid })
      expect(connected).toMatchObject({ type: 'worker.connected', sessionId: stringMatching(/^[0-9a-f]+$/) })
      expect(connection).toMatchObject({ type: 'worker.connection', state: 'connected' })
      expect(registered).toMatchObject({
        type: 'worker.registered',
        node: stringMatching(/^server_\d+_\d{10}$/),
        path: stringContaining(`${ROOT}/tasks/${task}/instance/server_`),
      })
      for (const e of w.events) expect(e).toMatchObject({ time: anyNumber(), level: anyString() })
    }
    expect(workers.map(lastRole)).toEqual(['primary', 'standby', 'standby'])
    expect(workers[1].ofType('worker.work')).toEqual([])
    expect(workers[2].ofType('worker.work')).toEqual([])
    expect(primary.ofType('worker.status')[0]).toMatchObject({ value: '1', version: anyNumber() })

    // work before commit, ids +1 each time, from 1
    const steps = primary.events.filter((e) => e.type === 'worker.work' || e.type === 'worker.commit')
    for (let i = 0; i + 1 < steps.length; i += 2) {
      expect(steps[i]).toMatchObject({ type: 'worker.work', id: i / 2 + 1 })
      expect(steps[i + 1]).toMatchObject({ type: 'worker.commit', id: i / 2 + 1, version: anyNumber() })
    }
    const records = sinkIds(sink)
    expect(records.map((r) => r.id)).toEqual(records.map((_, i) => i + 1))
    expect(new Set(records.map((r) => r.worker))).toEqual(new Set([1]))
    const { data } = await client.get(taskPaths(ROOT, task).lastCommit)
    expect(Number(data.toString())).toBeGreaterThanOrEqual(10)

    // The herd effect: the third worker joining woke worker 2, which set status "0" under a healthy primary.
    expect(workers[1].ofType('worker.watch')[0]).toMatchObject({
      path: `${ROOT}/tasks/${task}/instance`,
      event: 'child',
    })
    expect(workers[1].ofType('worker.status')[0]).toMatchObject({ value: '0' })
  })

  it('fails over after SIGKILL only once the session expires, continuing from lastCommit', async () => {
    const task = 'failover'
    const sink = join(dir, `${task}.log`)
    const workers = await startGroup(task, sink, 3)
    const [old, ...standbys] = workers as [WorkerProcess, WorkerProcess, WorkerProcess]
    await old.waitFor((e) => e.type === 'worker.commit' && (e.id as number) >= 5, 'commit 5', 60_000)

    const killedAt = Date.now()
    old.kill('SIGKILL')
    await old.exited
    const lastSeen = old.ofType('worker.commit').at(-1)!.id as number

    const takeover = await Promise.any(
      standbys.map((w) =>
        w
          .waitFor((e) => e.type === 'worker.role' && e.role === 'primary', 'new primary', 60_000)
          .then((e) => ({ w, e })),
      ),
    )
    const successor = takeover.w
    // The killed primary's ephemeral node stays until its session expires: no failover before that.
    expect(takeover.e.time - killedAt).toBeGreaterThanOrEqual(SESSION_TIMEOUT * 0.75)

    const firstWork = await successor.waitForType('worker.work', 30_000)
    await successor.waitFor(
      (e) => e.type === 'worker.commit' && (e.id as number) >= (firstWork.id as number) + 3,
      'three more commits',
      60_000,
    )
    // Continues from lastCommit: the killed primary may have committed one more id than it reported.
    expect(firstWork.id).toBeGreaterThanOrEqual(lastSeen + 1)
    expect(firstWork.id).toBeLessThanOrEqual(lastSeen + 2)

    const other = standbys.find((w) => w !== successor)!
    expect(lastRole(other)).toBe('standby')
    expect(other.ofType('worker.work')).toEqual([])

    // lastCommit never went backwards across the two primaries
    const commits = [...old.ofType('worker.commit'), ...successor.ofType('worker.commit')].sort(
      (a, b) => a.time - b.time,
    )
    for (let i = 1; i < commits.length; i++)
      expect(commits[i].id as number).toBeGreaterThan(commits[i - 1].id as number)

    // The sink: one worker then the other, no gap (one id may be done twice at the hand-over).
    const ids = sinkIds(sink).map((r) => r.id)
    for (let i = 1; i < ids.length; i++) expect(ids[i] - ids[i - 1]).toBeGreaterThanOrEqual(0)
    for (let i = 1; i < ids.length; i++) expect(ids[i] - ids[i - 1]).toBeLessThanOrEqual(1)
  })

  it('keeps committing after its session expired (the zombie primary) with a new session, next to its successor', async () => {
    const task = 'zombie'
    const sink = join(dir, `${task}.log`)
    const [primary, standby] = (await startGroup(task, sink, 2)) as [WorkerProcess, WorkerProcess]
    await primary.waitFor((e) => e.type === 'worker.commit' && (e.id as number) >= 3, 'commit 3', 60_000)
    const firstSession = primary.ofType('worker.connected')[0].sessionId

    // A "GC pause" longer than the session timeout.
    process.kill(primary.pid, 'SIGSTOP')
    await standby.waitFor((e) => e.type === 'worker.role' && e.role === 'primary', 'standby takes over', 60_000)
    await standby.waitForType('worker.commit', 30_000)
    process.kill(primary.pid, 'SIGCONT')

    const expired = await primary.waitFor(
      (e) => e.type === 'worker.connection' && e.state === 'expired',
      'expiry',
      60_000,
    )
    expect(expired.sessionId).toBe(firstSession)
    const renewed = await primary.waitFor(
      (e) => e.type === 'worker.connected' && e.replaced === true,
      'new session',
      60_000,
    )
    expect(renewed.sessionId).not.toBe(firstSession)
    // Its first record after the pause was appended under the old session (it finds out at the commit);
    // the next ones are done under the new session.
    const zombieWork = await primary.waitFor(
      (e) => e.type === 'worker.work' && e.time > renewed.time,
      'work after expiry',
      60_000,
    )
    const zombieCommit = await primary.waitFor(
      (e) => e.type === 'worker.commit' && e.id === zombieWork.id,
      'commit after expiry',
      60_000,
    )
    expect(zombieCommit).toMatchObject({ version: anyNumber() })
    // Never registered again, never stepped down: still the primary in its own eyes.
    expect(primary.ofType('worker.registered')).toHaveLength(1)
    expect(lastRole(primary)).toBe('primary')
    // Split brain, visible in the sink: both wrote records after the hand-over.
    await standby.waitFor(
      (e) => e.type === 'worker.commit' && e.time > zombieCommit.time,
      'successor still committing',
      30_000,
    )
    const after = sinkIds(sink).filter((r) => r.session !== firstSession)
    expect(new Set(after.map((r) => r.worker))).toEqual(new Set([1, 2]))
    // stdout carried JSON events only, through the expiry too
    expect(primary.otherLines).toEqual([])
    expect(standby.otherLines).toEqual([])
  })

  it('exits at once on SIGTERM without closing its session, so its node lingers', async () => {
    const task = 'sigterm'
    const sink = join(dir, `${task}.log`)
    const [primary] = (await startGroup(task, sink, 1)) as [WorkerProcess]
    const registered = primary.ofType('worker.registered')[0]
    await primary.waitForType('worker.commit', 30_000)
    primary.kill('SIGTERM')
    const { code } = await primary.exited
    expect(code).toBe(143)
    expect(primary.events.at(-1)).toMatchObject({ type: 'worker.exiting', signal: 'SIGTERM', sessionClosed: false })
    expect(await client.exists(registered.path as string)).not.toBeNull()
    // ...until the server expires the session.
    const deadline = Date.now() + 30_000
    while ((await client.exists(registered.path as string)) !== null && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 200))
    expect(await client.exists(registered.path as string)).toBeNull()
  })

  it('exits, closing its session, when the lab goes away (stdin ends)', async () => {
    const task = 'orphan'
    const sink = join(dir, `${task}.log`)
    const [w] = (await startGroup(task, sink, 1)) as [WorkerProcess]
    const registered = w.ofType('worker.registered')[0]
    w.child.stdin!.end()
    const { code } = await w.exited
    expect(code).toBe(0)
    expect(w.events.at(-1)).toMatchObject({ type: 'worker.exiting', reason: 'stdin-closed', sessionClosed: true })
    expect(await client.exists(registered.path as string)).toBeNull()
  })

  it('works on a task a publisher created first and reports a fatal ZooKeeper error with exit 2', async () => {
    const published = await runProgram('publisher', ['--connect', zk.connect, '--create', 'prepublished'])
    expect(published.exitCode).toBe(0)
    const w = startWorker('prepublished', 7, join(dir, 'prepublished.log'))
    await w.waitForType('worker.commit', 30_000)

    // A root the worker cannot create under: ZooKeeper refuses children of an ephemeral node.
    const eph = await client.create('/ephemeral-root', '', 1 /* EPHEMERAL */)
    const bad = startWorker('t', 1, join(dir, 'bad.log'), ['--root', eph])
    const { code } = await bad.exited
    expect(code).toBe(2)
    const error: ChildEvent = bad.ofType('worker.error')[0]
    expect(error).toMatchObject({ level: 'error', message: anyString(), code: anyNumber() })
  })
})
