/**
 * backup-lag (binlog tasks): how far the backup trailed the source. For each owed transaction that
 * reached the sink, source commit (the ledger's `changedAt` stamp, else the binlog's whole-second
 * time) → its first sink line's time on the lab's clock. A measurement, not a promise: the verdict
 * never fails on lag (its state is ok, the numbers are in `stats` and `lagSeries`); a transaction
 * never backed up is backup-integrity's `missing`, counted here as `unbacked`.
 */
import { percentile } from '../../shared/percentile.js'
import type { LagSeries } from '../../shared/checker-report.js'
import { seconds } from '../../shared/format.js'
import { rowKey, type BackupEvidence } from './backup.js'
import type { TaskModel } from './journal-model.js'
import type { Judgement } from './types.js'

/** The chart's points at most: the bucket grows past 1 s for long runs. */
export const MAX_LAG_POINTS = 600
const MIN_BUCKET_MS = 1000

export function checkBackupLag(task: TaskModel, evidence: BackupEvidence): Judgement {
  const lags: Array<{ at: number; ms: number }> = []
  let unbacked = 0
  for (const owed of evidence.owed) {
    const firstWrite = owed.txn.rows
      .flatMap((_, index) => evidence.byRow.get(rowKey(owed.txn.gtid, index)) ?? [])
      .reduce((min, e) => Math.min(min, e.time), Infinity)
    if (firstWrite === Infinity) unbacked++
    else lags.push({ at: owed.committedAt, ms: firstWrite - owed.committedAt })
  }
  const sorted = lags.map((l) => l.ms).sort((a, b) => a - b)
  const p50 = percentile(sorted, 50)
  const p99 = percentile(sorted, 99)
  const max = sorted.at(-1) ?? null
  const fine = evidence.owed.some((o) => o.txn.changedAt !== undefined)
  return {
    invariant: 'backup-lag',
    task: task.task,
    ok: true,
    violations: [],
    summary:
      lags.length === 0
        ? `no transaction backed up yet${unbacked ? ` (${unbacked} owed)` : ''}`
        : `source commit → backup: p50 ${seconds(p50)}, p99 ${seconds(p99)}, max ${seconds(max)} over ${lags.length} transaction(s)` +
          `${unbacked ? `; ${unbacked} never backed up` : ''}${fine ? '' : ' (binlog times: whole seconds)'}`,
    stats: {
      transactions: lags.length,
      unbacked,
      unreached: evidence.unreached.length,
      ...(p50 !== null ? { p50Ms: p50 } : {}),
      ...(p99 !== null ? { p99Ms: p99 } : {}),
      ...(max !== null ? { maxMs: max } : {}),
    },
    lagSeries: lagSeries(lags),
  }
}

/** The worst lag per bucket of source commit time (1 s, or wider so a long run stays under MAX_LAG_POINTS). */
export function lagSeries(lags: ReadonlyArray<{ at: number; ms: number }>): LagSeries {
  if (lags.length === 0) return { bucketMs: MIN_BUCKET_MS, points: [] }
  const first = lags.reduce((m, l) => Math.min(m, l.at), Infinity)
  const last = lags.reduce((m, l) => Math.max(m, l.at), -Infinity)
  const bucketMs = Math.max(MIN_BUCKET_MS, Math.ceil((last - first + 1) / MAX_LAG_POINTS / 1000) * 1000)
  const buckets = new Map<number, { maxMs: number; transactions: number }>()
  for (const l of lags) {
    const time = first + Math.floor((l.at - first) / bucketMs) * bucketMs
    const b = buckets.get(time) ?? { maxMs: -Infinity, transactions: 0 }
    buckets.set(time, { maxMs: Math.max(b.maxMs, l.ms), transactions: b.transactions + 1 })
  }
  return {
    bucketMs,
    points: [...buckets].sort((a, b) => a[0] - b[0]).map(([time, b]) => ({ time, ...b })),
  }
}
