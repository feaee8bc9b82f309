/**
 * The invariants the checker grades, in one list: each says what it is judged from beyond the journal
 * and the sinks, and how it judges one task. checkSession (and so the live checker, which re-runs it)
 * judges every task by every invariant of the list, each in isolation: one whose judge throws gets an
 * "unknown" verdict with the error and the others still report; one whose evidence the lab lacks gets
 * a "not judged" verdict with the reason instead of being left out.
 */
import type { BackupRecord, SourceTransaction } from '../../shared/binlog.js'
import { isEvent, LabEventTypes } from '../../shared/events.js'
import type { TxnLogRead } from '../txnlog/read-txn-logs.js'
import { backupEvidence, type BackupEvidence } from './backup.js'
import { checkBackupIntegrity } from './backup-integrity.js'
import { checkBackupLag } from './backup-lag.js'
import { checkCommitMonotonic } from './commit-monotonic.js'
import type { JournalModel, TaskModel } from './journal-model.js'
import { checkSinglePrimary, workingIntervals, type WorkingInterval } from './single-primary.js'
import type { SinkRecord } from '../session-folder/index.js'
import { checkSinkIntegrity } from './sink-integrity.js'
import { checkStatusTruth } from './status-truth.js'
import { VERDICT_STATE_OK, type InvariantName, type Judgement, type Verdict, type VerdictState } from './types.js'
import { checkZombieWrites, txnLogEvidence, type TxnLogEvidence } from './zombie-writes.js'

/**
 * What an invariant may need besides the journal and the sinks: ZooKeeper's transaction log of the
 * session, or the binlog source's history the lab reads back after a run (`source/binlog.jsonl`).
 */
export type Evidence = 'txn-log' | 'source-history'

/** Why an invariant that needs the evidence is not judged without it. */
const WITHOUT: Record<Evidence, string> = {
  'txn-log':
    'no ZooKeeper transaction log: the lab did not run the servers (an external ZooKeeper), or the live check has not read it yet',
  'source-history':
    "no source history: the lab has not read the binlog source's history back (source/binlog.jsonl), which it does after the run",
}

/** The binlog workload's evidence: each task's backup lines, and the source's history. */
export interface BinlogEvidence {
  backups?: Record<string, readonly BackupRecord[]>
  sourceHistory?: readonly SourceTransaction[]
  /** The history was saved but cannot be read: judged, and unknown with this error. */
  sourceHistoryError?: string
}

/** What a judge gets: the session's model and one of its tasks, with what the invariants share worked out once. */
export interface JudgeInput {
  model: JournalModel
  task: TaskModel
  /** This task's sink records, when the checker was given them (else its workers' `worker.work` stand in). */
  sink?: readonly SinkRecord[]
  /** The task's working intervals (single-primary and status-truth judge from the same ones). */
  intervals(): WorkingInterval[]
  /** The transaction log read for the checker; there only for invariants that need 'txn-log'. */
  txnLog(): TxnLogEvidence
  /** This task's backup lines (binlog workload), when its sink holds any. */
  backups?: readonly BackupRecord[]
  /** The backup against the source's history; there only for invariants that need 'source-history'. */
  backup(): BackupEvidence
}

export interface InvariantCheck {
  name: InvariantName
  /**
   * Why the invariant does not apply to this task (its workload), if so: asked before anything else.
   * Such a task gets no verdict for it at all (a counter has no backup to judge; a binlog sink is
   * judged by backup-integrity), so "not judged" keeps meaning "evidence missing".
   */
  appliesTo?(input: JudgeInput): string | undefined
  /** Evidence without which the invariant is not judged. */
  needs: readonly Evidence[]
  /** Why this task's own evidence cannot judge it (no sink, no working evidence), if so. */
  unjudged?(input: JudgeInput): string | undefined
  judge(input: JudgeInput): Judgement
}

/**
 * A task whose lastCommit moved while nothing says who worked: no worker reported its work, none kept
 * a sink, and the election named no primary at those writes. Judging it would call that nobody worked.
 */
function noWorkingEvidence({ task }: JudgeInput): string | undefined {
  if (task.work.length > 0 || task.commits.length === 0) return undefined
  return `no working evidence: lastCommit of ${task.task} was written ${task.commits.length} time(s), but no worker reported its work, none kept a sink and no primary was derived from the election`
}

/** A task none of whose workers wrote a sink record (nor reported an append): there is nothing to judge. */
function noSink({ model, task, sink }: JudgeInput): string | undefined {
  if ((sink && sink.length > 0) || task.work.some((w) => w.what === 'work')) return undefined
  if (task.commits.length === 0) return undefined
  return `no sink: ${programOf(model, task)} keeps none`
}

/** A task whose primaries back up a binlog: launched with the binlog workload, or whose sink holds backup lines. */
function isBinlogTask({ task, backups }: JudgeInput): boolean {
  return task.workload === 'binlog' || (backups?.length ?? 0) > 0
}

const onlyBinlog = (input: JudgeInput) =>
  isBinlogTask(input) ? undefined : `${input.task.task} runs the counter workload: this invariant judges binlog backups`

const notForBinlog = (input: JudgeInput) =>
  isBinlogTask(input)
    ? `${input.task.task} backs up a binlog: backup-integrity judges its sink against the source's binlog`
    : undefined

/** How the task's program is named: the peer or strategy its workers were launched as, else the workers. */
function programOf(model: JournalModel, task: TaskModel): string {
  const strategies = new Set<string>()
  for (const e of model.events)
    if (isEvent(e, LabEventTypes.processSpawned) && task.workers.includes(e.name)) {
      const strategy = e.labels?.strategy
      strategies.add(typeof strategy === 'string' && strategy !== 'external' ? strategy : `${e.name}'s program`)
    }
  return strategies.size > 0 ? [...strategies].sort().join(' and ') : `the workers of ${task.task}`
}

/** Every invariant the checker grades, in the order its verdicts are listed (INVARIANTS). */
export const INVARIANT_CHECKS: readonly InvariantCheck[] = [
  {
    name: 'single-primary',
    needs: [],
    unjudged: noWorkingEvidence,
    judge: ({ model, task, intervals }) => checkSinglePrimary(model, task, intervals()),
  },
  {
    name: 'sink-integrity',
    appliesTo: notForBinlog,
    needs: [],
    unjudged: noSink,
    judge: ({ model, task, sink }) => checkSinkIntegrity(model, task, sink),
  },
  { name: 'commit-monotonic', needs: [], judge: ({ model, task }) => checkCommitMonotonic(model, task) },
  {
    name: 'status-truth',
    needs: [],
    unjudged: noWorkingEvidence,
    judge: ({ model, task, intervals }) => checkStatusTruth(model, task, intervals()),
  },
  {
    name: 'zombie-write',
    needs: ['txn-log'],
    judge: ({ model, task, txnLog }) => checkZombieWrites(model, task.task, txnLog()),
  },
  {
    name: 'backup-integrity',
    appliesTo: onlyBinlog,
    needs: ['source-history'],
    judge: ({ model, task, backup }) => checkBackupIntegrity(model, task, backup()),
  },
  {
    name: 'backup-lag',
    appliesTo: onlyBinlog,
    needs: ['source-history'],
    judge: ({ task, backup }) => checkBackupLag(task, backup()),
  },
]

/** One verdict per invariant that applies to a task, tasks in the model's order, invariants in the list's. */
export function judgeSession(
  model: JournalModel,
  sinks: Record<string, readonly SinkRecord[]>,
  txnLog: TxnLogRead | undefined,
  invariants: readonly InvariantCheck[] = INVARIANT_CHECKS,
  evidence: () => TxnLogEvidence = lazyTxnLogEvidence(model, sinks, txnLog),
  binlog: BinlogEvidence = {},
): Verdict[] {
  const available = new Set<Evidence>([
    ...(txnLog ? (['txn-log'] as const) : []),
    ...(binlog.sourceHistory || binlog.sourceHistoryError ? (['source-history'] as const) : []),
  ])
  const verdicts: Verdict[] = []
  for (const task of model.tasks.values()) {
    const backups = binlog.backups?.[task.task]
    const input: JudgeInput = {
      model,
      task,
      sink: sinks[task.task],
      intervals: once(() => workingIntervals(task)),
      txnLog: evidence,
      backups,
      backup: once(() => {
        if (!binlog.sourceHistory)
          throw new Error(`the source history cannot be read: ${binlog.sourceHistoryError ?? 'none given'}`)
        return backupEvidence(model, task, backups ?? [], binlog.sourceHistory)
      }),
    }
    for (const invariant of invariants)
      if (invariant.appliesTo?.(input) === undefined) verdicts.push(judgeOne(invariant, input, available))
  }
  return verdicts
}

function judgeOne(invariant: InvariantCheck, input: JudgeInput, available: ReadonlySet<Evidence>): Verdict {
  const lacking = invariant.needs.find((n) => !available.has(n))
  if (lacking) return unjudged(invariant.name, input.task.task, 'not-judged', WITHOUT[lacking], WITHOUT[lacking])
  try {
    const reason = invariant.unjudged?.(input)
    if (reason) return unjudged(invariant.name, input.task.task, 'not-judged', reason, `not judged: ${reason}`)
    const { invariant: name, task, ...found } = invariant.judge(input)
    const state: VerdictState = found.ok ? 'ok' : 'fail'
    return { invariant: name, task, state, ...found }
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err)
    return unjudged(
      invariant.name,
      input.task.task,
      'unknown',
      reason,
      `could not be judged: the check failed (${reason})`,
    )
  }
}

function unjudged(
  invariant: InvariantName,
  task: string,
  state: 'unknown' | 'not-judged',
  reason: string,
  summary: string,
): Verdict {
  return { invariant, task, state, ok: VERDICT_STATE_OK[state], reason, violations: [], summary }
}

/**
 * The transaction log read once for every task and the failover breakdowns, on first use; a log that
 * cannot be read makes each zombie-write verdict "unknown".
 */
export function lazyTxnLogEvidence(
  model: JournalModel,
  sinks: Record<string, readonly SinkRecord[]>,
  txnLog: TxnLogRead | undefined,
): () => TxnLogEvidence {
  return once(() => {
    if (!txnLog) throw new Error('no transaction log')
    return txnLogEvidence(txnLog, model, sinks)
  })
}

/** The value of `compute` on first call, the same value (or the same error) after. */
function once<T>(compute: () => T): () => T {
  let done: { value: T } | { error: unknown } | undefined
  return () => {
    done ??= (() => {
      try {
        return { value: compute() }
      } catch (error) {
        return { error }
      }
    })()
    if ('error' in done) throw done.error
    return done.value
  }
}
