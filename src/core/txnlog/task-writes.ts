/**
 * A session's ground truth from ZooKeeper's transaction log, in rows a person or a script can read:
 * for each task, every write to lastCommit and status in zxid order, with the session that made it,
 * the worker that session belongs to, and who held the smallest instance node at that moment.
 */
import { readJournal } from '../journal/journal.js'
import { journalPath, readSinks } from '../session-folder/index.js'
import { LabEventTypes } from '../../shared/events.js'
import { attributeSessions, ownerOf, type SessionOwner } from './attribution.js'
import { buildTxnHistory, type SessionHistory } from './history.js'
import { readSessionTxnLogs, type TxnLogRead } from './read-txn-logs.js'
import { zxidHex } from './txn-log-file.js'

export interface TaskWriteRow {
  zxid: string
  time: number
  node: 'lastCommit' | 'status'
  op: 'create' | 'setData' | 'delete'
  value: string | null
  version: number | null
  session: string
  /** The worker the session belongs to, or null when nothing ties it to one. */
  worker: string | null
  attributedBy: SessionOwner['how']
  /** The smallest live instance node at this zxid, and its owner. */
  holder: string | null
  holderWorker: string | null
  /** Whether the writer's session held that node (a lastCommit setData by anyone else is a zombie write). */
  byHolder: boolean
}

export interface SessionTxnWrites {
  /** When the session began (ms), the origin of relative times. */
  start: number
  tasks: Record<string, TaskWriteRow[]>
  sessions: Array<SessionHistory & { worker: string | null }>
  servers: TxnLogRead['servers']
  problems: string[]
  gaps: TxnLogRead['gaps']
}

/** undefined when the session folder holds no transaction log (an external ZooKeeper). */
export function sessionTxnWrites(dir: string, root?: string): SessionTxnWrites | undefined {
  const read = readSessionTxnLogs(dir)
  if (!read) return undefined
  const { events } = readJournal(journalPath(dir))
  const { sinks } = readSinks(dir)
  const history = buildTxnHistory(read.txns, root)
  const owners = attributeSessions(events, history, sinks)
  const start = events.find((e) => e.type === LabEventTypes.sessionCreated)?.time ?? read.txns[0]?.time ?? 0
  const tasks: Record<string, TaskWriteRow[]> = {}
  for (const [task, t] of history.tasks) {
    tasks[task] = t.writes.map((w) => ({
      zxid: zxidHex(w.zxid),
      time: w.time,
      node: w.node,
      op: w.op,
      value: w.value ?? null,
      version: w.version ?? null,
      session: w.session,
      worker: ownerOf(owners, w.session) ?? null,
      attributedBy: owners.get(w.session)?.how ?? 'unknown',
      holder: w.holder?.node ?? null,
      holderWorker: ownerOf(owners, w.holder?.session) ?? null,
      byHolder: w.holder?.session !== undefined && w.holder.session === w.session,
    }))
  }
  const sessions = [...history.sessions.values()].map((s) => ({ ...s, worker: ownerOf(owners, s.id) ?? null }))
  return { start, tasks, sessions, servers: read.servers, problems: read.problems, gaps: read.gaps }
}
