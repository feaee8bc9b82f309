/**
 * The lab end to end, headless: a real ZooKeeper, real seed workers, publisher, monitor and observer,
 * driven through the Lab facade the shells use. One session, several phases, because each phase
 * builds on what the previous left in ZooKeeper, as it would for a user.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  isEvent,
  LabEventTypes,
  MonitorEventTypes,
  WorkerEventTypes,
  type EventOf,
  type EventType,
  type LabEvent,
} from '../../src/shared/events.js'
import { LAB_ROOT, primariesOf, replay } from '../../src/shared/lab-state.js'
import { Lab } from '../../src/core/lab.js'
import { normalizeSessionId } from '../../src/core/txnlog/txn-log-file.js'
import { readJournal } from '../../src/core/journal/journal.js'
import { analyzeSink } from '../../src/core/checker/sink.js'
import { readSink } from '../../src/core/session-folder/index.js'
import { settingsOfSpawned } from '../../src/shared/worker-launch/index.js'
import { isAlive, waitFor } from './helpers/wait.js'

const TASK = 'task01'
const SESSION_TIMEOUT = 4000
const COMMIT_INTERVAL = 300

describe('lab with the seed strategy (real ZooKeeper, real processes)', () => {
  let base: string
  let lab: Lab
  const events: LabEvent[] = []
  const task = () => lab.state.tasks[TASK]
  const primaries = () => primariesOf(lab.state, TASK).filter((w) => w.status === 'running')
  const workerEvents = <T extends EventType>(type: T, source?: string) =>
    events.filter((e): e is EventOf<T> => e.type === type && (!source || e.source === source))
  const commitsSince = (seq: number) => workerEvents(WorkerEventTypes.commit).filter((e) => e.seq > seq)

  /** Kills or stops the live primary and waits for another worker's first commit. */
  async function failOver(action: 'kill' | 'stop') {
    const [old] = primaries()
    expect(old).toBeDefined()
    const lastCommitBefore = Math.max(...workerEvents(WorkerEventTypes.commit).map((e) => Number(e.id)))
    const faultSeq = lab.state.lastSeq
    const faultTime = Date.now()
    await lab.processAction({ name: old.name, action })
    await waitFor(() => commitsSince(faultSeq).some((e) => e.source !== old.name), 60_000)
    const takeover = events.find(
      (e) => e.seq > faultSeq && e.type === WorkerEventTypes.role && e.role === 'primary' && e.source !== old.name,
    )!
    const firstCommit = commitsSince(faultSeq).find((e) => e.source === takeover.source)!
    return { old, takeover, firstCommit, lastCommitBefore, gapMs: takeover.time - faultTime }
  }

  beforeAll(async () => {
    base = mkdtempSync(join(tmpdir(), 'zklab-lab-'))
    lab = new Lab()
    lab.onEvent((e) => events.push(e))
    await lab.createSession({ name: 'lab-test', dir: join(base, 'session') })
    await lab.startZooKeeper({ tickTimeMs: 500 })
    await lab.publishTask({ task: TASK })
    await lab.addWorkers({ task: TASK, count: 3, commitIntervalMs: COMMIT_INTERVAL, sessionTimeoutMs: SESSION_TIMEOUT })
  })

  afterAll(async () => {
    const pids = workerEvents(LabEventTypes.processSpawned).map((e) => Number(e.pid))
    await lab?.dispose()
    // No process of the session is left behind: ZooKeeper's Java, workers, monitor, observer.
    expect(pids.filter(isAlive)).toEqual([])
    rmSync(base, { recursive: true, force: true })
  })

  it("elects exactly one primary among 3 workers, and the layout is the seed's", async () => {
    await waitFor(() => primaries().length === 1 && (task()?.lastCommit ?? 0) >= 2, 60_000)
    await waitFor(() => Object.values(lab.state.workers).filter((w) => w.role === 'standby').length === 2)
    expect(primaries()).toHaveLength(1)

    const tree = lab.state.tree
    const taskPath = `${LAB_ROOT}/tasks/${TASK}`
    expect(
      Object.keys(tree)
        .filter((p) => p.startsWith(taskPath + '/') && p.split('/').length === 5)
        .sort(),
    ).toEqual([`${taskPath}/instance`, `${taskPath}/lastCommit`, `${taskPath}/status`])
    const instances = Object.values(tree).filter((n) => n.path.startsWith(`${taskPath}/instance/`))
    expect(instances).toHaveLength(3)
    for (const node of instances) {
      expect(node.path).toMatch(/\/instance\/server_[123]_\d{10}$/)
      expect(node.stat.ephemeralOwner).not.toBe('0')
    }
    // The primary is the worker that owns the smallest sequence number.
    const smallest = [...task().instances].sort((a, b) => a.slice(-10).localeCompare(b.slice(-10)))[0]
    expect(primaries()[0].node).toBe(smallest)
    expect(tree[`${taskPath}/lastCommit`].data).toMatch(/^\d+$/)
  })

  it("records each worker's session as its proxy read it off the handshake: the one the worker reports", () => {
    for (const name of [1, 2, 3].map((id) => `worker-${TASK}-${id}`)) {
      const proxied = events.filter((e) => isEvent(e, LabEventTypes.clientSession)).find((e) => e.name === name)
      const reported = workerEvents(WorkerEventTypes.connected, name)[0]
      expect(proxied).toMatchObject({ source: 'lab', how: 'new', timeoutMs: SESSION_TIMEOUT })
      expect(proxied?.sessionId).toBe(normalizeSessionId(reported.sessionId))
      expect(lab.state.workers[name].sessions[0]).toMatchObject({ sessionId: proxied?.sessionId, how: 'new' })
    }
  })

  it("records each launch's program and settings in process.spawned, the same the command line decodes to", () => {
    const spawned = (name: string) =>
      events.filter((e) => isEvent(e, LabEventTypes.processSpawned)).find((e) => e.name === name)!
    expect(spawned(`worker-${TASK}-2`).settings).toMatchObject({
      program: 'task-worker',
      task: TASK,
      workerId: 2,
      strategy: 'seed',
      commitIntervalMs: COMMIT_INTERVAL,
      sessionTimeoutMs: SESSION_TIMEOUT,
      root: LAB_ROOT,
    })
    expect(spawned('monitor').settings).toMatchObject({
      program: 'monitor',
      sessionTimeoutMs: 10_000,
      stallIntervals: 3,
    })
    expect(spawned('observer').settings).toMatchObject({
      program: 'observer',
      root: LAB_ROOT,
      sessionTimeoutMs: 10_000,
    })
    expect(spawned('publisher-1').settings).toMatchObject({ program: 'publisher', create: TASK })
    for (const name of [`worker-${TASK}-1`, 'monitor', 'observer', 'publisher-1']) {
      const e = spawned(name)
      expect(settingsOfSpawned({ args: e.args })).toEqual(e.settings)
    }
  })

  it('refuses workers whose session timeout ZooKeeper would not grant with its tickTime, starting nothing', async () => {
    expect(lab.state.zookeeper.tickTimeMs).toBe(500)
    const spawnedBefore = workerEvents(LabEventTypes.processSpawned).length
    await expect(lab.addWorkers({ task: TASK, count: 1, sessionTimeoutMs: 12_000 })).rejects.toThrow(
      /addWorkers sessionTimeoutMs: .*1000–10000 ms, 2–20 ticks.*or a tickTime of 600–6000 ms/,
    )
    expect(workerEvents(LabEventTypes.processSpawned)).toHaveLength(spawnedBefore)
  })

  it("the monitor alerts when the status says stopped, here while the primary works (the seed's flapping)", async () => {
    // Every seed standby sets status "0" on any child event, a standby joining included, so the
    // status says stopped though the primary goes on committing.
    await lab.addWorkers({ task: TASK, count: 1, commitIntervalMs: COMMIT_INTERVAL, sessionTimeoutMs: SESSION_TIMEOUT })
    await waitFor(() => lab.state.alerts.some((a) => a.task === TASK && a.kind === 'status-stopped'), 30_000)
    const alert = events.find((e) => e.type === MonitorEventTypes.alert && e.kind === 'status-stopped')!
    expect(alert).toMatchObject({ task: TASK, source: 'monitor' })
    expect(lab.state.tasks[TASK].status).toBe('0')
    const seq = lab.state.lastSeq
    await waitFor(() => commitsSince(seq).length >= 2, 30_000)
    expect(primaries()).toHaveLength(1)
  })

  it('after SIGKILL of the primary another worker takes over once the session expires, from the old lastCommit', async () => {
    const { old, takeover, firstCommit, lastCommitBefore, gapMs } = await failOver('kill')
    expect(takeover.source).not.toBe(old.name)
    // The dead worker's ephemeral node goes only when ZooKeeper expires its session: at least the
    // part of the timeout left since its last heartbeat (a third of the timeout at most).
    expect(gapMs).toBeGreaterThanOrEqual(SESSION_TIMEOUT * 0.6)
    expect(Number(firstCommit.id)).toBeGreaterThanOrEqual(lastCommitBefore)
    expect(Number(firstCommit.id)).toBeLessThanOrEqual(lastCommitBefore + 1)
    expect(primaries()).toHaveLength(1)
  })

  it('after SIGTERM the seed worker does not close its session: the takeover still waits for the session timeout', async () => {
    const { old, gapMs } = await failOver('stop')
    const exiting = events.filter((e) => e.source === old.name && e.type === WorkerEventTypes.exiting)
    expect(exiting.at(-1)).toMatchObject({ sessionClosed: false })
    expect(gapMs).toBeGreaterThanOrEqual(SESSION_TIMEOUT * 0.6)
  })

  it('the tree survives a ZooKeeper restart and the workers carry on', async () => {
    const before = lab.state.tasks[TASK].lastCommit!
    const restartSeq = lab.state.lastSeq
    await lab.zooKeeperAction({ server: 1, action: 'restart' })
    await waitFor(() => lab.state.zookeeper.servers[0]?.state === 'running', 60_000)
    // Sessions live in ZooKeeper's snapshot, so the workers reconnect into them and go on committing.
    await waitFor(() => commitsSince(restartSeq).length >= 3, 60_000)
    const ids = commitsSince(restartSeq).map((e) => Number(e.id))
    expect(Math.min(...ids)).toBeGreaterThanOrEqual(before)
    await waitFor(() => (lab.state.tasks[TASK].lastCommit ?? 0) > before, 30_000)
    expect(lab.state.tree[`${LAB_ROOT}/tasks/${TASK}/instance`]).toBeDefined()
  })

  it('the sink holds every id from 1 up, and an id twice only where a kill landed between record and commit', async () => {
    const sinkPath = join(lab.sessionDir!, 'sinks', `${TASK}.log`)
    const analysis = analyzeSink(sinkPath)
    expect(analysis.records).toBeGreaterThan(5)
    expect(analysis.missing).toEqual([])
    expect(analysis.unreadable).toBe(0)
    // One SIGKILL and one SIGTERM hit a primary above: each can leave at most one id done twice.
    expect(analysis.duplicates.length).toBeLessThanOrEqual(2)
    const { records } = readSink(sinkPath)
    for (const dup of analysis.duplicates) {
      const first = records.find((r) => r.id === dup.id)!
      // The first record of a duplicated id is an old primary's last work, never committed.
      expect(
        workerEvents(WorkerEventTypes.commit).some(
          (e) => Number(e.id) === dup.id && e.source === `worker-${TASK}-${first.worker}`,
        ),
      ).toBe(false)
    }
  })

  it('the journal replays into the same state the lab holds', async () => {
    const { events: journalled, problems } = readJournal(join(lab.sessionDir!, 'events.jsonl'))
    expect(problems).toEqual([])
    expect(journalled.map((e) => e.seq)).toEqual(journalled.map((_, i) => i + 1))
    const replayed = replay(journalled)
    expect(replayed.tasks).toEqual(lab.state.tasks)
    expect(replayed.workers).toEqual(lab.state.workers)
    const session = JSON.parse(readFileSync(join(lab.sessionDir!, 'session.json'), 'utf8')) as {
      zookeeper: { connectString: string }
    }
    expect(session.zookeeper.connectString).toMatch(/^127\.0\.0\.1:\d+$/)
  })
})
