/**
 * A binlog task's backup set against the source's history, worked out once per task for
 * backup-integrity and backup-lag: where the backup was to start, the transactions it owes, and each
 * sink line with its writer (by session or worker id) and its time on the lab's clock.
 */
import type { BackupRecord, SourceTransaction } from '../../shared/binlog.js'
import { commitValue, sinkRecordTime, workerForRecord, type JournalModel, type TaskModel } from './journal-model.js'

/** One line of the sink, read for the checker. */
export interface BackupEntry {
  gtid: string
  seq: number
  index: number
  record: BackupRecord
  worker: string
  /** Lab clock (a skewed worker's own time turned back). */
  time: number
  session?: string
  /** Its place in the sink file. */
  line: number
}

/** A source transaction the backup owes, with its place in binlog order among those owed. */
export interface OwedTransaction {
  txn: SourceTransaction
  order: number
  /** When the source committed it: the ledger's stamp when present, else the binlog's (whole seconds). */
  committedAt: number
}

export interface BackupEvidence {
  /** The position the backup started after: the task's initial lastCommit (0: the whole history). */
  start: number
  /** The initial lastCommit as written ("" or "0" when the task started from the beginning). */
  startValue: string | undefined
  owed: OwedTransaction[]
  /**
   * The history's tail the backup could not have reached: after the last transaction the sink holds,
   * committed within the catch-up allowance before the lab stopped the workers (or after). Not owed.
   */
  unreached: OwedTransaction[]
  /** The allowance, ms: the backup's ordinary lag, max(2 s, 3 commit intervals). */
  catchUpMs: number
  owedByGtid: Map<string, OwedTransaction>
  /** Every GTID of the history (owed or not). */
  history: Map<string, SourceTransaction>
  entries: BackupEntry[]
  /** Each owed (gtid, index)'s lines in sink order. */
  byRow: Map<string, BackupEntry[]>
}

const MIN_CATCH_UP_MS = 2000
const CATCH_UP_INTERVALS = 3

export const rowKey = (gtid: string, index: number) => `${gtid}#${index}`

export function backupEvidence(
  model: JournalModel,
  task: TaskModel,
  backups: readonly BackupRecord[],
  history: readonly SourceTransaction[],
): BackupEvidence {
  const startWrite = initialLastCommit(task)
  const start = commitValue(startWrite) ?? 0
  const owed: OwedTransaction[] = []
  const historyByGtid = new Map<string, SourceTransaction>()
  for (const txn of history) {
    historyByGtid.set(txn.gtid, txn)
    // Transactions without rows (DDL) leave nothing to back up.
    if (txn.rows.length === 0 || txn.seq <= start) continue
    owed.push({ txn, order: owed.length, committedAt: txn.changedAt ?? txn.time })
  }
  const names = new Map<string, string>()
  const entries = backups.map((record, line): BackupEntry => {
    const key = `${record.worker}|${record.session}`
    const sinkRecord = { id: record.seq, worker: record.worker, time: record.time, session: record.session }
    const worker = names.get(key) ?? workerForRecord(model.workers, task.task, sinkRecord)
    names.set(key, worker)
    return {
      gtid: record.gtid,
      seq: record.seq,
      index: record.index,
      record,
      worker,
      time: sinkRecordTime(model.workers, worker, sinkRecord),
      session: record.session,
      line,
    }
  })
  const byRow = new Map<string, BackupEntry[]>()
  for (const e of entries) {
    const key = rowKey(e.gtid, e.index)
    byRow.set(key, [...(byRow.get(key) ?? []), e])
  }
  // The tail committed as the lab was stopping the workers is not owed; one committed well before is.
  const catchUpMs = Math.max(MIN_CATCH_UP_MS, CATCH_UP_INTERVALS * task.commitIntervalMs)
  const stoppedAt = model.teardownAt ?? model.end
  const held = new Set(entries.map((e) => e.gtid))
  const lastHeld = owed.findLastIndex((o) => held.has(o.txn.gtid))
  const cut = owed.findIndex((o, i) => i > lastHeld && o.committedAt > stoppedAt - catchUpMs)
  const unreached = cut < 0 ? [] : owed.splice(cut)
  return {
    start,
    startValue: startWrite,
    owed,
    unreached,
    catchUpMs,
    owedByGtid: new Map(owed.map((o) => [o.txn.gtid, o])),
    history: historyByGtid,
    entries,
    byRow,
  }
}

/**
 * lastCommit as the task was published with it: the node's creation the observer saw, written by no
 * worker. A task published at a GTID is backed up from the transaction after it; without the
 * creation in the journal, from the history's beginning.
 */
function initialLastCommit(task: TaskModel): string | undefined {
  const first = task.commits[0]
  return first && first.epoch === 0 && first.version === 0 && first.writer === undefined ? first.value : undefined
}
