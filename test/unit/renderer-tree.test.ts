import { describe, expect, it } from 'vitest'
import type { WorkerView, ZnodeView } from '../../src/shared/lab-state.js'
import {
  ancestorsOf,
  buildChildIndex,
  compareSiblings,
  flattenTree,
  isExpandedWith,
  ownerOf,
} from '../../src/renderer/src/tree/tree-model.js'
import { znodeStat } from './helpers/znode-stat.js'

const stat = znodeStat

const PATHS = [
  '/customBackUp',
  '/customBackUp/tasks',
  '/customBackUp/tasks/task10',
  '/customBackUp/tasks/task2',
  '/customBackUp/tasks/task2/instance',
  '/customBackUp/tasks/task2/instance/server_3_0000000001',
  '/customBackUp/tasks/task2/instance/server_1_0000000002',
  '/customBackUp/tasks/task2/lastCommit',
  '/customBackUp/tasks/task2/status',
]

describe('buildChildIndex and flattenTree', () => {
  it('nests paths under their parents and sorts siblings naturally, sequential nodes by sequence', () => {
    const { index, roots } = buildChildIndex(PATHS)
    expect(roots).toEqual(['/customBackUp'])
    expect(index.get('/customBackUp/tasks')).toEqual(['/customBackUp/tasks/task2', '/customBackUp/tasks/task10'])
    // server_3 registered first (sequence 1): it is the would-be primary, so it comes first.
    expect(index.get('/customBackUp/tasks/task2/instance')).toEqual([
      '/customBackUp/tasks/task2/instance/server_3_0000000001',
      '/customBackUp/tasks/task2/instance/server_1_0000000002',
    ])
  })

  it('lists only the rows under expanded nodes, with depth and child counts', () => {
    const { index, roots } = buildChildIndex(PATHS)
    const rows = flattenTree(index, roots, (p) => p === '/customBackUp' || p === '/customBackUp/tasks')
    expect(rows.map((r) => [r.name, r.depth, r.childCount, r.expanded])).toEqual([
      ['customBackUp', 0, 1, true],
      ['tasks', 1, 2, true],
      ['task2', 2, 3, false],
      ['task10', 2, 0, false],
    ])
  })

  it('opens the seed layout down to instance by default, and honours the user toggling it', () => {
    const { index, roots } = buildChildIndex(PATHS)
    const rows = flattenTree(index, roots, isExpandedWith(new Set()))
    expect(rows.map((r) => r.name)).toContain('server_3_0000000001')
    const closed = flattenTree(index, roots, isExpandedWith(new Set(['/customBackUp/tasks/task2/instance'])))
    expect(closed.map((r) => r.name)).not.toContain('server_3_0000000001')
  })

  it('treats nodes whose parent is missing as roots', () => {
    const { roots } = buildChildIndex(['/a/b/c', '/a'])
    expect(roots).toEqual(['/a', '/a/b/c'])
  })

  it('handles 10,000 znodes quickly', () => {
    const many = ['/customBackUp', '/customBackUp/tasks', '/customBackUp/tasks/big', '/customBackUp/tasks/big/instance']
    for (let i = 0; i < 10_000; i++)
      many.push(`/customBackUp/tasks/big/instance/server_${i}_${String(i).padStart(10, '0')}`)
    const started = performance.now()
    const { index, roots } = buildChildIndex(many)
    const rows = flattenTree(index, roots, isExpandedWith(new Set()))
    const elapsed = performance.now() - started
    expect(rows).toHaveLength(10_004)
    expect(rows[4].name).toBe('server_0_0000000000')
    // Generous for a loaded 2-core machine; typically a few tens of ms.
    expect(elapsed).toBeLessThan(2000)
  })

  it('compares sequential siblings by sequence, not by worker id', () => {
    expect(compareSiblings('/i/server_9_0000000001', '/i/server_1_0000000002')).toBeLessThan(0)
  })

  it('lists ancestors up to the root', () => {
    expect(ancestorsOf('/a/b/c')).toEqual(['/a/b', '/a'])
  })
})

describe('ownerOf', () => {
  const worker = (name: string, sessionId: string | undefined, startedAt = 0): WorkerView => ({
    name,
    task: 't',
    workerId: 1,
    strategy: 'seed',
    role: 'standby',
    status: 'running',
    commits: 0,
    sessions: [],
    sessionId,
    startedAt,
  })
  const node = (owner: string): ZnodeView => ({ path: '/x', data: '', stat: stat(owner) })

  it('matches the ephemeral owner to the worker holding that session, whatever the hex spelling', () => {
    const workers = { a: worker('a', '100001b6b7d0005'), b: worker('b', '0x100001b6b7d0004') }
    expect(ownerOf(node('100001b6b7d0004'), workers)?.name).toBe('b')
    expect(ownerOf(node('0x0100001B6B7D0005'), workers)?.name).toBe('a')
  })

  it('has no owner for persistent nodes or unknown sessions', () => {
    const workers = { a: worker('a', '1') }
    expect(ownerOf(node('0'), workers)).toBeUndefined()
    expect(ownerOf(node('ff'), workers)).toBeUndefined()
  })
})
