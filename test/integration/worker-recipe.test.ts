/**
 * The recipe strategy against a real ZooKeeper and real worker processes: predecessor watches, fast
 * hand-over on SIGTERM, fenced commits through a crash and a pause longer than the session timeout,
 * reconciliation of committed-but-unrecorded ids, and a status that does not flap.
 * Timings are asserted only with wide margins: other suites may load this 2-core machine at the same time.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { createConnection, createServer, type Server, type Socket } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { taskPaths } from '../../src/worker/common/paths.js'
import type { ZkClient } from '../../src/worker/common/zk.js'
import { useStandaloneZk, type StandaloneZk } from './helpers/standalone-zk.js'
import {
  killAllPrograms,
  runProgram,
  startProgram,
  type ChildEvent,
  type WorkerProcess,
} from './helpers/worker-process.js'

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
  dir = mkdtempSync(join(tmpdir(), 'zklab-test-recipe-'))
})
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true })
})

function startWorker(task: string, id: number, sink: string, sessionTimeout = SESSION_TIMEOUT): WorkerProcess {
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
    String(sessionTimeout),
    '--strategy',
    'recipe',
  ])
}

/** Starts workers one after the other, so worker 1 holds the smallest node, worker 2 the next... */
async function startGroup(
  task: string,
  sink: string,
  count: number,
  sessionTimeout?: number,
): Promise<WorkerProcess[]> {
  const workers: WorkerProcess[] = []
  for (let id = 1; id <= count; id++) {
    const w = startWorker(task, id, sink, sessionTimeout)
    workers.push(w)
    const role = await w.waitForType('worker.role', 30_000)
    if (role.role === 'standby') await w.waitForType('worker.watching', 30_000) // settled: its watch is armed
  }
  return workers
}

interface Record {
  id: number
  worker: number
  time: number
  session: string
  version?: number
  reconciled?: boolean
}

const sinkRecords = (sink: string): Record[] =>
  existsSync(sink)
    ? readFileSync(sink, 'utf8')
        .split('\n')
        .filter((l) => l !== '')
        .map((l) => JSON.parse(l) as Record)
    : []

/** Every id from 1 to the last, each exactly once, in order. */
function expectExactlyOnce(records: Record[]): void {
  expect(records.map((r) => r.id)).toEqual(records.map((_, i) => i + 1))
}

const lastRole = (w: WorkerProcess) => w.ofType('worker.role').at(-1)?.role
const isPrimary = (e: ChildEvent) => e.type === 'worker.role' && e.role === 'primary'
const commitAtLeast = (n: number) => (e: ChildEvent) => e.type === 'worker.commit' && (e.id as number) >= n

/** The first of `workers` to report becoming primary. */
function nextPrimary(workers: WorkerProcess[], timeoutMs = 60_000): Promise<{ w: WorkerProcess; e: ChildEvent }> {
  return Promise.any(workers.map((w) => w.waitFor(isPrimary, 'new primary', timeoutMs).then((e) => ({ w, e }))))
}

/**
 * lastCommit never went backwards: the commits of all workers in the znode's own order (the version each
 * set produced; a reply read late after a pause is reported late but keeps its place) carry rising ids.
 */
function expectCommitsIncrease(workers: WorkerProcess[]): void {
  const commits = workers
    .flatMap((w) => w.ofType('worker.commit'))
    .sort((a, b) => (a.version as number) - (b.version as number))
  for (let i = 1; i < commits.length; i++) {
    expect(commits[i].version as number).toBeGreaterThan(commits[i - 1].version as number)
    expect(commits[i].id as number).toBeGreaterThan(commits[i - 1].id as number)
  }
}

async function readNumber(path: string): Promise<{ value: number; version: number }> {
  const { data, stat } = await client.get(path)
  return { value: Number(data.toString()), version: stat.version }
}

/**
 * A loopback TCP link to ZooKeeper that can be cut (nothing flows, new connections hang) and healed
 * (the hung connections are reset, as a stateful firewall would). Kept here so this test depends only on
 * the worker and a real ZooKeeper.
 */
class CuttableLink {
  private server: Server | undefined
  private readonly sockets = new Set<Socket>()
  private cut = false
  port = 0

  constructor(private readonly upstreamPort: number) {}

  async start(): Promise<string> {
    this.server = createServer((client) => this.accept(client))
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve))
    this.port = (this.server.address() as { port: number }).port
    return `127.0.0.1:${this.port}`
  }

  partition(): void {
    this.cut = true
    for (const s of this.sockets) s.pause()
  }

  heal(): void {
    this.cut = false
    for (const s of [...this.sockets]) s.resetAndDestroy()
    this.sockets.clear()
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy()
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()))
  }

  private accept(client: Socket): void {
    this.sockets.add(client)
    client.on('error', () => {})
    client.on('close', () => this.sockets.delete(client))
    if (this.cut) return void client.pause() // a SYN into a blackhole, until heal() resets it
    const upstream = createConnection({ host: '127.0.0.1', port: this.upstreamPort })
    this.sockets.add(upstream)
    upstream.on('error', () => {})
    upstream.on('close', () => {
      this.sockets.delete(upstream)
      client.destroy()
    })
    client.on('close', () => upstream.destroy())
    client.on('data', (chunk) => void (!this.cut && upstream.write(chunk)))
    upstream.on('data', (chunk) => void (!this.cut && client.write(chunk)))
  }
}

describe('task-worker --strategy recipe', () => {
  it('elects one primary; each standby watches its own predecessor; joins and departures of standbys leave status alone', async () => {
    const task = 'election'
    const paths = taskPaths(ROOT, task)
    const sink = join(dir, `${task}.log`)
    const workers = await startGroup(task, sink, 3)
    const [primary, second, third] = workers as [WorkerProcess, WorkerProcess, WorkerProcess]
    await primary.waitFor(commitAtLeast(5), 'commit 5', 60_000)

    expect(workers.map(lastRole)).toEqual(['primary', 'standby', 'standby'])
    for (const w of workers) expect(w.ofType('worker.started')[0]).toMatchObject({ strategy: 'recipe', pid: w.pid })
    const nodePath = (w: WorkerProcess) => w.ofType('worker.registered')[0].path as string
    const nodeName = (w: WorkerProcess) => w.ofType('worker.registered')[0].node as string

    // No herd: each standby watches the node just before its own, not the list and not the primary.
    expect(second.ofType('worker.watching')).toEqual([
      expect.objectContaining({ path: nodePath(primary), predecessor: nodeName(primary) }),
    ])
    expect(third.ofType('worker.watching')).toEqual([
      expect.objectContaining({ path: nodePath(second), predecessor: nodeName(second) }),
    ])
    expect(third.ofType('worker.role')[0]).toMatchObject({
      role: 'standby',
      smallest: nodeName(primary),
      predecessor: nodeName(second),
    })

    // Only the primary works, and it commits each id before it records it.
    for (const w of [second, third]) {
      expect(w.ofType('worker.work')).toEqual([])
      expect(w.ofType('worker.commit')).toEqual([])
      expect(w.ofType('worker.status')).toEqual([])
    }
    expect(primary.ofType('worker.status')).toEqual([expect.objectContaining({ value: '1' })])
    const steps = primary.events.filter(
      (e) => (e.type === 'worker.work' || e.type === 'worker.commit') && !e.reconciled,
    )
    for (let i = 0; i + 1 < steps.length; i += 2) {
      expect(steps[i]).toMatchObject({ type: 'worker.commit', id: i / 2 + 1 })
      expect(steps[i + 1]).toMatchObject({ type: 'worker.work', id: i / 2 + 1 })
    }
    const records = sinkRecords(sink)
    expectExactlyOnce(records)
    expect(new Set(records.map((r) => r.worker))).toEqual(new Set([1]))
    // The fencing token: the lastCommit version each commit produced, rising.
    for (let i = 1; i < records.length; i++) expect(records[i].version!).toBeGreaterThan(records[i - 1].version!)

    // A standby joins, then two leave (one closing its session, one crashing): status is not written.
    const statusBefore = await client.get(paths.status)
    expect(statusBefore.data.toString()).toBe('1')
    const fourth = startWorker(task, 4, sink)
    await fourth.waitFor((e) => e.type === 'worker.watching', 'fourth watches', 30_000)
    expect(fourth.ofType('worker.watching')[0]).toMatchObject({ path: nodePath(third) })
    // The join woke nobody.
    for (const w of [second, third]) expect(w.ofType('worker.watch')).toEqual([])

    third.kill('SIGTERM')
    expect((await third.exited).code).toBe(143)
    // Its predecessor was a standby: the fourth re-checks and watches the new predecessor, still standby.
    await fourth.waitFor(
      (e) => e.type === 'worker.watching' && e.path === nodePath(second),
      'fourth watches the second',
      30_000,
    )
    expect(fourth.ofType('worker.watch')[0]).toMatchObject({ path: nodePath(third), event: 'deleted' })
    expect(lastRole(fourth)).toBe('standby')

    second.kill('SIGKILL')
    await second.exited
    await fourth.waitFor(
      (e) => e.type === 'worker.watching' && e.path === nodePath(primary),
      'fourth watches the primary',
      30_000,
    )
    await primary.waitFor(
      commitAtLeast((primary.ofType('worker.commit').at(-1)!.id as number) + 2),
      'more commits',
      30_000,
    )

    const statusAfter = await client.get(paths.status)
    expect(statusAfter.data.toString()).toBe('1')
    expect(statusAfter.stat.version).toBe(statusBefore.stat.version)
    expect(lastRole(fourth)).toBe('standby')
    expect(fourth.ofType('worker.work')).toEqual([])
  })

  it('hands over at once on SIGTERM (the session is closed), long before the session timeout', async () => {
    const LONG_TIMEOUT = 8000
    const task = 'sigterm'
    const paths = taskPaths(ROOT, task)
    const sink = join(dir, `${task}.log`)
    const [old, standby] = (await startGroup(task, sink, 2, LONG_TIMEOUT)) as [WorkerProcess, WorkerProcess]
    await old.waitFor(commitAtLeast(3), 'commit 3', 60_000)
    const statusBefore = await client.get(paths.status)
    const oldNode = old.ofType('worker.registered')[0].path as string

    const stoppedAt = Date.now()
    old.kill('SIGTERM')
    expect((await old.exited).code).toBe(143)
    expect(old.events.at(-1)).toMatchObject({
      type: 'worker.exiting',
      reason: 'signal',
      signal: 'SIGTERM',
      sessionClosed: true,
    })
    expect(await client.exists(oldNode)).toBeNull() // gone at once, not after 8 s

    const takeover = await standby.waitFor(isPrimary, 'standby takes over', 30_000)
    expect(takeover.time - stoppedAt).toBeLessThan(LONG_TIMEOUT / 2)
    const lastOld = old.ofType('worker.commit').at(-1)!.id as number
    const first = await standby.waitFor((e) => e.type === 'worker.commit', 'first commit', 30_000)
    expect(first.id).toBe(lastOld + 1) // the old primary's last step finished (commit and record) before it left
    await standby.waitFor(commitAtLeast(lastOld + 3), 'more commits', 30_000)
    expectCommitsIncrease([old, standby])
    expectExactlyOnce(sinkRecords(sink))

    // A planned hand-over to a waiting standby: status stays "1", nobody wrote it.
    const statusAfter = await client.get(paths.status)
    expect(statusAfter.data.toString()).toBe('1')
    expect(statusAfter.stat.version).toBe(statusBefore.stat.version)
    expect(old.ofType('worker.status')).toHaveLength(1) // its own "1" at takeover
    expect(standby.ofType('worker.status')).toEqual([])

    // The last one out sets status "0" (the monitor then raises status-stopped).
    standby.kill('SIGTERM')
    expect((await standby.exited).code).toBe(143)
    expect(standby.ofType('worker.status')).toEqual([expect.objectContaining({ value: '0', reason: 'last-out' })])
    expect((await client.get(paths.status)).data.toString()).toBe('0')
    expectExactlyOnce(sinkRecords(sink))
  })

  it('takes over after SIGKILL once the session expires: every id exactly once, lastCommit never backwards', async () => {
    const task = 'sigkill'
    const paths = taskPaths(ROOT, task)
    const sink = join(dir, `${task}.log`)
    const workers = await startGroup(task, sink, 3)
    const [old, ...standbys] = workers as [WorkerProcess, WorkerProcess, WorkerProcess]
    await old.waitFor(commitAtLeast(5), 'commit 5', 60_000)

    const killedAt = Date.now()
    old.kill('SIGKILL')
    await old.exited
    const { w: successor, e: takeover } = await nextPrimary(standbys)
    // The crashed primary's node stays until its session expires.
    expect(takeover.time - killedAt).toBeGreaterThanOrEqual(SESSION_TIMEOUT * 0.75)
    expect(successor).toBe(standbys[0]) // the second in line, whose predecessor was the primary

    const reconciled = await successor.waitForType('worker.reconciled', 30_000)
    const firstCommit = await successor.waitFor((e) => e.type === 'worker.commit', 'first commit', 30_000)
    expect(firstCommit.id).toBe((reconciled.lastCommit as number) + 1)
    await successor.waitFor(commitAtLeast((firstCommit.id as number) + 3), 'three more commits', 60_000)

    const other = standbys.find((w) => w !== successor)!
    expect(lastRole(other)).toBe('standby')
    expect(other.ofType('worker.work')).toEqual([])

    expectCommitsIncrease([old, successor])
    const records = sinkRecords(sink)
    expectExactlyOnce(records)
    expect(records.filter((r) => r.worker === 1).every((r) => r.time < takeover.time)).toBe(true)
    const { value } = await readNumber(paths.lastCommit)
    expect(value).toBeGreaterThanOrEqual(records.at(-1)!.id)
  })

  it('fences a primary paused past its session timeout: after SIGCONT it neither commits nor records, and re-registers as standby', async () => {
    const task = 'paused'
    const paths = taskPaths(ROOT, task)
    const sink = join(dir, `${task}.log`)
    const [old, standby] = (await startGroup(task, sink, 2)) as [WorkerProcess, WorkerProcess]
    await old.waitFor(commitAtLeast(3), 'commit 3', 60_000)
    const firstSession = old.ofType('worker.connected')[0].sessionId

    // A "GC pause" longer than the session timeout: the standby takes over meanwhile.
    process.kill(old.pid, 'SIGSTOP')
    const takeover = await standby.waitFor(isPrimary, 'standby takes over', 60_000)
    await standby.waitFor((e) => e.type === 'worker.commit', 'successor commits', 30_000)
    const resumedAt = Date.now()
    process.kill(old.pid, 'SIGCONT')

    // It steps down and comes back as a standby on a new session and node. Usually it learns that its
    // session expired; the server may have sent its own node's deletion (the expiry removes it, and its
    // exists watch fires) before closing the socket, and that notification is read first; if a commit
    // reply was already in before the pause, the lease refuses that record first and it gives the
    // session up itself.
    const stepDown = await old.waitFor(
      (e) => e.type === 'worker.role' && e.role === 'standby' && e.reason !== undefined,
      'step down',
      60_000,
    )
    expect(['expired', 'node-deleted', 'lease']).toContain(stepDown.reason)
    await old.waitFor(
      (e) =>
        e.type === 'worker.connection' &&
        e.sessionId === firstSession &&
        (e.state === 'expired' || e.state === 'closed'),
      'first session over',
      30_000,
    )
    const renewed = await old.waitFor(
      (e) => e.type === 'worker.connected' && e.replaced === true,
      'new session',
      60_000,
    )
    expect(renewed.sessionId).not.toBe(firstSession)
    await old.waitFor((e) => e.type === 'worker.watching', 'watches as a standby', 30_000)
    expect(old.ofType('worker.registered')).toHaveLength(2)
    const successorNode = standby.ofType('worker.registered')[0].node as string
    expect(old.ofType('worker.watching').at(-1)).toMatchObject({ predecessor: successorNode })
    expect(lastRole(old)).toBe('standby')

    const before = (standby.ofType('worker.commit').at(-1)!.id as number) + 3
    await standby.waitFor(commitAtLeast(before), 'successor keeps committing', 30_000)

    // Nothing recorded by the old primary after it resumed. A commit reported after the resume can only be
    // a reply that was already on its way before the pause; then the lease check refused the record.
    expect(old.events.filter((e) => e.type === 'worker.work' && e.time >= resumedAt)).toEqual([])
    const lateCommits = old.events.filter((e) => e.type === 'worker.commit' && e.time >= resumedAt)
    expect(lateCommits.length).toBeLessThanOrEqual(1)
    for (const late of lateCommits) {
      expect(
        old.events.find((e) => e.type === 'worker.fenced' && e.id === late.id && e.reason === 'lease'),
      ).toBeDefined()
    }
    const records = sinkRecords(sink)
    expectExactlyOnce(records)
    expect(records.filter((r) => r.worker === 1).every((r) => r.time < takeover.time)).toBe(true)
    expect(records.filter((r) => r.worker === 1).every((r) => r.session === firstSession)).toBe(true)
    expectCommitsIncrease([old, standby])
    expect((await readNumber(paths.lastCommit)).value).toBeGreaterThanOrEqual(records.at(-1)!.id)
    expect(old.otherLines).toEqual([])
  })

  it('refuses to record a commit whose lease ran out while the process stalled; the successor records that id once', async () => {
    const task = 'stalled'
    const sink = join(dir, `${task}.log`)
    // The worst moment for a pause: the commit of 8 is in, its record not yet written (see the hook in recipe.ts).
    process.env.ZKLAB_RECIPE_STALL_AFTER_COMMIT = '8:8000'
    let old: WorkerProcess
    try {
      old = startWorker(task, 1, sink)
    } finally {
      delete process.env.ZKLAB_RECIPE_STALL_AFTER_COMMIT
    }
    await old.waitFor(isPrimary, 'primary', 30_000)
    const standby = startWorker(task, 2, sink)
    await standby.waitForType('worker.watching', 30_000)

    const fenced = await old.waitFor((e) => e.type === 'worker.fenced', 'fenced', 60_000)
    expect(fenced).toMatchObject({ id: 8, reason: 'lease' })
    expect(old.ofType('worker.commit').at(-1)).toMatchObject({ id: 8 })
    const reconciled = await standby.waitForType('worker.reconciled', 30_000)
    expect(reconciled).toMatchObject({ lastCommit: 8, sinkLast: 7, appended: [8] })
    const stepDown = await old.waitFor((e) => e.type === 'worker.role' && e.reason !== undefined, 'step down', 30_000)
    expect(stepDown).toMatchObject({ role: 'standby', reason: 'lease' })
    await old.waitFor((e) => e.type === 'worker.watching', 'old primary is a standby again', 30_000)
    await standby.waitFor(commitAtLeast(11), 'successor commits', 30_000)

    expect(old.ofType('worker.work').map((e) => e.id)).toEqual([1, 2, 3, 4, 5, 6, 7])
    const records = sinkRecords(sink)
    expectExactlyOnce(records)
    expect(records[7]).toMatchObject({ id: 8, worker: 2, reconciled: true })
    expectCommitsIncrease([old, standby])
  })

  it('suspends work while cut off, resumes on the same session, and steps down after a partition longer than the session timeout', async () => {
    const TIMEOUT = 6000 // the client gives up a silent connection after 2/3 of it, leaving room to heal in time
    const task = 'partition'
    const sink = join(dir, `${task}.log`)
    const link = new CuttableLink(Number(zk.connect.split(':')[1]))
    const linked = await link.start()
    try {
      const old = startProgram('task-worker', [
        '--connect',
        linked,
        '--task',
        task,
        '--worker-id',
        '1',
        '--sink',
        sink,
        '--commit-interval',
        String(COMMIT_INTERVAL),
        '--session-timeout',
        String(TIMEOUT),
        '--strategy',
        'recipe',
      ])
      await old.waitFor(isPrimary, 'primary', 30_000)
      const standby = startWorker(task, 2, sink, TIMEOUT)
      await standby.waitForType('worker.watching', 30_000)
      await old.waitFor(commitAtLeast(3), 'commit 3', 30_000)
      const session = old.ofType('worker.connected')[0].sessionId

      // Short cut: suspended as soon as the client notices, healed at once, back on the same session.
      link.partition()
      const suspended = await old.waitForType('worker.suspended', 30_000)
      link.heal()
      const resumed = await old.waitForType('worker.resumed', 30_000)
      expect(resumed.sessionId).toBe(session)
      const afterResume = await old.waitFor(
        (e) => e.type === 'worker.commit' && e.time > resumed.time,
        'commits again',
        30_000,
      )
      const idle = old.events.filter(
        (e) =>
          (e.type === 'worker.commit' || e.type === 'worker.work') && e.time > suspended.time && e.time < resumed.time,
      )
      expect(idle).toEqual([])
      expect(afterResume.id).toBe(
        (old
          .ofType('worker.commit')
          .filter((e) => e.time < suspended.time)
          .at(-1)!.id as number) + 1,
      )
      expect(standby.ofType('worker.role').every((e) => e.role === 'standby')).toBe(true)

      // Long cut: the session expires, the standby takes over; after the heal the old primary steps down.
      const from = old.events.length
      link.partition()
      const suspendedAgain = await old.waitForType('worker.suspended', 30_000, from)
      const takeover = await standby.waitFor(isPrimary, 'standby takes over', 60_000)
      await standby.waitFor((e) => e.type === 'worker.commit', 'successor commits', 30_000)
      link.heal()
      const stepDown = await old.waitFor(
        (e) => e.type === 'worker.role' && e.reason !== undefined,
        'step down',
        60_000,
        from,
      )
      expect(stepDown).toMatchObject({ role: 'standby', reason: 'expired' })
      await old.waitFor((e) => e.type === 'worker.watching', 'watches as a standby', 30_000, from)
      expect(
        old.events
          .slice(from)
          .filter((e) => (e.type === 'worker.commit' || e.type === 'worker.work') && e.time > suspendedAgain.time),
      ).toEqual([])

      const records = sinkRecords(sink)
      expectExactlyOnce(records)
      expect(records.filter((r) => r.worker === 1).every((r) => r.time < takeover.time)).toBe(true)
      expectCommitsIncrease([old, standby])
    } finally {
      await killAllPrograms()
      await link.close()
    }
  })

  it('reconciles at takeover: ids committed but never recorded are recorded once, then work continues', async () => {
    const task = 'reconcile'
    const paths = taskPaths(ROOT, task)
    const sink = join(dir, `${task}.log`)
    // A primary that crashed between its commits and their records: lastCommit says 3, the sink is empty.
    expect((await runProgram('publisher', ['--connect', zk.connect, '--create', task])).exitCode).toBe(0)
    await client.set(paths.lastCommit, '3', -1)

    const w = startWorker(task, 1, sink)
    const reconciled = await w.waitForType('worker.reconciled', 30_000)
    expect(reconciled).toMatchObject({ lastCommit: 3, sinkLast: 0, appended: [1, 2, 3], fastForwardTo: null })
    await w.waitFor(commitAtLeast(6), 'commit 6', 30_000)
    const records = sinkRecords(sink)
    expectExactlyOnce(records)
    expect(records.slice(0, 3).every((r) => r.reconciled === true)).toBe(true)
    expect(records.slice(3).every((r) => r.reconciled === undefined && typeof r.version === 'number')).toBe(true)
    expect(w.ofType('worker.commit')[0]).toMatchObject({ id: 4 })
  })
})
