/** The publisher (the seed's "server" process) against a real ZooKeeper. */
import { describe, expect, it } from 'vitest'
import { CreateMode, type ZkClient } from '../../src/worker/common/zk.js'
import { taskPaths } from '../../src/worker/common/paths.js'
import { useStandaloneZk, type StandaloneZk } from './helpers/standalone-zk.js'
import { runProgram } from './helpers/worker-process.js'
import { anyNumber, stringContaining } from '../matchers.js'

let zk: StandaloneZk
let client: ZkClient

useStandaloneZk((started, connected) => {
  zk = started
  client = connected
})

const dataOf = async (path: string) => (await client.get(path)).data.toString('utf8')

describe('publisher', () => {
  it('creates a task with its three children; two publishers at once both succeed', async () => {
    const root = '/race'
    const args = ['--connect', zk.connect, '--root', root, '--create', 'task01']
    const [a, b] = await Promise.all([runProgram('publisher', args), runProgram('publisher', args)])
    expect([a.exitCode, b.exitCode]).toEqual([0, 0])
    const types = [a.events[0].type, b.events[0].type].sort()
    expect(types).toEqual(['publisher.created', 'publisher.exists'])
    for (const p of [a, b]) {
      expect(p.events).toHaveLength(1)
      expect(p.events[0]).toMatchObject({ task: 'task01', path: `${root}/tasks/task01`, time: anyNumber() })
    }
    const paths = taskPaths(root, 'task01')
    expect((await client.getChildren(paths.task)).sort()).toEqual(['instance', 'lastCommit', 'status'])
    expect(await dataOf(paths.lastCommit)).toBe('0')
    expect(await dataOf(paths.status)).toBe('0')
    expect(await client.getChildren(paths.instance)).toEqual([])
  })

  it('repeats a race of several publishers and always ends with a complete task', async () => {
    for (let round = 0; round < 3; round++) {
      const task = `round${round}`
      const args = ['--connect', zk.connect, '--create', task]
      const runs = await Promise.all([0, 1, 2].map(() => runProgram('publisher', args)))
      expect(runs.map((r) => r.exitCode)).toEqual([0, 0, 0])
      expect(runs.filter((r) => r.events[0]?.type === 'publisher.created')).toHaveLength(1)
      expect((await client.getChildren(taskPaths('/customBackUp', task).task)).sort()).toEqual([
        'instance',
        'lastCommit',
        'status',
      ])
    }
  })

  it('deletes a task recursively, registered workers included, and tolerates a missing one', async () => {
    const paths = taskPaths('/customBackUp', 'doomed')
    expect((await runProgram('publisher', ['--connect', zk.connect, '--create', 'doomed'])).exitCode).toBe(0)
    await client.create(`${paths.instance}/server_1_`, '', CreateMode.EPHEMERAL_SEQUENTIAL)
    await client.create(`${paths.instance}/server_2_`, '', CreateMode.EPHEMERAL_SEQUENTIAL)

    const deleted = await runProgram('publisher', ['--connect', zk.connect, '--delete', 'doomed'])
    expect(deleted.exitCode).toBe(0)
    expect(deleted.events[0]).toMatchObject({ type: 'publisher.deleted', task: 'doomed', existed: true })
    expect(await client.exists(paths.task)).toBeNull()
    expect(await client.exists(paths.tasks)).not.toBeNull()

    const again = await runProgram('publisher', ['--connect', zk.connect, '--delete', 'doomed'])
    expect(again.exitCode).toBe(0)
    expect(again.events[0]).toMatchObject({ type: 'publisher.deleted', task: 'doomed', existed: false })
  })

  it.each([
    ['', 'must not be empty'],
    ['a/b', 'must not contain "/"'],
    ['..', 'must not be "." or ".."'],
    ['.', 'must not be "." or ".."'],
    ['x'.repeat(65), 'at most 64 characters'],
    ['tab\there', 'control characters'],
    ['a b', 'may only contain letters, digits'],
    ['tâche', 'may only contain letters, digits'],
  ])('rejects the task name %j with exit 2 and one line naming the rule', async (name, rule) => {
    const p = await runProgram('publisher', ['--connect', zk.connect, '--create', name])
    expect(p.exitCode).toBe(2)
    expect(p.events).toEqual([])
    const lines = p.stderr.split('\n').filter((l) => l !== '')
    expect(lines).toHaveLength(1)
    expect(lines[0]).toContain('--create')
    expect(lines[0]).toContain(rule)
  })

  it('rejects a missing or double action, and fails with exit 1 when ZooKeeper is unreachable', async () => {
    const none = await runProgram('publisher', ['--connect', zk.connect])
    expect(none.exitCode).toBe(2)
    const both = await runProgram('publisher', ['--connect', zk.connect, '--create', 'a', '--delete', 'a'])
    expect(both.exitCode).toBe(2)
    expect(both.stderr).toMatch(/--create/)

    const unreachable = await runProgram('publisher', [
      '--connect',
      '127.0.0.1:1',
      '--connect-timeout',
      '1500',
      '--create',
      'a',
    ])
    expect(unreachable.exitCode).toBe(1)
    expect(unreachable.events.at(-1)).toMatchObject({
      type: 'publisher.error',
      level: 'error',
      message: stringContaining('127.0.0.1:1'),
    })
  })
})
