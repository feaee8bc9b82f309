/**
 * What the binlog workload's events make of the lab state beyond the source's own life: the load's
 * rate and counts, each worker's last backed-up GTID, and a task's lastCommit when it holds a GTID.
 */
import { describe, expect, it } from 'vitest'
import { applyEvent, emptyLabState, type LabState } from '../../src/shared/lab-state.js'
import { LabEventTypes, ObserverEventTypes, WorkerEventTypes, type LabEvent } from '../../src/shared/events.js'

function applier(state: LabState) {
  let seq = 0
  return (e: Record<string, unknown>) =>
    applyEvent(state, { seq: ++seq, time: seq, source: 'lab', ...e } as unknown as LabEvent)
}

const stat = { version: 0, ctime: 0, mtime: 0, numChildren: 0, ephemeralOwner: '0', czxid: '0x1', mzxid: '0x1' }

describe('lab state binlog', () => {
  it('keeps the load rate from mariadb.load and the counts from mariadb.position, then the final ones', () => {
    const state = emptyLabState()
    const apply = applier(state)
    // Before the source started, a load change has nothing to attach to.
    apply({ type: LabEventTypes.mariadbLoad, rate: 5 })
    expect(state.source).toBeUndefined()
    apply({ type: LabEventTypes.mariadbStarted, port: 3307, pid: 42, gtid: '' })
    apply({
      type: LabEventTypes.mariadbPosition,
      gtid: '0-1-9',
      binlogFiles: [],
      load: { rate: 20, committed: 9, failed: 0, unknown: 0 },
    })
    expect(state.source?.load).toEqual({ rate: 20, committed: 9, failed: 0, unknown: 0 })
    apply({ type: LabEventTypes.mariadbLoad, rate: 80 })
    apply({ type: LabEventTypes.mariadbLoad, burst: 500 })
    expect(state.source?.load).toMatchObject({ rate: 80, committed: 9 })
    // A position from an older journal carries no load: the counts stay.
    apply({ type: LabEventTypes.mariadbPosition, gtid: '0-1-12', binlogFiles: [] })
    expect(state.source?.load?.committed).toBe(9)
    apply({
      type: LabEventTypes.mariadbLoadStopped,
      committed: 600,
      failed: 3,
      unknown: 1,
      abandoned: 0,
      lastChangeId: 601,
      unknownChangeIds: [77],
    })
    expect(state.source?.load).toEqual({ rate: 80, committed: 600, failed: 3, unknown: 1, stopped: true })
  })

  it("reads a GTID in lastCommit and keeps each worker's last backed-up GTID", () => {
    const state = emptyLabState()
    const apply = applier(state)
    apply({ type: LabEventTypes.processSpawned, name: 'worker-t-1', kind: 'worker', pid: 7, labels: { task: 't' } })
    const node = (data: string) => ({
      type: ObserverEventTypes.changed,
      path: '/customBackUp/tasks/t/lastCommit',
      stat,
      data,
    })
    apply(node('0-1-41'))
    expect(state.tasks.t).toMatchObject({ lastCommit: 41, lastCommitGtid: '0-1-41' })
    apply({ source: 'worker-t-1', type: WorkerEventTypes.work, id: 44, gtid: '0-1-44', rows: 2 })
    expect(state.workers['worker-t-1'].lastWorkGtid).toBe('0-1-44')
    // The counter's lastCommit is a number and has no GTID.
    apply(node('12'))
    expect(state.tasks.t.lastCommit).toBe(12)
    expect(state.tasks.t.lastCommitGtid).toBeUndefined()
  })
})
