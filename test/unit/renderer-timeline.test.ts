import { describe, expect, it } from 'vitest'
import type { LabEvent } from '../../src/shared/events.js'
import { closedIntervals, stateAt, TimelineModel } from '../../src/renderer/src/timeline/timeline-model.js'
import { buildOption, type ChartColors } from '../../src/renderer/src/timeline/chart-option.js'

let seq = 0
const at = (time: number, source: string, type: string, fields: Record<string, unknown> = {}): LabEvent =>
  ({ seq: ++seq, time, source, type, ...fields }) as LabEvent
const spawned = (time: number, name: string, workerId: number, pid: number) =>
  at(time, 'lab', 'process.spawned', { name, kind: 'worker', pid, labels: { task: 't1', workerId, strategy: 'seed' } })
const role = (time: number, name: string, r: 'primary' | 'standby') => at(time, name, 'worker.role', { role: r })

/** Three workers; 1 is primary, killed at 10 s; 2 takes over at 14 s and commits at 14.5 s. */
function killPrimary(): LabEvent[] {
  return [
    spawned(0, 'w-1', 1, 101),
    spawned(0, 'w-2', 2, 102),
    spawned(0, 'w-3', 3, 103),
    role(1000, 'w-1', 'primary'),
    role(1100, 'w-2', 'standby'),
    role(1200, 'w-3', 'standby'),
    at(2000, 'w-1', 'worker.commit', { id: 1, version: 0 }),
    at(9000, 'w-1', 'worker.commit', { id: 2, version: 1 }),
    at(10_000, 'lab', 'process.action', { name: 'w-1', action: 'kill' }),
    at(10_050, 'lab', 'process.exited', { name: 'w-1', pid: 101, code: null, signal: 'SIGKILL', expected: true }),
    role(14_000, 'w-2', 'primary'),
    at(14_500, 'w-2', 'worker.commit', { id: 3, version: 2 }),
    at(14_501, 'lab', 'failover', {
      task: 't1',
      fault: 'kill',
      from: 'w-1',
      to: 'w-2',
      faultTime: 10_000,
      newPrimaryMs: 4000,
      firstCommitMs: 4500,
      lastCommitBefore: 2,
      firstCommitId: 3,
    }),
  ]
}

describe('TimelineModel', () => {
  it('derives one lane per worker with starting, standby, primary and dead intervals', () => {
    const model = new TimelineModel()
    model.applyAll(killPrimary())
    const t = model.tasks.get('t1')!
    expect(t.workers).toEqual(['w-1', 'w-2', 'w-3'])
    const lane = (w: string) => t.intervals.filter((iv) => iv.worker === w).map((iv) => [iv.state, iv.start, iv.end])
    expect(lane('w-1')).toEqual([
      ['starting', 0, 1000],
      ['primary', 1000, 10_050],
      ['dead', 10_050, undefined],
    ])
    expect(lane('w-2')).toEqual([
      ['starting', 0, 1100],
      ['standby', 1100, 14_000],
      ['primary', 14_000, undefined],
    ])
    expect(stateAt(t, 'w-3', 5000)).toBe('standby')
  })

  it('records fault markers, commits and failovers', () => {
    const model = new TimelineModel()
    model.applyAll(killPrimary())
    const t = model.tasks.get('t1')!
    expect(t.faults).toEqual([{ time: 10_000, worker: 'w-1', action: 'kill', wasPrimary: true }])
    expect(t.commits).toEqual([
      [2000, 1],
      [9000, 2],
      [14_500, 3],
    ])
    expect(t.failovers).toHaveLength(1)
    expect(t.failovers[0]).toMatchObject({
      from: 'w-1',
      to: 'w-2',
      faultTime: 10_000,
      newPrimaryMs: 4000,
      firstCommitMs: 4500,
      firstCommitId: 3,
    })
  })

  it('shows a pause and returns to the role on resume', () => {
    const model = new TimelineModel()
    model.applyAll([
      spawned(0, 'w-1', 1, 101),
      role(100, 'w-1', 'primary'),
      at(1000, 'lab', 'process.action', { name: 'w-1', action: 'pause' }),
      at(3000, 'lab', 'process.action', { name: 'w-1', action: 'resume' }),
    ])
    const t = model.tasks.get('t1')!
    expect(t.intervals.map((iv) => iv.state)).toEqual(['starting', 'primary', 'paused', 'primary'])
    expect(stateAt(t, 'w-1', 2000)).toBe('paused')
  })

  it('starts a restarted worker in a new starting interval and ignores the old pid exiting late', () => {
    const model = new TimelineModel()
    model.applyAll([
      spawned(0, 'w-1', 1, 101),
      role(100, 'w-1', 'standby'),
      at(1000, 'lab', 'process.action', { name: 'w-1', action: 'restart' }),
      spawned(1100, 'w-1', 1, 201),
      at(1150, 'lab', 'process.exited', { name: 'w-1', pid: 101, code: 0, signal: null, expected: true }),
      role(1500, 'w-1', 'standby'),
    ])
    const t = model.tasks.get('t1')!
    expect(t.intervals.map((iv) => iv.state)).toEqual(['starting', 'standby', 'starting', 'standby'])
    expect(t.faults.map((f) => f.action)).toEqual(['restart'])
  })

  it('reads an older failover event that carries gapMs', () => {
    const model = new TimelineModel()
    model.apply(
      at(5000, 'lab', 'failover', { task: 't1', fault: 'stop', from: 'a', to: 'b', gapMs: 1234, faultTime: 4000 }),
    )
    expect(model.tasks.get('t1')!.failovers[0].firstCommitMs).toBe(1234)
  })

  it('closes open intervals at now for drawing, and ignores events of other processes', () => {
    const model = new TimelineModel()
    expect(model.apply(at(0, 'monitor', 'monitor.alert', { task: 't1' }))).toBe(false)
    model.applyAll([spawned(0, 'w-1', 1, 101), role(100, 'w-1', 'primary')])
    const drawn = closedIntervals(model.tasks.get('t1')!, 5000)
    expect(drawn.at(-1)).toEqual({ worker: 'w-1', state: 'primary', start: 100, end: 5000 })
  })

  it("draws the ensemble's link cuts as a band and its leaders and quorum changes as markers", () => {
    const model = new TimelineModel()
    const zk = (time: number, type: string, id: number, fields: Record<string, unknown> = {}) =>
      at(time, 'lab', type, { server: id, name: `zk-${id}`, ...fields })
    model.applyAll([
      ...[1, 2, 3].map((id) => zk(0, 'zk.starting', id, { port: id })),
      ...[1, 2, 3].map((id) =>
        zk(500, 'zk.ready', id, { port: id, mode: id === 3 ? 'leader' : 'follower', version: 'v', startMs: 500 }),
      ),
      spawned(600, 'w-1', 1, 101),
      role(700, 'w-1', 'primary'),
    ])
    const cuts = [
      { from: 'zk-3', to: 'zk-1' },
      { from: 'zk-1', to: 'zk-3' },
      { from: 'zk-3', to: 'zk-2' },
      { from: 'zk-2', to: 'zk-3' },
    ]
    expect(
      model.apply(at(2000, 'lab', 'zk.links', { shape: 'isolate', description: 'zk-3 (leader) cut off', cuts })),
    ).toBe(true)
    model.applyAll([
      zk(2400, 'zk.mode', 3, { mode: 'not-serving', previous: 'leader' }),
      zk(2500, 'zk.mode', 1, { mode: 'not-serving', previous: 'follower' }),
      zk(2600, 'zk.mode', 2, { mode: 'not-serving', previous: 'follower' }),
      zk(4000, 'zk.mode', 2, { mode: 'leader', previous: 'not-serving', epoch: 2 }),
      zk(4100, 'zk.mode', 1, { mode: 'follower', previous: 'not-serving', epoch: 2 }),
      at(6000, 'lab', 'zk.links', { shape: 'heal', description: 'healed', cuts: [] }),
    ])
    const t = model.tasks.get('t1')!
    expect(t.ensemble.bands).toEqual([{ start: 2000, end: 6000, description: 'zk-3 (leader) cut off', cuts }])
    expect(t.ensemble.marks.map((m) => m.label)).toEqual([
      'leader zk-3',
      'quorum lost (1/3 serving)',
      'leader zk-2 (epoch 2)',
      'quorum regained (2/3 serving)',
    ])
    const colors = {
      text: '#000',
      muted: '#888',
      grid: '#eee',
      axis: '#ccc',
      lanes: {},
      fault: '#f00',
      gap: '#fee',
      gapText: '#a00',
      commit: '#00f',
      panel: '#fff',
    } as unknown as ChartColors
    const option = buildOption(t, 7000, colors)
    const series = option.series.find((x) => x.id === 'zk-ensemble') as unknown as {
      markArea: { data: Array<[{ xAxis: number; name: string }, { xAxis: number }]> }
      markLine: { data: Array<{ xAxis: number; label: { formatter: string } }> }
    }
    expect(series.markArea.data).toEqual([[{ xAxis: 2000, name: 'links cut: zk-3 (leader) cut off' }, { xAxis: 6000 }]])
    expect(series.markLine.data.map((d) => [d.xAxis, d.label.formatter])).toEqual([
      [500, 'leader zk-3'],
      [2500, 'quorum lost'],
      [4000, 'leader zk-2 e2'],
      [4100, 'quorum back'],
    ])
  })
})
