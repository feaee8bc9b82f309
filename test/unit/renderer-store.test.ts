import { afterEach, describe, expect, it } from 'vitest'
import type { LabEvent } from '../../src/shared/events.js'
import { emptyLabState, replay } from '../../src/shared/lab-state.js'
import { resetStore, useStore } from '../../src/renderer/src/app/store.js'
import { ingest, loadHistory, resetIngest } from '../../src/renderer/src/lab/ingest.js'
import { logBuffers, MERGED } from '../../src/renderer/src/logs/log-store.js'
import { timelineModel } from '../../src/renderer/src/timeline/timeline-store.js'
import { stringContaining } from '../matchers.js'
import { znodeStat } from './helpers/znode-stat.js'

let seq = 0
const ev = (source: string, type: string, fields: Record<string, unknown> = {}): LabEvent =>
  ({ seq: ++seq, time: 1000 + seq, source, type, ...fields }) as LabEvent
const spawned = (name: string, workerId: number) =>
  ev('lab', 'process.spawned', {
    name,
    kind: 'worker',
    pid: 100 + workerId,
    labels: { task: 't1', workerId, strategy: 'seed' },
  })
const stat = znodeStat

afterEach(() => {
  resetIngest()
  resetStore()
  seq = 0
})

describe('ingest', () => {
  it('applies a batch in one store update and skips events it has seen', () => {
    let updates = 0
    const off = useStore.subscribe(() => updates++)
    const batch = [
      spawned('w-1', 1),
      ev('w-1', 'worker.connected', { sessionId: 'abc' }),
      ev('w-1', 'worker.role', { role: 'primary', node: 'n' }),
    ]
    ingest(batch)
    off()
    expect(updates).toBe(1)
    expect(useStore.getState().workers['w-1']).toMatchObject({ role: 'primary', sessionId: 'abc', status: 'running' })
    const before = useStore.getState().logsVersion
    ingest(batch)
    expect(useStore.getState().logsVersion).toBe(before)
    expect(logBuffers.ring(MERGED)!.length).toBe(3)
  })

  it('gives a new reference only to the workers that changed', () => {
    ingest([spawned('w-1', 1), spawned('w-2', 2)])
    const { workers } = useStore.getState()
    ingest([ev('w-2', 'worker.role', { role: 'standby' })])
    const next = useStore.getState().workers
    expect(next['w-1']).toBe(workers['w-1'])
    expect(next['w-2']).not.toBe(workers['w-2'])
    expect(next['w-2'].role).toBe('standby')
  })

  it("shows an external worker's role as the lab reads it off ZooKeeper, in a later batch too", () => {
    ingest([
      ev('lab', 'process.spawned', {
        name: 'w-1',
        kind: 'external',
        pid: 101,
        labels: { task: 't1', workerId: 1, strategy: 'external' },
      }),
    ])
    expect(useStore.getState().workers['w-1']).toMatchObject({ role: 'starting', strategy: 'external' })
    // Said by the lab (source 'lab'), about the worker it names.
    ingest([
      ev('lab', 'external.role', {
        name: 'w-1',
        task: 't1',
        role: 'primary',
        node: 'server_1_0000000000',
        smallest: 'server_1_0000000000',
        sessionId: '10000abc',
        derivedFrom: 'zookeeper',
      }),
    ])
    expect(useStore.getState().workers['w-1']).toMatchObject({
      role: 'primary',
      node: 'server_1_0000000000',
      sessionId: '10000abc',
    })
  })

  it('mirrors the znode tree, its index and the change highlight', () => {
    ingest([
      ev('observer', 'znode.created', { path: '/customBackUp', stat: stat(), data: '' }),
      ev('observer', 'znode.created', { path: '/customBackUp/tasks', stat: stat(), data: '' }),
    ])
    const index = useStore.getState().treeIndex
    expect(index.roots).toEqual(['/customBackUp'])
    ingest([
      ev('observer', 'znode.changed', { path: '/customBackUp/tasks', stat: { ...stat(), version: 1 }, data: 'x' }),
    ])
    // A data change keeps the index; only creations and deletions rebuild it.
    expect(useStore.getState().treeIndex).toBe(index)
    expect(useStore.getState().tree['/customBackUp/tasks'].data).toBe('x')
    expect(useStore.getState().treeChanged.has('/customBackUp/tasks')).toBe(true)
    ingest([ev('observer', 'znode.deleted', { path: '/customBackUp/tasks' })])
    expect(Object.keys(useStore.getState().tree)).toEqual(['/customBackUp'])
  })

  it('keeps zk.stats per server, feeds the timeline and names log sources', () => {
    ingest([
      ev('lab', 'zk.stats', {
        server: 1,
        name: 'zk-1',
        nodeCount: 14,
        connections: 5,
        mode: 'standalone',
        zxid: '0x1f',
        latencyAvg: 0.4,
        outstanding: 0,
      }),
      spawned('w-1', 1),
    ])
    const s = useStore.getState()
    expect(s.zkStats['zk-1']).toMatchObject({ nodeCount: 14, connections: 5, mode: 'standalone' })
    expect(s.timelineTask).toBe('t1')
    expect(timelineModel.tasks.get('t1')?.workers).toEqual(['w-1'])
    expect(s.logSources).toEqual(['lab'])
  })

  it('toasts live alerts but not historic ones', () => {
    ingest([ev('monitor', 'monitor.alert', { task: 't1', kind: 'no-instance', message: 'no instance' })])
    expect(useStore.getState().toasts).toHaveLength(0)
    expect(useStore.getState().alerts).toHaveLength(1)
    ingest([ev('monitor', 'monitor.alert', { task: 't1', kind: 'commit-stalled', message: 'stalled' })], { live: true })
    expect(useStore.getState().toasts.map((t) => t.title)).toEqual(['t1: commit-stalled'])
  })
})

describe('recording failed', () => {
  const failed = () =>
    ev('lab', 'recording.failed', {
      level: 'error',
      reason: 'the journal /s/events.jsonl could not be written: ENOSPC',
      code: 'ENOSPC',
      dir: '/s',
      lastRecordedSeq: seq,
    })

  it('shows on the session from the live event, with a toast, and stays when the session closes', () => {
    ingest([ev('lab', 'session.created', { dir: '/s', name: 'disk' }), spawned('w-1', 1)], { live: true })
    ingest(
      [failed(), ev('lab', 'process.exited', { name: 'w-1', pid: 101, code: null, signal: 'SIGTERM', expected: true })],
      { live: true },
    )
    ingest([ev('lab', 'session.closing'), ev('lab', 'session.closed')], { live: true })
    const { session, toasts } = useStore.getState()
    expect(session?.recordingFailed).toMatchObject({
      code: 'ENOSPC',
      lastRecordedSeq: 2,
      reason: stringContaining('ENOSPC'),
    })
    expect(toasts.map((t) => [t.kind, t.title])).toEqual([['error', 'Recording failed']])
  })

  it('comes back with a snapshot taken after the failure (a window opened later)', () => {
    const events = [ev('lab', 'session.created', { dir: '/s', name: 'disk' }), failed()]
    loadHistory(replay(events), events)
    expect(useStore.getState().session?.recordingFailed?.lastRecordedSeq).toBe(1)
  })
})

describe('loadHistory', () => {
  it('takes the state from the snapshot, logs from the events, and applies events newer than the snapshot', () => {
    const events = [
      spawned('w-1', 1),
      ev('w-1', 'worker.role', { role: 'standby' }),
      ev('w-1', 'worker.role', { role: 'primary' }),
    ]
    const snapshot = replay(events, 2)
    loadHistory(snapshot, events)
    const s = useStore.getState()
    expect(s.loaded).toBe(true)
    expect(s.workers['w-1'].role).toBe('primary')
    expect(logBuffers.ring(MERGED)!.length).toBe(3)
    // A live batch overlapping the history adds nothing twice.
    ingest(events, { live: true })
    expect(logBuffers.ring(MERGED)!.length).toBe(3)
  })

  it('starts from an empty lab', () => {
    loadHistory(emptyLabState(), [])
    expect(useStore.getState().workers).toEqual({})
    expect(useStore.getState().loaded).toBe(true)
  })
})
