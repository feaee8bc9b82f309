/**
 * The seed primary's unit of work for `--workload binlog`, flaws kept like the rest of seed.ts: it
 * streams from lastCommit without looking at the sink (rows written after the last commit are written
 * again by the next primary), appends with no fence, commits with version -1, and never stops: after
 * its session expired (or a pause) it keeps streaming and writing next to its successor (the zombie).
 */
import { performance } from 'node:perf_hooks'
import { commitPosition, parseGtid } from '../../shared/binlog.js'
import { WorkerEventTypes as E } from '../../shared/events.js'
import { SOURCE_PASSWORD_ENV } from '../../shared/worker-launch/index.js'
import { BinlogStream, sourceAddress } from '../binlog/stream.js'
import { backupLines } from '../binlog/transactions.js'
import type { Emitter } from '../common/emitter.js'
import type { StrategyContext } from './types.js'

export interface SeedPrimary {
  options: StrategyContext['options']
  emit: Emitter['emit']
  /** lastCommit's data as the primary read it when it took over. */
  lastCommit: string
  sessionId(): string
  append(text: string): void
  /** An unconditional set of lastCommit (waits through connection losses); its new version. */
  commit(gtid: string): Promise<number>
}

export async function seedBinlogTask(p: SeedPrimary): Promise<never> {
  const { options, emit } = p
  const start = parseGtid(p.lastCommit)
  let written = start ? p.lastCommit.trim() : ''
  let committedSeq = commitPosition(p.lastCommit) ?? 0
  let rowsSinceCommit = 0
  let lastCommitAt = performance.now()
  const stream = new BinlogStream(
    sourceAddress(options.source!, options.sourceUser!, process.env[SOURCE_PASSWORD_ENV] ?? ''),
    (report) => emit(E.stream, report, report.state === 'error' ? 'warn' : 'info'),
  )
  stream.start(written)
  for (;;) {
    const due = Math.max(0, options.commitIntervalMs - (performance.now() - lastCommitAt))
    const tx = await stream.next(due)
    if (tx) {
      p.append(backupLines(tx, { worker: options.workerId, session: p.sessionId() }))
      emit(E.work, { id: tx.seq, gtid: tx.gtid, rows: tx.rows.length })
      rowsSinceCommit += tx.rows.length
      written = tx.gtid
    }
    const timeUp = performance.now() - lastCommitAt >= options.commitIntervalMs
    if (rowsSinceCommit < options.commitEvents && !timeUp) continue
    lastCommitAt = performance.now()
    const id = commitPosition(written) ?? 0
    if (id === committedSeq) continue
    const gtid = written
    const version = await p.commit(gtid)
    committedSeq = id
    rowsSinceCommit = 0
    emit(E.commit, { id, gtid, version })
  }
}
