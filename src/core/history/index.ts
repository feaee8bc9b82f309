/**
 * A finished session's histories for Jepsen's checkers and Porcupine: lastCommit as a compare-and-set
 * register, leadership as a mutex. See docs/histories.md.
 */
import { readJournal } from '../journal/journal.js'
import { journalPath, readSinks } from '../session-folder/index.js'
import { LabEventTypes, type LabEvent } from '../../shared/events.js'
import { attributeSessions } from '../txnlog/attribution.js'
import { buildTxnHistory } from '../txnlog/history.js'
import { readSessionTxnLogs } from '../txnlog/read-txn-logs.js'
import { assembleHistory } from './assemble.js'
import { mutexOperations } from './mutex-history.js'
import type { JepsenOp } from './operations.js'
import { registerOperations, type TxnLogInput } from './register-history.js'

export * from './formats.js'
export * from './operations.js'
export { assembleHistory } from './assemble.js'
export { mutexOperations } from './mutex-history.js'
export { registerOperations, registerValue, type TxnLogInput } from './register-history.js'

export type HistoryKind = 'lastcommit' | 'leadership'
export const HISTORY_KINDS: HistoryKind[] = ['lastcommit', 'leadership']

export interface SessionHistoryInput {
  events: readonly LabEvent[]
  txn?: TxnLogInput
}

/** The journal and, where the session folder holds one, ZooKeeper's transaction log with its sessions' owners. */
export function readHistoryInput(dir: string): SessionHistoryInput {
  const { events } = readJournal(journalPath(dir))
  const read = readSessionTxnLogs(dir)
  if (!read) return { events }
  const history = buildTxnHistory(read.txns)
  return { events, txn: { history, owners: attributeSessions(events, history, readSinks(dir).sinks) } }
}

/** The tasks a session knows of: its journal's workers and the transaction log's tasks. */
export function historyTasks(input: SessionHistoryInput): string[] {
  const tasks = new Set<string>(input.txn?.history.tasks.keys() ?? [])
  for (const e of input.events) {
    if (e.type === LabEventTypes.processSpawned && e.labels?.task !== undefined) tasks.add(String(e.labels.task))
    if (e.type === LabEventTypes.taskPublished) tasks.add(e.task)
  }
  return [...tasks].sort()
}

export function sessionStart(events: readonly LabEvent[]): number {
  return events.find((e) => e.type === LabEventTypes.sessionCreated)?.time ?? events[0]?.time ?? 0
}

export function buildHistory(input: SessionHistoryInput, task: string, kind: HistoryKind): JepsenOp[] {
  const start = sessionStart(input.events)
  const ops =
    kind === 'leadership' ? mutexOperations(input.events, task) : registerOperations(input.events, task, input.txn)
  return assembleHistory(ops, start)
}
