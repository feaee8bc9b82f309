/**
 * Invariant backup-integrity (binlog tasks): the sink is the source's binlog, exactly. Every source
 * transaction with rows after the task's initial lastCommit (`owed`, binlog order) is in the sink once
 * per row (gtid, index), first written in binlog order, with the source's table, operation and values.
 * - `missing`: an owed transaction some row of which no line holds (a run of them is one violation);
 * - `duplicate` / `redo-after-crash` / `redo-after-stall`: a row written again, classified like
 *   sink-integrity's repeats (redo.ts), per transaction; consecutive transactions redone the same way
 *   by the same two workers are one violation;
 * - `out-of-order`: a transaction whose first line came after a line of one later in the binlog;
 * - `mismatch`: a line whose table, operation or values differ from the source's row;
 * - `foreign`: lines of a GTID the history does not owe (not in it, before the start, or a row index
 *   past the transaction's rows).
 */
import type { ColumnValue, SourceRow } from '../../shared/binlog.js'
import { backupEvidence, rowKey, type BackupEntry, type BackupEvidence, type OwedTransaction } from './backup.js'
import { contextAround } from './context.js'
import { at, commitValue, seconds, type JournalModel, type TaskModel } from './journal-model.js'
import { classifyRedo, redoReason, type RedoKind } from './redo.js'
import { nearestSeq } from './single-primary.js'
import type { Judgement, Violation, ViolationKind } from './types.js'

export { backupEvidence }

/** One finding about one owed transaction (or one foreign GTID), before runs are grouped. */
interface Finding {
  kind: ViolationKind
  /** Binlog order among the owed (foreign: after every owed one, by line). */
  order: number
  gtid: string
  seq: number
  time: number
  workers: string[]
  /** The finding alone, in words. */
  text: string
  /** Duplicates: the two writers, for grouping a zombie's streak, and when each wrote. */
  pair?: string
  writes?: { earlier: BackupEntry; again: BackupEntry }
}

export function checkBackupIntegrity(model: JournalModel, task: TaskModel, evidence: BackupEvidence): Judgement {
  const findings: Finding[] = []
  for (const owed of evidence.owed) {
    const rows = owed.txn.rows.map((_, index) => evidence.byRow.get(rowKey(owed.txn.gtid, index)) ?? [])
    const absent = rows.flatMap((lines, index) => (lines.length === 0 ? [index] : []))
    if (absent.length > 0) findings.push(missing(model, owed, absent, rows.length))
    const repeated = rows.find((lines) => lines.length > 1)
    if (repeated) findings.push(duplicate(model, task, owed, repeated, Math.max(...rows.map((l) => l.length))))
    const differs = rows.flatMap((lines, index) => lines.filter((l) => !sameRow(l, owed.txn.rows[index])))[0]
    if (differs) findings.push(mismatch(model, owed, differs))
  }
  findings.push(...outOfOrder(model, evidence), ...foreign(model, evidence))
  const violations = group(model, task, findings)
  violations.sort((a, b) => a.time - b.time)

  const count = (kind: ViolationKind) => findings.filter((f) => f.kind === kind).length
  const lastSink = evidence.entries.reduce<BackupEntry | undefined>((m, e) => (!m || e.seq > m.seq ? e : m), undefined)
  const lastCommit = task.commits.at(-1)?.value ?? null
  const rows = evidence.owed.reduce((n, o) => n + o.txn.rows.length, 0)
  const from = evidence.start > 0 ? ` after ${evidence.startValue}` : ''
  const tail = evidence.unreached.length
    ? `; not owed: the last ${evidence.unreached.length}, committed from ${at(model, evidence.unreached[0].committedAt)}, within ${seconds(evidence.catchUpMs)} of the lab stopping the workers`
    : ''
  const problems = (
    [
      ['missing', 'missing'],
      ['done twice', 'duplicate'],
      ['redone after a crash', 'redo-after-crash'],
      ['redone by a live writer', 'redo-after-stall'],
      ['out of order', 'out-of-order'],
      ['mismatched', 'mismatch'],
      ['foreign', 'foreign'],
    ] as const
  )
    .filter(([, kind]) => count(kind) > 0)
    .map(([label, kind]) => `${label}: ${count(kind)}`)
  return {
    invariant: 'backup-integrity',
    task: task.task,
    ok: violations.length === 0,
    violations,
    summary:
      `${evidence.owed.length} source transaction(s), ${rows} row(s)${from} against ${evidence.entries.length} sink line(s): ` +
      (problems.length === 0 ? 'each backed up once, in binlog order, equal to the source' : problems.join('; ')) +
      `; last in sink ${lastSink?.gtid ?? 'none'}, lastCommit ${lastCommit ?? 'none'}${tail}`,
    stats: {
      transactions: evidence.owed.length,
      rows,
      lines: evidence.entries.length,
      unreached: evidence.unreached.length,
      start: evidence.start,
      missing: count('missing'),
      duplicates: count('duplicate'),
      redoAfterCrash: count('redo-after-crash'),
      redoAfterStall: count('redo-after-stall'),
      outOfOrder: count('out-of-order'),
      mismatches: count('mismatch'),
      foreign: count('foreign'),
      lastSinkSeq: lastSink?.seq ?? 0,
      lastCommitSeq: commitValue(lastCommit ?? undefined) ?? 0,
    },
    position: { sinkGtid: lastSink?.gtid ?? null, lastCommit },
  }
}

function sameRow(line: BackupEntry, row: SourceRow | undefined): boolean {
  if (!row) return true // a row index past the transaction's rows is foreign, not a mismatch
  const r = line.record
  return r.table === row.table && r.op === row.op && sameValues(r.values, row.values)
}

function sameValues(a: readonly ColumnValue[], b: readonly ColumnValue[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i])
}

const describeRow = (r: { table: string; op: string; values: readonly ColumnValue[] }) =>
  `${r.op} ${r.table} ${JSON.stringify(r.values)}`

function missing(model: JournalModel, owed: OwedTransaction, absent: number[], rows: number): Finding {
  const part = absent.length === rows ? '' : ` (rows ${absent.join(', ')} of ${rows})`
  return {
    kind: 'missing',
    order: owed.order,
    gtid: owed.txn.gtid,
    seq: owed.txn.seq,
    time: owed.committedAt,
    workers: [],
    text: `${owed.txn.gtid}${part}, committed at ${at(model, owed.committedAt)} (${owed.txn.file}:${owed.txn.position})`,
  }
}

function duplicate(
  model: JournalModel,
  task: TaskModel,
  owed: OwedTransaction,
  lines: readonly BackupEntry[],
  copies: number,
): Finding {
  const [earlier, again] = lines
  const seq = owed.txn.seq
  // Committed: lastCommit reached the transaction after its first write and before the second.
  const commit = task.commits.find(
    (c) => c.time >= earlier.time && c.time <= again.time && (commitValue(c.value) ?? -Infinity) >= seq,
  )
  const { kind, story } = classifyRedo(
    model,
    earlier,
    again,
    commit ? { worker: commit.writer ?? 'a client the journal does not name', time: commit.time } : undefined,
  )
  const writers = lines.map((l) => `${l.worker} at ${at(model, l.time)}`).join(', ')
  const tokens =
    earlier.record.token !== undefined && again.record.token !== undefined
      ? `; fencing tokens ${earlier.record.token} then ${again.record.token}`
      : ''
  return {
    kind,
    order: owed.order,
    gtid: owed.txn.gtid,
    seq,
    time: again.time,
    workers: [...new Set([earlier.worker, again.worker])],
    text: `${owed.txn.gtid} was backed up ${copies} times (${writers}): ${story}${tokens}`,
    pair: `${earlier.worker}|${again.worker}`,
    writes: { earlier, again },
  }
}

function mismatch(model: JournalModel, owed: OwedTransaction, line: BackupEntry): Finding {
  const row = owed.txn.rows[line.index]
  return {
    kind: 'mismatch',
    order: owed.order,
    gtid: owed.txn.gtid,
    seq: owed.txn.seq,
    time: line.time,
    workers: [line.worker],
    text: `${owed.txn.gtid} row ${line.index}: ${line.worker} wrote ${describeRow(line.record)} at ${at(model, line.time)}, the source has ${describeRow(row)}`,
  }
}

/** Each owed transaction whose first line came after a first line of a transaction later in the binlog. */
function outOfOrder(model: JournalModel, evidence: BackupEvidence): Finding[] {
  const seen = new Set<string>()
  const flagged = new Set<string>()
  const found: Finding[] = []
  let ahead: { entry: BackupEntry; order: number } | undefined
  for (const e of evidence.entries) {
    const owed = evidence.owedByGtid.get(e.gtid)
    const key = rowKey(e.gtid, e.index)
    if (!owed || e.index >= owed.txn.rows.length || seen.has(key)) continue
    seen.add(key)
    if (ahead && owed.order < ahead.order) {
      if (!flagged.has(e.gtid)) {
        flagged.add(e.gtid)
        found.push({
          kind: 'out-of-order',
          order: owed.order,
          gtid: e.gtid,
          seq: e.seq,
          time: e.time,
          workers: [...new Set([e.worker, ahead.entry.worker])],
          text: `${e.gtid} was first backed up by ${e.worker} at ${at(model, e.time)}, after ${ahead.entry.gtid} (${ahead.entry.worker} at ${at(model, ahead.entry.time)}), which follows it in the binlog`,
        })
      }
    } else if (!ahead || owed.order > ahead.order) ahead = { entry: e, order: owed.order }
  }
  return found
}

/** Lines of GTIDs the backup does not owe, one finding per GTID, in sink order. */
function foreign(model: JournalModel, evidence: BackupEvidence): Finding[] {
  const byGtid = new Map<string, BackupEntry[]>()
  for (const e of evidence.entries) {
    const owed = evidence.owedByGtid.get(e.gtid)
    if (owed && e.index < owed.txn.rows.length) continue
    byGtid.set(e.gtid, [...(byGtid.get(e.gtid) ?? []), e])
  }
  return [...byGtid].map(([gtid, lines]) => {
    const first = lines[0]
    const inHistory = evidence.history.get(gtid)
    const owed = evidence.owedByGtid.get(gtid)
    const why = owed
      ? `row(s) ${[...new Set(lines.map((l) => l.index))].join(', ')} past its ${owed.txn.rows.length} row(s)`
      : inHistory
        ? inHistory.rows.length === 0
          ? 'a transaction without rows'
          : `at or before the backup's start (${evidence.startValue})`
        : "not in the source's history"
    return {
      kind: 'foreign',
      order: evidence.owed.length + first.line,
      gtid,
      seq: first.seq,
      time: first.time,
      workers: [...new Set(lines.map((l) => l.worker))],
      text: `${gtid} (${lines.length} line(s), first by ${first.worker} at ${at(model, first.time)}): ${why}`,
    }
  })
}

/** Runs of consecutive owed transactions with the same finding (and, for repeats, the same two writers) make one violation. */
function group(model: JournalModel, task: TaskModel, findings: readonly Finding[]): Violation[] {
  const byKind = new Map<ViolationKind, Finding[]>()
  for (const f of findings) byKind.set(f.kind, [...(byKind.get(f.kind) ?? []), f])
  const violations: Violation[] = []
  for (const [kind, list] of byKind) {
    list.sort((a, b) => a.order - b.order)
    let run: Finding[] = []
    const flush = () => {
      if (run.length) violations.push(violation(model, task, kind, run))
      run = []
    }
    for (const f of list) {
      const last = run.at(-1)
      // Foreign GTIDs are listed together whatever their order; owed ones only when consecutive in the binlog.
      if (last && (kind === 'foreign' || (last.order + 1 === f.order && last.pair === f.pair))) run.push(f)
      else {
        flush()
        run = [f]
      }
    }
    flush()
  }
  return violations
}

const MAX_LISTED = 5

function violation(model: JournalModel, task: TaskModel, kind: ViolationKind, run: readonly Finding[]): Violation {
  const first = run[0]
  const span = gtidSpan(run.map((f) => f.gtid))
  const workers = [...new Set(run.flatMap((f) => f.workers))]
  const listed = run
    .slice(0, MAX_LISTED)
    .map((f) => f.text)
    .join('; ')
  const more = run.length > MAX_LISTED ? `; and ${run.length - MAX_LISTED} more` : ''
  const n = run.length
  const head: Record<string, string> = {
    missing: `The backup of ${task.task} lacks ${n} source transaction(s), ${span}: ${listed}${more}.`,
    'out-of-order': `The backup of ${task.task} is out of binlog order at ${span}: ${listed}${more}.`,
    mismatch: `The backup of ${task.task} differs from the source at ${span}: ${listed}${more}.`,
    foreign: `The backup of ${task.task} holds ${n} GTID(s) the source did not owe it: ${listed}${more}.`,
  }
  const message = head[kind] ?? (n === 1 ? `${task.task}: transaction ${first.text}.` : streak(model, task, kind, run))
  const time = Math.min(...run.map((f) => f.time))
  const endTime = Math.max(...run.map((f) => f.time))
  const seq = nearestSeq(model, time)
  return {
    invariant: 'backup-integrity',
    task: task.task,
    kind,
    time,
    ...(endTime > time ? { endTime } : {}),
    seq,
    message,
    workers,
    ids: run.map((f) => f.seq),
    context: contextAround(model.events, seq, { workers, paths: [task.paths.lastCommit] }),
  }
}

/** A run of transactions redone the same way by the same two workers, in one sentence (as sink-integrity's streaks). */
function streak(model: JournalModel, task: TaskModel, kind: ViolationKind, run: readonly Finding[]): string {
  const first = run[0].writes!
  const last = run.at(-1)!.writes!
  const span = (from: BackupEntry, to: BackupEntry) =>
    from.time === to.time ? `at ${at(model, from.time)}` : `from ${at(model, from.time)} to ${at(model, to.time)}`
  return (
    `Transactions ${gtidSpan(run.map((f) => f.gtid))} of ${task.task} were backed up twice: ` +
    `${first.earlier.worker} wrote them ${span(first.earlier, last.earlier)}, and ${first.again.worker} again ${span(first.again, last.again)}; ` +
    `${redoReason(kind as RedoKind, first.earlier.worker)}.`
  )
}

/** GTIDs of a run as words: one GTID, or the first and the last. */
function gtidSpan(gtids: readonly string[]): string {
  return gtids.length === 1 ? gtids[0] : `${gtids[0]} to ${gtids.at(-1)} (${gtids.length})`
}
