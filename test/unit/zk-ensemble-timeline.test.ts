import { describe, expect, it } from 'vitest'
import type { LabEvent } from '../../src/shared/events.js'
import { EnsembleTimeline } from '../../src/shared/zk-ensemble.js'

let seq = 0
const at = (time: number, type: string, fields: Record<string, unknown> = {}): LabEvent =>
  ({ seq: ++seq, time, source: 'lab', type, ...fields }) as LabEvent
const zk = (time: number, type: string, id: number, fields: Record<string, unknown> = {}) =>
  at(time, type, { server: id, name: `zk-${id}`, ...fields })
const mode = (time: number, id: number, m: string, epoch?: number) =>
  zk(time, 'zk.mode', id, { mode: m, previous: '', ...(epoch !== undefined ? { epoch } : {}) })

/** Three servers formed with zk-3 leading in epoch 1. */
function formed(): LabEvent[] {
  return [
    zk(0, 'zk.starting', 1, { port: 1 }),
    zk(0, 'zk.starting', 2, { port: 2 }),
    zk(0, 'zk.starting', 3, { port: 3 }),
    zk(900, 'zk.ready', 1, { port: 1, mode: 'follower', version: 'v', startMs: 900 }),
    zk(950, 'zk.ready', 3, { port: 3, mode: 'leader', version: 'v', startMs: 950 }),
    zk(1000, 'zk.ready', 2, { port: 2, mode: 'follower', version: 'v', startMs: 1000 }),
  ]
}

describe('EnsembleTimeline', () => {
  it('marks the leader with its epoch, and no quorum change while the ensemble forms', () => {
    const t = new EnsembleTimeline().applyAll([...formed(), mode(5000, 2, 'leader', 2)])
    expect(t.marks.map((m) => m.label)).toEqual(['leader zk-3', 'leader zk-2 (epoch 2)'])
    expect(t.marks[1]).toMatchObject({ kind: 'leader', server: 'zk-2', epoch: 2, time: 5000 })
  })

  it('draws a cut from a zk.links with cuts until the next one without', () => {
    const cuts = [
      { from: 'zk-3', to: 'zk-1' },
      { from: 'zk-1', to: 'zk-3' },
    ]
    const t = new EnsembleTimeline().applyAll([
      ...formed(),
      at(2000, 'zk.links', { shape: 'isolate', description: 'zk-3 (leader) cut off from zk-1, zk-2', cuts }),
      at(3000, 'zk.links', { shape: 'one-way', description: 'what zk-1 sends is lost', cuts: cuts.slice(0, 1) }),
      at(6000, 'zk.links', { shape: 'heal', description: 'healed', cuts: [] }),
      at(7000, 'zk.links', { shape: 'halves', description: 'open', cuts }),
    ])
    expect(t.bands.map(({ start, end, description }) => ({ start, end, description }))).toEqual([
      { start: 2000, end: 3000, description: 'zk-3 (leader) cut off from zk-1, zk-2' },
      { start: 3000, end: 6000, description: 'what zk-1 sends is lost' },
      { start: 7000, end: undefined, description: 'open' },
    ])
    expect(t.bands[0].cuts).toEqual(cuts)
  })

  it('marks quorum lost when fewer than a majority serve, and regained when a majority is back', () => {
    const t = new EnsembleTimeline().applyAll([
      ...formed(),
      mode(2000, 1, 'not-serving'),
      zk(2100, 'zk.stopped', 3, { how: 'kill', code: null, signal: 'SIGKILL' }),
      mode(2200, 2, 'not-serving'),
      zk(4000, 'zk.starting', 3, { port: 3 }),
      zk(5000, 'zk.ready', 3, { port: 3, mode: 'follower', version: 'v', startMs: 1000 }),
      mode(5100, 1, 'leader', 2),
    ])
    expect(t.marks.filter((m) => m.kind !== 'leader').map((m) => [m.time, m.label])).toEqual([
      [2100, 'quorum lost (1/3 serving)'],
      [5100, 'quorum regained (2/3 serving)'],
    ])
  })

  it('counts a paused server as not serving, and says nothing once the session closes', () => {
    const t = new EnsembleTimeline().applyAll([
      ...formed(),
      at(2000, 'process.action', { name: 'zk-1', action: 'pause' }),
      at(2100, 'process.action', { name: 'zk-2', action: 'pause' }),
      at(3000, 'process.action', { name: 'zk-1', action: 'resume' }),
      at(4000, 'session.closing', {}),
      zk(4100, 'zk.stopped', 1, { how: 'stop', code: 0, signal: null }),
      zk(4200, 'zk.stopped', 3, { how: 'stop', code: 0, signal: null }),
    ])
    expect(t.marks.filter((m) => m.kind !== 'leader').map((m) => m.label)).toEqual([
      'quorum lost (1/3 serving)',
      'quorum regained (2/3 serving)',
    ])
  })

  it('judges no quorum for a standalone server', () => {
    const t = new EnsembleTimeline().applyAll([
      zk(0, 'zk.starting', 1, { port: 1 }),
      zk(500, 'zk.ready', 1, { port: 1, mode: 'standalone', version: 'v', startMs: 500 }),
      zk(900, 'zk.stopped', 1, { how: 'kill', code: null, signal: 'SIGKILL' }),
    ])
    expect(t.marks).toEqual([])
  })
})
