/**
 * What the checker takes: the journal, the sinks, the transaction log and its options. What it answers
 * (verdicts, violations, failover breakdowns) is plain data shared by every shell: src/shared/checker-report.ts.
 */
import type { TxnLogRead } from '../txnlog/read-txn-logs.js'
import type { SinkRecord } from '../session-folder/index.js'
import type { LabEvent } from '../../shared/events.js'

export * from '../../shared/checker-report.js'

export interface CheckOptions {
  /**
   * The primary's interval between two units of work, in ms. By default read per task from the
   * workers' command lines in the journal (`--commit-interval`), else 1000; a value given here wins.
   */
  commitIntervalMs?: number
  /** The lab's ZooKeeper root; by default the workers' `--root`, else /customBackUp. */
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
   * invariant is judged per task; without them (an external ZooKeeper, a live check) it is left out.
   */
  txnLog?: TxnLogRead
  options?: CheckOptions
}
