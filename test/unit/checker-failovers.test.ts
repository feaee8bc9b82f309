import { describe, expect, it } from 'vitest'
import { checkSession } from '../../src/core/checker/index.js'
import type { Txn, TxnOp } from '../../src/core/txnlog/txn-log-file.js'
import { zxidGaps, type TxnLogRead } from '../../src/core/txnlog/read-txn-logs.js'
import { JournalBuilder, T0, twoWorkers } from './helpers/checker-journal.js'
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
        herd: {
          woken: 1,
          source: 'workers',
          workers: [
            {
              worker: j.name(2),
              watchAt: 4400,
              path: `/customBackUp/tasks/task01/instance`,
              reactedMs: 5,
              did: 'primary',
            },
          ],
        },
      },
    ])
  })

  it("counts a silent program's herd from the watch graph before the fault: the watches on the node that went", () => {
    const { j, nodes } = twoWorkers()
    const t = j.loop(200, 1, 1, 2)
    const nodePath = `/customBackUp/tasks/task01/instance/${nodes[0]}`
    const edge = (worker: string, session: string) => ({
      session,
      worker,
      path: nodePath,
      server: 'zk-1',
      kind: 'data',
    })
    // Its own watch on its node, the standby's on it, and an old graph that a later one replaces.
    j.add(t - 50, 'lab', 'zookeeper.watches', { edges: [], counts: {}, totals: [] })
    j.add(t - 10, 'lab', 'zookeeper.watches', {
      edges: [edge(j.name(1), 'a1'), edge(j.name(2), 'b2')],
      counts: { [nodePath]: 2 },
      totals: [],
    })
    j.kill(t, 1)
    j.nodeDeleted(t + 4402, nodes[0]).role(t + 4405, 2, 'primary', nodes[1])
    const [failover] = checkSession({ events: j.events }).failovers
    expect(failover?.herd).toEqual({
      woken: 1,
      source: 'graph',
      workers: [{ worker: j.name(2), path: nodePath, watchAt: 4402 }],
    })
  })

  it('counts the herd: every standby a watch on the election woke, and what each did next', () => {
    const { j, nodes } = twoWorkers()
    j.spawn(100, 3)
    const third = j.register(160, 3, 2)
    j.role(170, 3, 'standby', third, nodes[0])
    const t = j.loop(200, 1, 1, 2)
    j.kill(t, 1)
    j.nodeDeleted(t + 4402, nodes[0])
    j.watch(t + 4403, 3).watch(t + 4404, 2)
    j.role(t + 4408, 2, 'primary', nodes[1]).role(t + 4420, 3, 'standby', third, nodes[1])
    // A later watch of the same worker is not another wake-up.
    j.watch(t + 4500, 3)
    const [failover] = checkSession({ events: j.events }).failovers
    expect(failover?.herd).toEqual({
      woken: 2,
      source: 'workers',
      workers: [
        {
          worker: j.name(3),
          watchAt: 4403,
          path: '/customBackUp/tasks/task01/instance',
          reactedMs: 17,
          did: 'standby',
        },
        { worker: j.name(2), watchAt: 4404, path: '/customBackUp/tasks/task01/instance', reactedMs: 4, did: 'primary' },
      ],
    })
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

/** ZooKeeper's transaction log of the same run, written in time order: times in ms after the session began. */
class TxnLogBuilder {
  readonly txns: Txn[] = []
  private readonly task = '/customBackUp/tasks/task01'

  add(at: number, session: string, txn: TxnOp, cxid = 1): this {
    this.txns.push({ zxid: this.txns.length + 1, session, cxid, time: T0 + at, type: 0, txn })
    return this
  }

  /** A worker's session and its instance node, as its registration creates them. */
  register(at: number, session: string, node: string): this {
    return this.add(at - 5, session, { op: 'createSession', timeoutMs: 2000 }).add(at, session, {
      op: 'create',
      path: `${this.task}/instance/${node}`,
      data: '',
      ephemeral: true,
    })
  }

  commit(at: number, session: string, id: number): this {
    return this.add(at, session, { op: 'setData', path: `${this.task}/lastCommit`, data: String(id), version: id })
  }

  /** `expired`: the server's session tracker closed it (cxid 0). */
  close(at: number, session: string, node: string, how: 'closed' | 'expired'): this {
    const ephemerals = [`${this.task}/instance/${node}`]
    return this.add(at, session, { op: 'closeSession', ephemerals }, how === 'expired' ? 0 : 7)
  }

  read(): TxnLogRead {
    return {
      servers: [{ server: 'zk-1', files: [], txns: this.txns.length }],
      txns: this.txns,
      problems: [],
      gaps: zxidGaps(this.txns),
    }
  }
}

/** Two of the lab's workers (sessions a1 and b2, tied to them by their node names) and their log. */
function twoWorkersLogged(): { j: JournalBuilder; log: TxnLogBuilder; nodes: [string, string] } {
  const { j, nodes } = twoWorkers()
  const log = new TxnLogBuilder()
    .add(10, '1', { op: 'create', path: '/customBackUp/tasks/task01/lastCommit', data: '0', ephemeral: false })
    .register(150, 'a1', nodes[0])
    .register(160, 'b2', nodes[1])
  return { j, log, nodes }
}

describe('checker: failover breakdown from the transaction log (server-side)', () => {
  it("reads a stop off the log: the closed session, its node, the successor's first setData", () => {
    const { j, log, nodes } = twoWorkersLogged()
    log.commit(202, 'a1', 1).commit(702, 'a1', 2)
    const t = j.loop(200, 1, 1, 2)
    j.action(t, 1, 'stop')
    j.add(t + 4, j.name(1), 'worker.exiting', { reason: 'signal', signal: 'SIGTERM', sessionClosed: true })
    j.exited(t + 6, 1, null)
    log.close(t + 3, 'a1', nodes[0], 'closed').commit(t + 9, 'b2', 3)
    j.nodeDeleted(t + 8, nodes[0]).role(t + 7, 2, 'primary', nodes[1])
    j.loop(t + 10, 2, 3, 3)
    const [f] = checkSession({ events: j.events, txnLog: log.read() }).failovers
    expect(f.steps).toMatchObject({ sessionEnded: 4, firstCommit: 12 })
    expect(f.server).toEqual({
      source: 'txn-log',
      clock: 'same-host',
      steps: { sessionEnded: 3, nodeDeleted: 3, firstCommit: 9 },
      sessionEnd: 'closed',
      fromSession: 'a1',
      toSession: 'b2',
      toWorker: j.name(2),
      firstCommitZxid: '0x9',
      firstCommitId: 3,
    })
  })

  it('reads a kill off the log: the expiry, then the first commit after it', () => {
    const { j, log, nodes } = twoWorkersLogged()
    log.commit(202, 'a1', 1)
    const t = j.loop(200, 1, 1, 1)
    j.kill(t, 1)
    log.close(t + 2100, 'a1', nodes[0], 'expired').commit(t + 2112, 'b2', 2)
    j.nodeDeleted(t + 2102, nodes[0]).role(t + 2105, 2, 'primary', nodes[1])
    j.loop(t + 2111, 2, 2, 2)
    const [f] = checkSession({ events: j.events, txnLog: log.read() }).failovers
    expect(f.sessionEnd).toBe('expired')
    expect(f.server).toMatchObject({
      steps: { sessionEnded: 2100, nodeDeleted: 2100, firstCommit: 2112 },
      sessionEnd: 'expired',
      fromSession: 'a1',
      toWorker: j.name(2),
      firstCommitId: 2,
    })
  })

  it('does not count a write by the old session after the fault as the takeover', () => {
    const { j, log, nodes } = twoWorkersLogged()
    const t = j.loop(200, 1, 1, 1)
    j.action(t, 1, 'pause')
    // A commit already on the wire when the pause hit lands after it: the old primary's, not a successor's.
    log
      .commit(t + 1, 'a1', 2)
      .close(t + 2001, 'a1', nodes[0], 'expired')
      .commit(t + 2010, 'b2', 3)
    j.role(t + 2005, 2, 'primary', nodes[1])
    const [f] = checkSession({ events: j.events, txnLog: log.read() }).failovers
    expect(f.server).toMatchObject({ steps: { firstCommit: 2010 }, toSession: 'b2', firstCommitId: 3 })
  })

  it('measures an external program alike: roles from the election, sessions from the proxy, the log says closed', () => {
    const j = new JournalBuilder()
    const log = new TxnLogBuilder()
    const nodes = ['n_0000000000', 'n_0000000001']
    for (const n of [1, 2]) {
      j.add(100, 'lab', 'process.spawned', {
        name: j.name(n),
        kind: 'external',
        pid: 2000 + n,
        labels: { task: 'task01', workerId: n, strategy: 'kazoo' },
      })
      j.add(101, 'lab', 'client.session', {
        name: j.name(n),
        sessionId: `c${n}`,
        how: 'new',
        timeoutMs: 2000,
        server: '127.0.0.1:2181',
      })
      log.register(150 + n, `c${n}`, nodes[n - 1])
    }
    const role = (at: number, n: number, role: 'primary' | 'standby') =>
      j.add(at, 'lab', 'external.role', {
        name: j.name(n),
        task: 'task01',
        role,
        node: nodes[n - 1],
        smallest: role === 'primary' ? nodes[n - 1] : nodes[0],
        sessionId: `c${n}`,
        derivedFrom: 'zookeeper',
        attributedBy: 'proxy',
      })
    role(160, 1, 'primary')
    role(161, 2, 'standby')
    log.commit(300, 'c1', 1)
    j.znode(301, 'changed', 'lastCommit', '1', 1)
    j.action(500, 1, 'stop')
    log.close(511, 'c1', nodes[0], 'closed').commit(530, 'c2', 2)
    j.nodeDeleted(515, nodes[0])
    role(516, 2, 'primary')
    j.znode(532, 'changed', 'lastCommit', '2', 2)
    const [f] = checkSession({ events: j.events, txnLog: log.read() }).failovers
    expect(f).toMatchObject({ from: j.name(1), to: j.name(2), steps: { firstCommit: 32 } })
    // The journal alone cannot tell a close from an expiry for a program that says nothing; the log can.
    expect(f.sessionEnd).toBe('closed')
    expect(f.server).toMatchObject({
      steps: { sessionEnded: 11, nodeDeleted: 11, firstCommit: 30 },
      sessionEnd: 'closed',
      fromSession: 'c1',
      toSession: 'c2',
      toWorker: j.name(2),
    })
  })

  it('has no server-side breakdown without a transaction log (an external ZooKeeper)', () => {
    const { j } = twoWorkers()
    const t = j.loop(200, 1, 1, 2)
    j.kill(t, 1)
    j.role(t + 2100, 2, 'primary', 'server_2_0000000001')
    const [f] = checkSession({ events: j.events }).failovers
    expect(f.to).toBe(j.name(2))
    expect(f.server).toBeUndefined()
  })
})
