/**
 * One failover read off ZooKeeper's transaction log: the server's own times for the old primary's
 * session end, the deletion of its instance node and the first write to lastCommit by anyone else.
 * The same measurement for the lab's workers and external programs: it needs no worker's report and
 * no observer's watch, only who owned which session (attributeSessions) and the fault's journal time.
 *
 * The old primary's session: the one owned by the faulted worker, alive at the fault, that held an
 * instance node of the task (the one live at the fault first); failing that (a session the lab could
 * not attribute), the owner of the node the journal says the primary held (`fromNode`).
 */
import { ownerOf } from '../txnlog/attribution.js'
import type { InstanceNode, TaskTxnHistory } from '../txnlog/history.js'
import { zxidHex } from '../txnlog/txn-log-file.js'
import type { FailoverBreakdown, ServerFailover } from './types.js'
import type { TxnLogEvidence } from './zombie-writes.js'
import { commitId } from './journal-model.js'

export interface ServerWindow {
  task: string
  /** The faulted worker. */
  from: string
  fromNode: string | null
  /** The fault's journal time. */
  faultTime: number
  /** Where the window ends: the next fault on the task's primary, or the lab's teardown. */
  until: number
}

export function serverFailover(w: ServerWindow, evidence: TxnLogEvidence): ServerFailover {
  const history: TaskTxnHistory = evidence.history.tasks.get(w.task) ?? { task: w.task, writes: [], instances: [] }
  const node = oldPrimaryNode(w, history, evidence)
  const fromSession = node?.session
  const session = fromSession === undefined ? undefined : evidence.history.sessions.get(fromSession)
  const inWindow = (t: number | undefined) => t !== undefined && t >= w.faultTime && t < w.until
  const rel = (t: number | undefined) => (inWindow(t) ? t! - w.faultTime : null)

  // A later write by the old session itself (a zombie, or a last commit in flight) is no takeover.
  const first = history.writes.find(
    (x) => x.node === 'lastCommit' && x.op === 'setData' && x.session !== fromSession && inWindow(x.time),
  )
  const ended = inWindow(session?.endedAt)
  return {
    source: 'txn-log',
    clock: 'same-host',
    steps: {
      sessionEnded: rel(session?.endedAt),
      nodeDeleted: rel(node?.deletedAt),
      firstCommit: rel(first?.time),
    },
    sessionEnd: ended ? (session?.end ?? null) : null,
    fromSession: fromSession ?? null,
    toSession: first?.session ?? null,
    toWorker: ownerOf(evidence.owners, first?.session) ?? null,
    firstCommitZxid: first ? zxidHex(first.zxid) : null,
    firstCommitId: commitId(first?.value) ?? null,
  }
}

/** The faulted worker's instance node of the task at the fault, and through it its session. */
function oldPrimaryNode(w: ServerWindow, history: TaskTxnHistory, evidence: TxnLogEvidence): InstanceNode | undefined {
  const aliveAtFault = (n: InstanceNode) => {
    const s = evidence.history.sessions.get(n.session!)
    // A session created before the log begins has no createdAt: it was alive from the start.
    return (s?.createdAt ?? -Infinity) <= w.faultTime && (s?.endedAt ?? Infinity) >= w.faultTime
  }
  const owned = history.instances.filter(
    (n) => n.session !== undefined && ownerOf(evidence.owners, n.session) === w.from && aliveAtFault(n),
  )
  const liveAtFault = (n: InstanceNode) => n.createdAt <= w.faultTime && (n.deletedAt ?? Infinity) >= w.faultTime
  return (
    owned.find((n) => n.name === w.fromNode && liveAtFault(n)) ??
    owned.find(liveAtFault) ??
    owned.at(-1) ??
    (w.fromNode === null ? undefined : history.instances.findLast((n) => n.name === w.fromNode && n.session))
  )
}

/** Where both say how the old session ended, the log's word wins (see failoverBreakdowns). */
export function withServerSessionEnd(f: FailoverBreakdown, server: ServerFailover): FailoverBreakdown['sessionEnd'] {
  return f.sessionEnd !== null && server.sessionEnd !== null ? server.sessionEnd : f.sessionEnd
}
