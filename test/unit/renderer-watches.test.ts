import { describe, expect, it } from 'vitest'
import type { WatchEdge } from '../../src/shared/events.js'
import type { LabState, WorkerView } from '../../src/shared/lab-state.js'
import { znodeStat } from './helpers/znode-stat.js'
import { edgePath, sessionRows, shortPath, watchGraph, ROW } from '../../src/renderer/src/watches/watch-model.js'
import { herdOfFailover, parseFailovers } from '../../src/renderer/src/experiments/checker-model.js'

const ROOT = '/customBackUp/tasks'
const node = (id: number, seq: number) => `server_${id}_${String(seq).padStart(10, '0')}`

function worker(task: string, id: number, strategy: string, role: WorkerView['role'], seq: number): WorkerView {
  return {
    name: `worker-${task}-${id}`,
    task,
    workerId: id,
    strategy,
    role,
    status: 'running',
    node: node(id, seq),
    sessions: [],
    commits: 0,
  }
}

function graphState(edges: WatchEdge[]): LabState['watches'] {
  const counts: Record<string, number> = {}
  for (const e of edges) counts[e.path] = (counts[e.path] ?? 0) + 1
  return { time: 1, edges, counts, totals: [] }
}

describe('the watch graph as drawn', () => {
  // Seed: three standbys on the whole instance list. Recipe: each standby on its predecessor.
  const workers: Record<string, WorkerView> = {}
  for (let i = 1; i <= 4; i++) {
    workers[`worker-seed-${i}`] = worker('seed', i, 'seed', i === 1 ? 'primary' : 'standby', i - 1)
    workers[`worker-chain-${i}`] = worker('chain', i, 'recipe', i === 1 ? 'primary' : 'standby', i - 1)
  }
  const edges: WatchEdge[] = [
    ...[2, 3, 4].map((i) => ({
      session: `s${i}`,
      worker: `worker-seed-${i}`,
      path: `${ROOT}/seed/instance`,
      server: 'zk-1',
      kind: 'child' as const,
      inferred: true as const,
    })),
    {
      session: 'c1',
      worker: 'worker-chain-1',
      path: `${ROOT}/chain/instance`,
      server: 'zk-1',
      kind: 'child',
      inferred: true,
    },
    ...[4, 2, 3].map((i) => ({
      session: `c${i}`,
      worker: `worker-chain-${i}`,
      path: `${ROOT}/chain/instance/${node(i - 1, i - 2)}`,
      server: 'zk-1',
      kind: 'data' as const,
    })),
    { session: 'ff', path: `${ROOT}/chain/lastCommit`, server: 'zk-1', kind: 'data' },
    // The recipe also watches its own node.
    {
      session: 'c2',
      worker: 'worker-chain-2',
      path: `${ROOT}/chain/instance/${node(2, 1)}`,
      server: 'zk-1',
      kind: 'data',
    },
  ]
  const graphs = watchGraph(graphState(edges), workers)
  const seed = graphs.find((g) => g.task === 'seed')!
  const chain = graphs.find((g) => g.task === 'chain')!

  it('groups by task, every live worker on the left, even one that watches nothing', () => {
    expect(graphs.map((g) => g.task)).toEqual(['chain', 'seed'])
    expect(seed.workers.map((w) => w.name)).toEqual([1, 2, 3, 4].map((i) => `worker-seed-${i}`))
    expect(seed.workers[0].role).toBe('primary')
  })

  it("draws the seed's fan-in: three inferred child watches on one path", () => {
    expect(seed.paths).toHaveLength(1)
    expect(seed.paths[0]).toMatchObject({ label: 'instance', count: 3 })
    expect(seed.edges.every((e) => e.kind === 'child' && e.inferred && e.toY === seed.paths[0].y)).toBe(true)
  })

  it("draws the recipe's chain: one data watch per predecessor, in election order, with its owner", () => {
    const preds = chain.paths.filter((p) => p.path.includes('/instance/'))
    expect(preds.map((p) => p.label)).toEqual(['instance/server_1_…0', 'instance/server_2_…1', 'instance/server_3_…2'])
    expect(preds.map((p) => p.owner)).toEqual(['worker-chain-1', 'worker-chain-2', 'worker-chain-3'])
    expect(preds.map((p) => p.count)).toEqual([1, 2, 1])
    expect(chain.paths[0].label).toBe('instance')
    const own = chain.edges.filter((e) => e.own)
    expect(own.map((e) => [e.worker, e.path])).toEqual([['worker-chain-2', `${ROOT}/chain/instance/${node(2, 1)}`]])
    const data = chain.edges.filter((e) => e.kind === 'data' && !e.own && e.path.includes('/instance/'))
    expect(data.map((e) => e.worker).sort()).toEqual(['worker-chain-2', 'worker-chain-3', 'worker-chain-4'])
    // A session of no worker (the lab's observer) is left out, and said to be.
    expect(chain.workers.map((w) => w.name)).not.toContain('session 0xff')
    expect(chain.hidden).toBe(1)
  })

  it('lists workers in election order: the chain reads top to bottom', () => {
    const late = { ...workers, 'worker-chain-1': { ...workers['worker-chain-1'], node: node(1, 9) } }
    const g = watchGraph(graphState(edges), late).find((x) => x.task === 'chain')!
    expect(g.workers.map((w) => w.name)).toEqual([
      'worker-chain-2',
      'worker-chain-3',
      'worker-chain-4',
      'worker-chain-1',
    ])
  })

  it('draws the clients that are no worker when asked, named by their session', () => {
    const all = watchGraph(graphState(edges), workers, { others: true }).find((g) => g.task === 'chain')!
    expect(all.workers.map((w) => w.name)).toContain('session 0xff')
    expect(all.hidden).toBe(0)
    // Paths: the task's own nodes before the instance children.
    expect(all.paths.map((p) => p.label).slice(0, 2)).toEqual(['instance', 'lastCommit'])
    expect(all.paths[1].count).toBe(1)
  })

  it('counts only the watches drawn, with the total kept for the tooltip', () => {
    const withObserver = [
      ...edges,
      { session: 'ff', path: `${ROOT}/seed/instance`, server: 'zk-1', kind: 'data' as const },
    ]
    const instance = watchGraph(graphState(withObserver), workers).find((g) => g.task === 'seed')!.paths[0]
    expect(instance).toMatchObject({ count: 3, total: 4 })
  })

  it('lays rows out within the height, edges from worker row to path row', () => {
    for (const g of graphs) {
      for (const y of [...g.workers.map((w) => w.y), ...g.paths.map((p) => p.y)]) {
        expect(y).toBeGreaterThan(0)
        expect(y).toBeLessThan(g.height)
      }
      expect(g.height).toBe(Math.max(g.workers.length, g.paths.length) * ROW)
    }
    const e = seed.edges[0]
    expect(edgePath(e)).toMatch(new RegExp(`^M \\d+ ${e.fromY} C .* ${e.toY}$`))
  })

  it('shows nothing without watches or live workers', () => {
    expect(watchGraph(undefined, {})).toEqual([])
  })

  it('shortens paths relative to their task', () => {
    expect(shortPath(`${ROOT}/t1/instance/server_3_0000000012`)).toBe('instance/server_3_…12')
    expect(shortPath(`${ROOT}/t1`)).toBe('(task)')
    expect(shortPath('/customBackUp')).toBe('/customBackUp')
  })
})

describe('the sessions table', () => {
  it("lists workers' sessions first, by worker number, unknown clients last", () => {
    const rows = sessionRows({
      time: 1,
      connections: [
        { server: 'zk-1', client: '127.0.0.1:5', session: 'aa', outstanding: 0 },
        {
          server: 'zk-1',
          client: '127.0.0.1:4',
          session: 'b2',
          worker: 'worker-t-10',
          outstanding: 2,
          timeoutMs: 4000,
        },
        {
          server: 'zk-1',
          client: '127.0.0.1:3',
          session: 'b1',
          worker: 'worker-t-2',
          outstanding: 0,
          establishedAt: 7,
        },
      ],
    })
    expect(rows.map((r) => r.session)).toEqual(['b1', 'b2', 'aa'])
    expect(rows[1]).toMatchObject({ queued: 2, timeoutMs: 4000, client: '127.0.0.1:4' })
    expect(rows[0].establishedAt).toBe(7)
    expect(rows.map((r) => [r.watches, r.ephemeral])).toEqual([
      [0, []],
      [0, []],
      [0, []],
    ])
    expect(sessionRows(undefined)).toEqual([])
  })

  it('gives each session its last operation, its watches in the graph and the ephemeral nodes it owns', () => {
    const node = '/customBackUp/tasks/t/instance/server_2_0000000001'
    const rows = sessionRows(
      {
        time: 1,
        connections: [
          {
            server: 'zk-1',
            client: '127.0.0.1:3',
            session: 'b1',
            worker: 'worker-t-2',
            outstanding: 0,
            lastOp: 'EXIS',
          },
          { server: 'zk-1', client: '127.0.0.1:5', session: 'aa', outstanding: 0 },
        ],
      },
      {
        time: 1,
        edges: [
          {
            session: 'b1',
            worker: 'worker-t-2',
            path: '/customBackUp/tasks/t/instance',
            server: 'zk-1',
            kind: 'child',
            inferred: true,
          },
          { session: 'aa', path: node, server: 'zk-1', kind: 'data' },
          { session: 'aa', path: '/customBackUp/tasks/t/status', server: 'zk-1', kind: 'data' },
        ],
        counts: {},
        totals: [],
      },
      // The tree writes the owner as ZooKeeper's Stat does: 0x and leading zeros.
      { [node]: { path: node, stat: znodeStat('0x00b1') } },
    )
    expect(rows.map((r) => [r.session, r.lastOp, r.watches, r.ephemeral])).toEqual([
      ['b1', 'EXIS', 1, [node]],
      ['aa', undefined, 2, []],
    ])
  })
})

describe('the herd of a failover', () => {
  const report = parseFailovers([
    {
      task: 't1',
      fault: 'kill',
      from: 'worker-t1-1',
      faultTime: 10_000,
      steps: {},
      herd: {
        woken: 2,
        source: 'workers',
        workers: [
          { worker: 'worker-t1-2', watchAt: 4100, path: '/x', reactedMs: 12, did: 'primary' },
          { worker: 'worker-t1-3', watchAt: 4102, path: '/x' },
          { worker: 42 },
        ],
      },
    },
    { task: 't1', fault: 'kill', from: 'worker-t1-2', faultTime: 50_000, steps: {}, herd: { woken: 'x' } },
  ])

  it('keeps well-formed herds from the report', () => {
    expect(report[0].herd?.workers).toEqual([
      { worker: 'worker-t1-2', watchAt: 4100, path: '/x', reactedMs: 12, did: 'primary' },
      { worker: 'worker-t1-3', watchAt: 4102, path: '/x' },
    ])
    expect(report[1].herd).toBeUndefined()
  })

  it('finds the herd of a live failover by task, primary and fault time', () => {
    expect(herdOfFailover({ task: 't1', from: 'worker-t1-1', faultTime: 10_300 }, report)?.woken).toBe(2)
    expect(herdOfFailover({ task: 't1', from: 'worker-t1-1', faultTime: 20_000 }, report)).toBeUndefined()
    expect(herdOfFailover({ task: 't2', from: 'worker-t1-1', faultTime: 10_000 }, report)).toBeUndefined()
    expect(herdOfFailover({ task: 't1', from: 'worker-t1-1', faultTime: 10_000 }, undefined)).toBeUndefined()
  })
})
