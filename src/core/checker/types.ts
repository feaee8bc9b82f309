/**
 * What the checker takes: the journal, the sinks, the transaction log and its options. What it answers
 * (verdicts, violations, failover breakdowns) is plain data shared by every shell: src/shared/checker-report.ts.
 */
import type { BackupRecord, SourceTransaction } from '../../shared/binlog.js'
import type { TxnLogRead } from '../txnlog/read-txn-logs.js'
import type { SinkRecord } from '../session-folder/index.js'
import type { LabEvent } from '../../shared/events.js'
import type { Verdict } from '../../shared/checker-report.js'

export * from '../../shared/checker-report.js'

export interface CheckOptions {
  /**
   * The primary's interval between two units of work, in ms. By default read per task from the
   * workers' launch settings in the journal (src/shared/worker-launch), else 1000; a value given here wins.
   */
  commitIntervalMs?: number
  /** The lab's ZooKeeper root; by default the workers' launch settings, else /customBackUp. */
  root?: string
}

export interface CheckInput {
  events: readonly LabEvent[]
  /**
   * Each task's sink records, in file order. A task without an entry is judged from its workers'
   * `worker.work` events instead (what the live checker does while the sink is still being written).
   */
  sinks?: Record<string, readonly SinkRecord[]>
  /**
   * ZooKeeper's transaction logs of the session (readSessionTxnLogs): with them, the zombie-write
   * invariant is judged per task; without them (an external ZooKeeper, a live check before the logs
   * are read) its verdicts are "not judged", with the reason.
   */
  txnLog?: TxnLogRead
  /** Binlog tasks' sink lines whole, by task (readSinks' `backups`): backup-integrity and backup-lag judge them. */
  backups?: Record<string, readonly BackupRecord[]>
  /**
   * The binlog source's history, read back by the lab after the run (readSourceHistory): without it,
   * backup-integrity and backup-lag are "not judged", with the reason.
   */
  sourceHistory?: readonly SourceTransaction[]
  /** The saved history could not be read (a line that is not a transaction): the backup verdicts are unknown, with this. */
  sourceHistoryError?: string
  options?: CheckOptions
}

/** What one invariant's judge finds for one task; the registry (invariants.ts) adds the verdict's state. */
export type Judgement = Omit<Verdict, 'state' | 'reason'>
