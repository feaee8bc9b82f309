/**
 * The task layout's history as ZooKeeper itself recorded it: every create, delete and setData of each
 * task's `instance/*`, `lastCommit` and `status`, and every session's start and end, replayed in zxid
 * order from the transaction log. Unlike the observer's watch notifications, nothing between two
 * notifications is missed: every write is here, with the session that made it.
 */
import { LAB_ROOT } from '../../shared/lab-state.js'
import { sequenceOf } from '../../shared/sequential.js'
import type { Txn, TxnOp } from './txn-log-file.js'

export interface SessionHistory {
  id: string
  timeoutMs?: number
  createdZxid?: number
  createdAt?: number
  endedZxid?: number
  endedAt?: number
  /**
   * How it ended: `expired` when the server closed it (the close has cxid 0: ZooKeeper's own
   * session tracker asked), `closed` when its client did.
   */
  end?: 'closed' | 'expired'
}

export interface InstanceNode {
  task: string
  /** The node's name under instance/: `server_2_0000000004`. */
  name: string
  path: string
  /** The session that owns it (ephemeral), or undefined for a persistent node. */
  session?: string
  createdZxid: number
  createdAt: number
  deletedZxid?: number
  deletedAt?: number
  /** Deleted by a client, or with its session (closed or expired). */
  deletedBy?: 'delete' | 'session-closed' | 'session-expired'
}

/** Who ZooKeeper's layout made primary at one zxid: the smallest live instance node. */
export interface Holder {
  node: string
  session?: string
}

export interface TxnWrite {
  task: string
  node: 'lastCommit' | 'status'
  op: 'create' | 'setData' | 'delete'
  zxid: number
  time: number
  session: string
  /** The data written (create, setData). */
  value?: string
  /** The node's version after the write (setData); 0 for a create. */
  version?: number
  /** The smallest live instance node at this zxid and its owner; null when there was none. */
  holder: Holder | null
  /** The writer's own live instance nodes of this task at this zxid. */
  writerNodes: string[]
}

export interface TaskTxnHistory {
  task: string
  /** lastCommit and status, in zxid order. */
  writes: TxnWrite[]
  instances: InstanceNode[]
}

export interface TxnHistory {
  root: string
  firstZxid?: number
  lastZxid?: number
  /** By id (hex, no 0x). */
  sessions: Map<string, SessionHistory>
  tasks: Map<string, TaskTxnHistory>
  /** Failed requests per session (bad version, no node, …): a fenced commit shows up here. */
  errors: Map<string, { zxid: number; time: number; code: number }[]>
}

export function buildTxnHistory(txns: readonly Txn[], root = LAB_ROOT): TxnHistory {
  const tasksPrefix = `${root}/tasks/`
  const history: TxnHistory = {
    root,
    firstZxid: txns[0]?.zxid,
    lastZxid: txns.at(-1)?.zxid,
    sessions: new Map(),
    tasks: new Map(),
    errors: new Map(),
  }
  // Live ephemeral instance nodes, by path, and by owner, so a session's end can delete them.
  const live = new Map<string, InstanceNode>()
  const owned = new Map<string, Set<string>>()
  // Live instance nodes per task, kept sorted by sequence: the first is the holder.
  const liveByTask = new Map<string, InstanceNode[]>()

  const task = (name: string): TaskTxnHistory => {
    let t = history.tasks.get(name)
    if (!t) history.tasks.set(name, (t = { task: name, writes: [], instances: [] }))
    return t
  }
  const session = (id: string): SessionHistory => {
    let s = history.sessions.get(id)
    if (!s) history.sessions.set(id, (s = { id }))
    return s
  }
  const removeInstance = (path: string, zxid: number, time: number, by: InstanceNode['deletedBy']) => {
    const node = live.get(path)
    if (!node) return
    live.delete(path)
    if (node.session) owned.get(node.session)?.delete(path)
    Object.assign(node, { deletedZxid: zxid, deletedAt: time, deletedBy: by })
    const list = liveByTask.get(node.task) ?? []
    const i = list.indexOf(node)
    if (i >= 0) list.splice(i, 1)
  }
  const classify = (
    path: string,
  ): { task: string; node: 'instance' | 'lastCommit' | 'status'; child?: string } | undefined => {
    if (!path.startsWith(tasksPrefix)) return undefined
    const rest = path.slice(tasksPrefix.length).split('/')
    if (rest.length === 2 && (rest[1] === 'lastCommit' || rest[1] === 'status')) return { task: rest[0], node: rest[1] }
    if (rest.length === 3 && rest[1] === 'instance') return { task: rest[0], node: 'instance', child: rest[2] }
    return undefined
  }

  const apply = (txn: Txn, op: TxnOp) => {
    const { zxid, time } = txn
    switch (op.op) {
      case 'createSession':
        Object.assign(session(txn.session), { timeoutMs: op.timeoutMs, createdZxid: zxid, createdAt: time })
        break
      case 'closeSession': {
        const how = txn.cxid === 0 ? 'expired' : 'closed'
        Object.assign(session(txn.session), { endedZxid: zxid, endedAt: time, end: how })
        const paths = new Set([...(owned.get(txn.session) ?? []), ...(op.ephemerals ?? [])])
        for (const path of paths)
          removeInstance(path, zxid, time, how === 'expired' ? 'session-expired' : 'session-closed')
        owned.delete(txn.session)
        break
      }
      case 'create': {
        const where = classify(op.path)
        if (!where) break
        if (where.node === 'instance') {
          const node: InstanceNode = {
            task: where.task,
            name: where.child!,
            path: op.path,
            ...(op.ephemeral ? { session: txn.session } : {}),
            createdZxid: zxid,
            createdAt: time,
          }
          task(where.task).instances.push(node)
          live.set(op.path, node)
          if (op.ephemeral) {
            let set = owned.get(txn.session)
            if (!set) owned.set(txn.session, (set = new Set()))
            set.add(op.path)
          }
          const list = liveByTask.get(where.task) ?? []
          liveByTask.set(where.task, list)
          const at = list.findIndex((n) => sequenceOf(n.name) > sequenceOf(node.name))
          list.splice(at < 0 ? list.length : at, 0, node)
        } else {
          write(where.task, where.node, 'create', txn, { value: op.data, version: 0 })
        }
        break
      }
      case 'delete': {
        const where = classify(op.path)
        if (!where) break
        if (where.node === 'instance') removeInstance(op.path, zxid, time, 'delete')
        else write(where.task, where.node, 'delete', txn, {})
        break
      }
      case 'setData': {
        const where = classify(op.path)
        if (where && where.node !== 'instance')
          write(where.task, where.node, 'setData', txn, { value: op.data, version: op.version })
        break
      }
      case 'error': {
        const list = history.errors.get(txn.session) ?? []
        list.push({ zxid, time, code: op.code })
        history.errors.set(txn.session, list)
        break
      }
      case 'multi':
        // A multi is one transaction: its operations take effect together, in order, at one zxid.
        for (const sub of op.ops) apply(txn, sub)
        break
    }
  }
  const write = (
    taskName: string,
    node: 'lastCommit' | 'status',
    op: TxnWrite['op'],
    txn: Txn,
    fields: { value?: string; version?: number },
  ) => {
    const list = liveByTask.get(taskName) ?? []
    const first = list[0]
    task(taskName).writes.push({
      task: taskName,
      node,
      op,
      zxid: txn.zxid,
      time: txn.time,
      session: txn.session,
      ...fields,
      holder: first ? { node: first.name, ...(first.session ? { session: first.session } : {}) } : null,
      writerNodes: list.filter((n) => n.session === txn.session).map((n) => n.name),
    })
  }

  for (const txn of txns) apply(txn, txn.txn)
  return history
}

/** The instance node a session held last in a task (live or not), for messages. */
export function lastNodeOf(history: TaskTxnHistory, session: string, beforeZxid = Infinity): InstanceNode | undefined {
  return history.instances.findLast((n) => n.session === session && n.createdZxid < beforeZxid)
}
