/**
 * The recipe primary's unit of work for `--workload binlog`: back up the source's binlog. The
 * election, the session and the fenced commit stay recipe.ts's; this is the loop a primary runs
 * after takeover instead of the counter's. The protocol is in src/worker/README.md ("The binlog
 * workload"). In short:
 * - resume after the later of lastCommit and the sink's last row (skipping rows the sink holds);
 * - a transaction's rows are buffered until its commit, then appended, each append behind the sink
 *   fence (same session, connected, a lease renewed by a read of lastCommit when it is stale);
 * - every --commit-events rows or --commit-interval ms, a fenced commit of the last GTID written;
 * - suspended (connection lost) or stepping down: the stream stops at once and its buffer is dropped;
 * - a stream error restarts the stream from the last transaction it delivered, with a backoff, for
 *   as long as the candidacy lasts (a source that is gone keeps the primary waiting, not stepping down).
 */
import { performance } from 'node:perf_hooks'
import { commitPosition, parseGtid } from '../../shared/binlog.js'
import { WorkerEventTypes as E } from '../../shared/events.js'
import { SOURCE_PASSWORD_ENV } from '../../shared/worker-launch/index.js'
import { BinlogStream, sourceAddress } from '../binlog/stream.js'
import { backupLines, claimLine, firstMissingRow, resumePlan, type ResumePlan } from '../binlog/transactions.js'
import type { Emitter } from '../common/emitter.js'
import type { StepDownReason } from './recipe.js'
import { binlogWriteVoidInFile, readBinlogSinkTailOfFile } from './sink-tail.js'
import type { StrategyContext } from './types.js'

const now = () => performance.now()

/** What recipe.ts lends the binlog loop for one candidacy. Everything awaited rejects when it ends. */
export interface RecipePrimary {
  options: StrategyContext['options']
  emit: Emitter['emit']
  /** Rejects when the candidacy ends. */
  over: Promise<never>
  race<T>(p: Promise<T>): Promise<T>
  sessionId(): string
  /** Resolves once connected on this candidacy's session. */
  connected(): Promise<void>
  isConnected(): boolean
  /** Called on a connection loss (the primary is suspended); returns the unsubscribe. */
  onSuspend(listener: () => void): () => void
  leaving(): boolean
  /** Sets status "1" unless the takeover read it so. */
  markWorking(): Promise<void>
  /** Reads lastCommit (which also renews the lease). */
  readCommit(): Promise<{ data: string; version: number }>
  /** The sink fence, synchronous: same session, connected, and the lease of the last answered request holds. */
  leaseHolds(): boolean
  /** Its leadership epoch: its election node's sequence number (a successor's is always later). */
  epoch(): number
  append(text: string): void
  /** A fenced set of lastCommit: its new version, or undefined when not applied. Throws to step down. */
  commit(value: string, id: number, version: number): Promise<number | undefined>
  stepDown(reason: StepDownReason): Error
  /** After the first commit: start following the other registrations (for a quick hand-over). */
  committedOnce(): void
  /** Marks a commit in flight, which shutdown lets finish. */
  track(step: Promise<unknown>): void
}

/** The sequence number of a GTID position ('' and '0' are 0). */
const seqOf = (gtid: string): number => commitPosition(gtid) ?? 0

export async function leadBinlog(
  p: RecipePrimary,
  commit: { data: Buffer; stat: { version: number } },
): Promise<never> {
  const { options, emit } = p
  let held = { gtid: commit.data.toString('utf8').trim(), version: commit.stat.version }
  const epoch = p.epoch()
  // Claim the sink before reading its tail: a deposed primary's line that lands after this (it was
  // paused between its lease check and its write) is void, so what the tail shows now is final.
  if (!p.leaseHolds()) {
    const read = await p.readCommit()
    if (read.version !== held.version) throw p.stepDown('badversion')
  }
  if (!p.leaseHolds()) throw p.stepDown('lease')
  const endsClean = readBinlogSinkTailOfFile(options.sink).endsClean
  p.append((endsClean ? '' : '\n') + claimLine(epoch, { worker: options.workerId, session: p.sessionId() }))
  const tail = readBinlogSinkTailOfFile(options.sink)
  const plan: ResumePlan = resumePlan(held.gtid, tail.last)
  emit(E.reconciled, {
    lastCommit: seqOf(held.gtid),
    sinkLast: tail.last?.seq ?? 0,
    appended: [],
    fastForwardTo: null,
    resumeAfter: plan.after,
    ...(plan.skip ? { skip: plan.skip } : {}),
  })
  if (p.leaving()) return p.over
  await p.markWorking()

  /** The last transaction wholly in the sink ('' = none yet): where the stream restarts and what is committed. */
  let written = plan.after
  let skip = plan.skip
  let newline = !tail.endsClean // a torn last line: the next append starts on a line of its own
  let rowsSinceCommit = 0
  let lastCommitAt = now()
  let committed = false

  const stream = new BinlogStream(
    sourceAddress(options.source!, options.sourceUser!, process.env[SOURCE_PASSWORD_ENV] ?? ''),
    (report) => emit(E.stream, report, report.state === 'error' ? 'warn' : 'info'),
  )
  // Suspended or over: stop streaming at once (the buffer is dropped; a restart resumes after `written`).
  const offSuspend = p.onSuspend(() => stream.stop())
  p.over.catch(() => stream.stop())

  try {
    for (;;) {
      if (p.leaving()) {
        stream.stop()
        return await p.over // shutdown closes the session
      }
      if (!p.isConnected()) {
        stream.stop()
        await p.connected()
        continue
      }
      if (!stream.running) stream.start(written)

      const due = Math.max(0, options.commitIntervalMs - (now() - lastCommitAt))
      const tx = await p.race(stream.next(due))
      if (tx && p.isConnected() && !p.leaving()) {
        const from = firstMissingRow(tx, skip)
        skip = undefined // the stream starts at the skipped transaction itself, so it is the first one
        if (from < tx.rows.length) {
          if (!p.leaseHolds()) {
            // Renew the lease: a reply to a read sent now, which also proves nobody committed since.
            const read = await p.readCommit()
            if (read.version !== held.version) {
              emit(E.fenced, { id: tx.seq, version: held.version, reason: 'badversion' }, 'warn')
              throw p.stepDown('badversion')
            }
          }
          // The sink fence, with no await between it and the append.
          if (!p.leaseHolds()) {
            emit(E.fenced, { id: tx.seq, version: held.version, reason: 'lease' }, 'warn')
            throw p.stepDown('lease')
          }
          const writer = { worker: options.workerId, session: p.sessionId(), token: held.version, epoch }
          p.append((newline ? '\n' : '') + backupLines(tx, writer, from))
          newline = false
          // A pause between the fence and the write (SIGSTOP, a stalled VM) is seen afterwards as a
          // lease that ran out meanwhile. A successor may have claimed the sink before the line
          // landed: then the line is void, and this primary is deposed.
          if (!p.leaseHolds() && binlogWriteVoidInFile(options.sink, tx.gtid, epoch)) {
            emit(E.fenced, { id: tx.seq, version: held.version, reason: 'claim' }, 'warn')
            throw p.stepDown('lease')
          }
          emit(E.work, { id: tx.seq, gtid: tx.gtid, rows: tx.rows.length - from })
          rowsSinceCommit += tx.rows.length - from
        }
        written = tx.gtid
      }

      const pending = seqOf(written) > seqOf(held.gtid)
      const timeUp = now() - lastCommitAt >= options.commitIntervalMs
      if (!pending) {
        if (timeUp) lastCommitAt = now()
        continue
      }
      if (rowsSinceCommit < options.commitEvents && !timeUp) continue
      if (!p.isConnected() || p.leaving()) continue
      const gtid = written
      const id = parseGtid(gtid)!.seq
      const step = p.commit(gtid, id, held.version)
      p.track(step)
      const version = await step
      if (version === undefined) continue // not applied: the next turn commits again
      held = { gtid, version }
      rowsSinceCommit = 0
      lastCommitAt = now()
      emit(E.commit, { id, gtid, version })
      if (!committed) p.committedOnce()
      committed = true
    }
  } finally {
    offSuspend()
    stream.stop()
  }
}
