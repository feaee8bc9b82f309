/**
 * The checker's entry point: a session's journal and sinks in, one verdict per invariant per task
 * and every failover's breakdown out. Pure (no clock, no ZooKeeper): the same input gives the same
 * report, after a run, on a reopened session, or live over the events so far.
 */
import type { LabEvent } from '../../shared/events.js'
import { readJournal } from '../journal/journal.js'
import type { BackupRecord, SourceTransaction } from '../../shared/binlog.js'
import { existsSync } from 'node:fs'
import { readSourceHistory } from '../mariadb/history.js'
import { journalPath, readSinks, sourceHistoryPath, type SinkRecord } from '../session-folder/index.js'
import { readSessionTxnLogs, type TxnLogRead } from '../txnlog/read-txn-logs.js'
import { failoverBreakdowns } from './failovers.js'
import { INVARIANT_CHECKS, judgeSession, lazyTxnLogEvidence, type InvariantCheck } from './invariants.js'
import { buildModel } from './journal-model.js'
import type { CheckInput, CheckReport } from './types.js'

/** `invariants`: the list to judge by (INVARIANT_CHECKS; tests pass their own). */
export function checkSession(input: CheckInput, invariants: readonly InvariantCheck[] = INVARIANT_CHECKS): CheckReport {
  const sinks = input.sinks ?? {}
  const model = buildModel(input.events, sinks, input.options)
  // The transaction log's history and session owners, built once (on first use) for zombie-write and the failovers.
  const txnLog = input.txnLog ? lazyTxnLogEvidence(model, sinks, input.txnLog) : undefined
  // Each invariant for each task, in isolation; zombie-write from the transaction log, where the lab has it.
  const verdicts = judgeSession(model, sinks, input.txnLog, invariants, txnLog, {
    backups: input.backups,
    sourceHistory: input.sourceHistory,
    sourceHistoryError: input.sourceHistoryError,
  })
  return {
    ok: verdicts.every((v) => v.ok),
    tasks: [...model.tasks.keys()],
    sessionStart: model.start,
    verdicts,
    failovers: failoverBreakdowns(model, txnLog),
  }
}

/**
 * A session folder's journal, sinks (binlog tasks' backup lines whole too), ZooKeeper transaction logs
 * (when the lab ran the servers) and the binlog source's history (when the lab read it back), ready
 * for checkSession.
 */
export function loadSession(dir: string): {
  events: LabEvent[]
  sinks: Record<string, SinkRecord[]>
  backups: Record<string, BackupRecord[]>
  unreadableSinkLines: Record<string, number>
  txnLog?: TxnLogRead
  sourceHistory?: SourceTransaction[]
  sourceHistoryError?: string
} {
  const { events } = readJournal(journalPath(dir))
  const { sinks, backups, unreadable } = readSinks(dir)
  const txnLog = readSessionTxnLogs(dir)
  return {
    events,
    sinks,
    backups,
    unreadableSinkLines: unreadable,
    ...(txnLog ? { txnLog } : {}),
    ...loadSourceHistory(dir),
  }
}

/**
 * The binlog source's history the lab saved (`source/binlog.jsonl`, src/core/mariadb/history.ts): none
 * when there is no file (no binlog source, or a run still going), its error when a line is not a
 * source transaction (the backup verdicts are then unknown, with it).
 */
export function loadSourceHistory(dir: string): { sourceHistory?: SourceTransaction[]; sourceHistoryError?: string } {
  if (!existsSync(sourceHistoryPath(dir))) return {}
  try {
    return { sourceHistory: readSourceHistory(dir) }
  } catch (err) {
    return { sourceHistoryError: err instanceof Error ? err.message : String(err) }
  }
}

/** Shorthand for a finished session folder. */
export function checkSessionDir(dir: string, options?: CheckInput['options']): CheckReport {
  const { events, sinks, backups, txnLog, sourceHistory, sourceHistoryError } = loadSession(dir)
  return checkSession({ events, sinks, backups, txnLog, sourceHistory, sourceHistoryError, options })
}
