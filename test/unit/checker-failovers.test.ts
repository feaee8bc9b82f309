import { describe, expect, it } from 'vitest'
import { checkSession } from '../../src/core/checker/index.js'
import { T0, twoWorkers } from './helpers/checker-journal.js'
import { anyNumber } from '../matchers.js'

describe('checker: failover breakdown', () => {
  it('breaks a kill of the primary into its steps, in ms after the fault', () => {
    const { j, nodes } = twoWorkers()
    const t = j.loop(200, 1, 1, 5)
    j.kill(t, 1)
    j.watch(t + 4400, 2)
      .nodeDeleted(t + 4402, nodes[0])
      .status(t + 4403, 2, '0')
      .role(t + 4405, 2, 'primary', nodes[1])
      .status(t + 4406, 2, '1')
    j.loop(t + 4410, 2, 6, 7)
    const { failovers } = checkSession({ events: j.events })
    expect(failovers).toEqual([
      {
        task: 'task01',
        fault: 'kill',
        from: j.name(1),
        fromNode: nodes[0],
        faultTime: T0 + t,
        faultSeq: anyNumber(),
        to: j.name(2),
        steps: { sessionEnded: 4402, nodeDeleted: 4402, watchFired: 4400, newPrimary: 4405, firstCommit: 4412 },
        sessionEnd: 'expired',
        lastCommitBefore: 5,
        firstCommitId: 6,
      },
    ])
  })

  it('measures a stop whose worker closes its session, and a pause', () => {
    const { j, nodes } = twoWorkers()
    let t = j.loop(200, 1, 1, 2)
    j.action(t, 1, 'stop')
    j.add(t + 1, j.name(1), 'worker.exiting', { reason: 'signal', signal: 'SIGTERM', sessionClosed: true })
    j.exited(t + 5, 1, null)
    j.nodeDeleted(t + 8, nodes[0]).role(t + 10, 2, 'primary', nodes[1])
    t = j.loop(t + 12, 2, 3, 4)
    j.action(t, 2, 'pause')
    const [stop, pause] = checkSession({ events: j.events }).failovers
    expect(stop).toMatchObject({
      fault: 'stop',
      sessionEnd: 'closed',
      steps: { sessionEnded: 1, nodeDeleted: 8, newPrimary: 10, firstCommit: 14 },
    })
    // Nobody took over from the paused worker: every later step is null.
    expect(pause).toMatchObject({
      fault: 'pause',
      from: j.name(2),
      to: null,
      steps: { sessionEnded: null, nodeDeleted: null, watchFired: null, newPrimary: null, firstCommit: null },
    })
  })

  it("ignores faults on standbys and the lab's own stop-all at session close", () => {
    const { j } = twoWorkers()
    const t = j.loop(200, 1, 1, 3)
    j.kill(t, 2)
    j.action(t + 500, 1, 'stop')
      .action(t + 500, 2, 'stop')
      .add(t + 500, 'lab', 'process.action', { name: 'zk-1', action: 'stop' })
    j.exited(t + 510, 1, null)
    j.add(t + 800, 'lab', 'session.closed')
    expect(checkSession({ events: j.events }).failovers).toEqual([])
  })

  it('measures a network partition of the primary, ignores the heal, and stops looking at session close', () => {
    const { j, nodes } = twoWorkers()
    let t = j.loop(200, 1, 1, 2)
    j.add(t, 'lab', 'fault.network', { name: j.name(1), fault: 'partition' })
    j.watch(t + 4400, 2)
      .nodeDeleted(t + 4401, nodes[0])
      .role(t + 4402, 2, 'primary', nodes[1])
    t = j.loop(t + 4405, 2, 3, 4)
    j.add(t, 'lab', 'fault.network', { name: j.name(1), fault: 'heal' })
    j.add(t + 100, 'lab', 'fault.network', { name: j.name(2), fault: 'slow', latencyMs: 200 })
    // The session closes: the stop-all makes the slowed worker close its session, which is no takeover step.
    j.action(t + 1000, 1, 'stop').action(t + 1000, 2, 'stop')
    j.add(t + 1005, j.name(2), 'worker.exiting', { reason: 'signal', signal: 'SIGTERM', sessionClosed: true })
    j.add(t + 1200, 'lab', 'session.closed')
    const failovers = checkSession({ events: j.events }).failovers
    expect(failovers.map((f) => [f.fault, f.from, f.to])).toEqual([
      ['partition', j.name(1), j.name(2)],
      ['slow', j.name(2), null],
    ])
    expect(failovers[0].steps).toEqual({
      sessionEnded: 4401,
      nodeDeleted: 4401,
      watchFired: 4400,
      newPrimary: 4402,
      firstCommit: 4407,
    })
    expect(failovers[1].steps.sessionEnded).toBeNull()
  })

  it('takes the node as deleted when a worker saw it gone before the observer said so', () => {
    const { j, nodes } = twoWorkers()
    const t = j.loop(200, 1, 1, 2)
    j.kill(t, 1)
    j.role(t + 4405, 2, 'primary', nodes[1])
    j.nodeDeleted(t + 4420, nodes[0])
    const [f] = checkSession({ events: j.events }).failovers
    expect(f.steps.nodeDeleted).toBe(4405)
    expect(f.steps.nodeDeleted!).toBeLessThanOrEqual(f.steps.newPrimary!)
  })
})
