/**
 * The checker's entry point: a session's journal and sinks in, one verdict per invariant per task
 * and every failover's breakdown out. Pure (no clock, no ZooKeeper): the same input gives the same
 * report, after a run, on a reopened session, or live over the events so far.
 */
import type { LabEvent } from '../../shared/events.js'
import { readJournal } from '../journal/journal.js'
import { journalPath, readSinks, type SinkRecord } from '../session-folder/index.js'
import { readSessionTxnLogs, type TxnLogRead } from '../txnlog/read-txn-logs.js'
import { checkCommitMonotonic } from './commit-monotonic.js'
import { failoverBreakdowns } from './failovers.js'
import { buildModel } from './journal-model.js'
import { checkSinglePrimary, workingIntervals } from './single-primary.js'
import { checkSinkIntegrity } from './sink-integrity.js'
import { checkStatusTruth } from './status-truth.js'
import type { CheckInput, CheckReport, Verdict } from './types.js'
import { checkZombieWrites, txnLogEvidence } from './zombie-writes.js'

export function checkSession(input: CheckInput): CheckReport {
  const sinks = input.sinks ?? {}
  const model = buildModel(input.events, sinks, input.options)
  const verdicts: Verdict[] = []
  // ZooKeeper's own record of every write, where the lab has it (its own servers' transaction logs).
  const evidence = input.txnLog ? txnLogEvidence(input.txnLog, model, sinks) : undefined
  for (const task of model.tasks.values()) {
    const intervals = workingIntervals(task)
    verdicts.push(
      checkSinglePrimary(model, task, intervals),
      checkSinkIntegrity(model, task, sinks[task.task]),
      checkCommitMonotonic(model, task),
      checkStatusTruth(model, task, intervals),
    )
    if (evidence) verdicts.push(checkZombieWrites(model, task.task, evidence))
  }
  return {
    ok: verdicts.every((v) => v.ok),
    tasks: [...model.tasks.keys()],
    sessionStart: model.start,
    verdicts,
    failovers: failoverBreakdowns(model),
  }
}

/** A session folder's journal, sinks and ZooKeeper transaction logs (when the lab ran the servers), ready for checkSession. */
export function loadSession(dir: string): {
  events: LabEvent[]
  sinks: Record<string, SinkRecord[]>
  unreadableSinkLines: Record<string, number>
  txnLog?: TxnLogRead
} {
  const { events } = readJournal(journalPath(dir))
  const { sinks, unreadable } = readSinks(dir)
  const txnLog = readSessionTxnLogs(dir)
  return { events, sinks, unreadableSinkLines: unreadable, ...(txnLog ? { txnLog } : {}) }
}

/** Shorthand for a finished session folder. */
export function checkSessionDir(dir: string, options?: CheckInput['options']): CheckReport {
  const { events, sinks, txnLog } = loadSession(dir)
  return checkSession({ events, sinks, txnLog, options })
}
