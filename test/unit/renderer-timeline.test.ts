import { describe, expect, it } from 'vitest'
import type { LabEvent } from '../../src/shared/events.js'
import { closedIntervals, stateAt, TimelineModel } from '../../src/renderer/src/timeline/timeline-model.js'

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
})
