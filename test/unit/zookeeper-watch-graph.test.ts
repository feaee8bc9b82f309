/**
 * The watch words' parsers on answers recorded from Debian's ZooKeeper 3.8 (test/unit/fixtures/
 * zookeeper-4lw/*-3.8.txt: two sessions, `…0000` with child watches on `/customBackUp/t/instance`,
 * which 3.8 does not list, `…0001` with data/exists watches on three paths, one of them absent), and
 * the graph built from them: sessions mapped to workers, child watches inferred from roles.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { buildWatchGraph, MAX_WATCH_EDGES } from '../../src/core/zookeeper/watch-graph.js'
import { parseCons, parseWchc, parseWchp, parseWchs } from '../../src/core/zookeeper/watch-words.js'
import { applyEvent, emptyLabState, type LabState, type WorkerView } from '../../src/shared/lab-state.js'

const fixture = (name: string) => readFileSync(join(__dirname, 'fixtures', 'zookeeper-4lw', name), 'utf8')

describe('watch words (ZooKeeper 3.8)', () => {
  it('wchc lists each session with the paths it watches, ids in the lab form', () => {
    const watches = parseWchc(fixture('wchc-3.8.txt'))
    expect([...watches.entries()]).toEqual([
      ['10000417ac30001', ['/customBackUp/none', '/customBackUp/t', '/customBackUp/t/instance/w-0000000000']],
    ])
  })

  it('wchp lists each path with its sessions: the same watches turned around', () => {
    const byPath = parseWchp(fixture('wchp-3.8.txt'))
    expect(byPath.get('/customBackUp/t')).toEqual(['10000417ac30001'])
    expect(byPath.size).toBe(3)
    // The child watches of session …0000 are in neither list.
    expect([...byPath.values()].flat()).not.toContain('10000417ac30000')
  })

  it('wchs gives the totals', () => {
    expect(parseWchs(fixture('wchs-3.8.txt'))).toEqual({ connections: 1, paths: 3, watches: 3 })
    expect(() => parseWchs('This ZooKeeper instance is not currently serving requests\n')).toThrow(/wchs/)
  })

  it('cons gives each connection, with its session once it has one', () => {
    const connections = parseCons(fixture('cons-3.8.txt'))
    expect(connections).toHaveLength(3)
    expect(connections[0]).toEqual({
      client: '127.0.0.1:53052',
      outstanding: 0,
      received: 5,
      sent: 5,
      sessionId: '10000417ac30001',
      lastOp: 'EXIS',
      establishedAt: 1796686922439,
      timeoutMs: 4000,
    })
    expect(connections[1]).toEqual({ client: '127.0.0.1:53082', outstanding: 0, received: 1, sent: 0 })
  })
})

/** A running worker of task `t`; the fields a graph reads are given per test. */
function worker(name: string, fields: Partial<WorkerView>): WorkerView {
  const view = { name, task: 't', workerId: 1, status: 'running', commits: 0 } as const
  return { ...view, strategy: 'seed', role: 'standby', sessions: [], ...fields }
}

describe('the watch graph', () => {
  const state = (): Pick<LabState, 'workers' | 'tree'> => ({
    workers: {
      // Mapped by its proxy's handshake.
      a: worker('a', {
        strategy: 'recipe',
        role: 'standby',
        node: 'w-0000000001',
        sessions: [session('10000417ac30001')],
      }),
      // Mapped by its instance node's ephemeral owner only; a seed standby: a child watch inferred.
      b: worker('b', { strategy: 'seed', role: 'standby', node: 'w-0000000000' }),
      // A seed primary waits on no watch.
      c: worker('c', { strategy: 'seed', role: 'primary', node: 'w-0000000002' }),
    },
    tree: {
      '/customBackUp/tasks/t/instance/w-0000000000': {
        path: '/customBackUp/tasks/t/instance/w-0000000000',
        data: '',
        stat: { ephemeralOwner: '0x10000417ac30000' } as never,
      },
    },
  })

  const polls = [
    {
      server: 'zk-1',
      watches: new Map([
        ['10000417ac30001', ['/customBackUp/tasks/t/instance/w-0000000000', '/zookeeper/config']],
        ['10000417ac30000', ['/customBackUp/tasks/t/lastCommit']],
      ]),
      totals: { connections: 2, paths: 3, watches: 3 },
      connections: parseCons(fixture('cons-3.8.txt')),
    },
  ]

  it('keeps the lab root, maps sessions to workers and infers a seed standby child watch', () => {
    const { watches, sessions } = buildWatchGraph(polls, state())
    expect(watches.edges).toEqual([
      {
        session: '10000417ac30000',
        worker: 'b',
        path: '/customBackUp/tasks/t/instance',
        server: 'zk-1',
        kind: 'child',
        inferred: true,
      },
      {
        session: '10000417ac30001',
        worker: 'a',
        path: '/customBackUp/tasks/t/instance/w-0000000000',
        server: 'zk-1',
        kind: 'data',
      },
      {
        session: '10000417ac30000',
        worker: 'b',
        path: '/customBackUp/tasks/t/lastCommit',
        server: 'zk-1',
        kind: 'data',
      },
    ])
    expect(watches.counts).toEqual({
      '/customBackUp/tasks/t/instance': 1,
      '/customBackUp/tasks/t/instance/w-0000000000': 1,
      '/customBackUp/tasks/t/lastCommit': 1,
    })
    expect(watches.totals).toEqual([{ server: 'zk-1', connections: 2, paths: 3, watches: 3 }])
    expect(sessions.connections.map((c) => [c.session, c.worker, c.lastOp])).toEqual([
      ['10000417ac30000', 'b', 'GETC'],
      ['10000417ac30001', 'a', 'EXIS'],
    ])
  })

  it('caps the edges it carries but counts them all', () => {
    const many = new Map([['1', Array.from({ length: MAX_WATCH_EDGES + 5 }, (_, i) => `/customBackUp/n${i}`)]])
    const { watches } = buildWatchGraph([{ server: 'zk-1', watches: many, connections: [] }], { workers: {}, tree: {} })
    expect(watches.edges).toHaveLength(MAX_WATCH_EDGES)
    expect(watches.omitted).toBe(5)
    expect(Object.keys(watches.counts)).toHaveLength(MAX_WATCH_EDGES + 5)
  })

  it('the lab state keeps the latest graph and sessions', () => {
    const labState = emptyLabState()
    const { watches, sessions } = buildWatchGraph(polls, state())
    applyEvent(labState, { seq: 1, time: 10, source: 'lab', type: 'zookeeper.watches', ...watches })
    applyEvent(labState, { seq: 2, time: 11, source: 'lab', type: 'zookeeper.sessions', ...sessions })
    expect(labState.watches?.edges).toHaveLength(3)
    expect(labState.watches?.time).toBe(10)
    expect(labState.sessions?.connections).toHaveLength(2)
  })
})

function session(sessionId: string): WorkerView['sessions'][number] {
  return { sessionId, how: 'new', time: 0, timeoutMs: 4000, resumes: 0 }
}
