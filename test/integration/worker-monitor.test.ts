/** The monitor against a real ZooKeeper: alerts raised once, cleared once, tasks coming and going. */
import { describe, expect, it } from 'vitest'
import { CreateMode, type ZkClient } from '../../src/worker/common/zk.js'
import { taskPaths } from '../../src/worker/common/paths.js'
import { useStandaloneZk, type StandaloneZk } from './helpers/standalone-zk.js'
import { runProgram, startProgram, type ChildEvent, type WorkerProcess } from './helpers/worker-process.js'
import { stringContaining } from '../matchers.js'

let zk: StandaloneZk
let client: ZkClient

useStandaloneZk((started, connected) => {
  zk = started
  client = connected
})

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
const publish = async (root: string, task: string) =>
  expect((await runProgram('publisher', ['--connect', zk.connect, '--root', root, '--create', task])).exitCode).toBe(0)
const is = (type: string, task: string, kind?: string) => (e: ChildEvent) =>
  e.type === type && e.task === task && (kind === undefined || e.kind === kind)
const count = (m: WorkerProcess, type: string, task: string, kind?: string) =>
  m.events.filter(is(type, task, kind)).length

describe('monitor', () => {
  it('alerts status-stopped and no-instance once while they last, and clears them', async () => {
    const root = '/mon1'
    await publish(root, 'task01')
    const paths = taskPaths(root, 'task01')
    const monitor = startProgram('monitor', ['--connect', zk.connect, '--root', root, '--commit-interval', '300'])

    await monitor.waitFor(is('monitor.watching', 'task01'), 'watching task01')
    await monitor.waitFor((e) => is('monitor.status', 'task01')(e) && e.value === '0', 'status 0')
    const alert = await monitor.waitFor(is('monitor.alert', 'task01', 'status-stopped'), 'status-stopped alert')
    expect(alert).toMatchObject({ level: 'warn', message: stringContaining('"0"') })
    await monitor.waitFor(is('monitor.alert', 'task01', 'no-instance'), 'no-instance alert')

    // status written "0" again: the condition persists, no second alert
    await client.set(paths.status, '0', -1)
    await client.set(paths.status, '1', -1)
    await monitor.waitFor(is('monitor.cleared', 'task01', 'status-stopped'), 'status-stopped cleared')
    expect(count(monitor, 'monitor.alert', 'task01', 'status-stopped')).toBe(1)
    expect(monitor.events.filter((e) => is('monitor.status', 'task01')(e)).map((e) => e.value)).toEqual(
      expect.arrayContaining(['0', '1']),
    )

    // Marked before the write: the alert may arrive before the write's own reply does.
    const mark = monitor.events.length
    await client.set(paths.status, '0', -1)
    await monitor.waitFor(is('monitor.alert', 'task01', 'status-stopped'), 'status-stopped again', 30_000, mark)

    // a worker registers: no-instance cleared; no commit follows: commit-stalled after 3 × 300 ms
    await client.create(`${paths.instance}/server_1_`, '', CreateMode.EPHEMERAL_SEQUENTIAL)
    await monitor.waitFor(is('monitor.cleared', 'task01', 'no-instance'), 'no-instance cleared')
    const stalled = await monitor.waitFor(is('monitor.alert', 'task01', 'commit-stalled'), 'commit-stalled')
    expect(stalled.message).toMatch(/lastCommit unchanged/)
    await sleep(1000)
    expect(count(monitor, 'monitor.alert', 'task01', 'commit-stalled')).toBe(1)
    await client.set(paths.lastCommit, '1', -1)
    await monitor.waitFor(is('monitor.cleared', 'task01', 'commit-stalled'), 'commit-stalled cleared')
    expect(monitor.otherLines).toEqual([])
  })

  it('watches tasks published later, stops watching deleted ones, and exits 0 on SIGTERM', async () => {
    const root = '/mon2' // does not exist yet
    const monitor = startProgram('monitor', ['--connect', zk.connect, '--root', root])
    await monitor.waitFor((e) => e.type === 'monitor.connection' && e.state === 'connected', 'connected')
    await sleep(500)
    await publish(root, 'late')
    await monitor.waitFor(is('monitor.watching', 'late'), 'watching late')
    await monitor.waitFor(is('monitor.alert', 'late', 'status-stopped'), 'alert on late')

    expect(
      (await runProgram('publisher', ['--connect', zk.connect, '--root', root, '--delete', 'late'])).exitCode,
    ).toBe(0)
    await monitor.waitFor(is('monitor.unwatched', 'late'), 'unwatched late')
    expect(monitor.events.filter(is('monitor.alert', 'late')).length).toBe(
      monitor.events.filter(is('monitor.cleared', 'late')).length,
    )

    // still alive and still watching
    await publish(root, 'later')
    await monitor.waitFor(is('monitor.watching', 'later'), 'watching later')
    expect(monitor.alive).toBe(true)
    expect(monitor.ofType('monitor.error')).toEqual([])

    monitor.kill('SIGTERM')
    expect((await monitor.exited).code).toBe(0)
  })

  it('rebuilds its watches after its session expired, without repeating standing alerts', async () => {
    const root = '/mon3'
    await publish(root, 'steady')
    await publish(root, 'revived')
    const monitor = startProgram('monitor', ['--connect', zk.connect, '--root', root, '--session-timeout', '2000'])
    await monitor.waitFor(is('monitor.alert', 'steady', 'status-stopped'), 'steady alert')
    await monitor.waitFor(is('monitor.alert', 'revived', 'status-stopped'), 'revived alert')

    process.kill(monitor.pid, 'SIGSTOP') // longer than the session timeout
    await client.set(taskPaths(root, 'revived').status, '1', -1)
    await new Promise((r) => setTimeout(r, 5000))
    const mark = monitor.events.length
    process.kill(monitor.pid, 'SIGCONT')

    await monitor.waitFor((e) => e.type === 'monitor.connection' && e.replaced === true, 'new session', 30_000, mark)
    await monitor.waitFor(is('monitor.cleared', 'revived', 'status-stopped'), 'revived cleared', 30_000, mark)
    await client.set(taskPaths(root, 'steady').status, '1', -1)
    await monitor.waitFor(
      is('monitor.cleared', 'steady', 'status-stopped'),
      'watching on the new session',
      30_000,
      mark,
    )
    expect(count(monitor, 'monitor.alert', 'steady', 'status-stopped')).toBe(1)
    expect(count(monitor, 'monitor.watching', 'steady')).toBe(1)
  })

  it('rejects bad flags with exit 2', async () => {
    const p = await runProgram('monitor', ['--connect', zk.connect, '--stall-intervals', '0'])
    expect(p.exitCode).toBe(2)
    expect(p.stderr).toMatch(/--stall-intervals/)
  })
})
