/**
 * The checker while a session runs: fed every journalled event, it answers with the violations found
 * since it was last asked. It re-checks the whole journal so far (the checks are linear and pure), so
 * the live verdicts and the end-of-run report can never disagree; a violation is handed out once,
 * identified by what it is about, not by how far it has grown since. Re-checks are spaced so they
 * take at most a tenth of a core, however long the journal grows.
 */
import { LabEventTypes, type LabEvent } from '../../shared/events.js'
import { checkSession } from './check-session.js'
import type { TxnLogRead } from '../txnlog/read-txn-logs.js'
import type { SinkRecord } from '../session-folder/index.js'
import type { InvariantCheck } from './invariants.js'
import type { CheckOptions, CheckReport, Violation } from './types.js'

export interface LiveCheckerOptions extends CheckOptions {
  /**
   * drain() re-checks at most this often (ms, default 500): a re-check costs time linear in the
   * journal (about 50 ms per 50,000 events), and views may ask on every batch. report() is always exact.
   */
  minRecheckMs?: number
  /**
   * The share of one core re-checks may take (default 0.1): a re-check that took 80 ms waits at least
   * 800 ms for the next, so a long session's growing journal slows the live verdicts, not the lab.
   * Not applied with minRecheckMs 0.
   */
  maxBusyShare?: number
  /** The clock for minRecheckMs and maxBusyShare (tests). */
  now?: () => number
  /** The session's ZooKeeper transaction logs so far (throttledTxnLogReader), to judge zombie-write live. */
  txnLog?: () => TxnLogRead | undefined
  /**
   * Sinks to judge live instead of `worker.work` events: only for tasks whose workers report no work
   * (external programs, externalSinkReader). Other tasks stay judged from their workers' events.
   */
  liveSinks?: () => Record<string, readonly SinkRecord[]> | undefined
  /** The invariants to judge by (INVARIANT_CHECKS by default; tests pass their own). */
  invariants?: readonly InvariantCheck[]
}

/** A violation handed out, as far as it has grown since. */
interface Seen {
  time: number
  end: number
  ids: Set<number>
  workers: Set<string>
}

export class LiveChecker {
  private readonly events: LabEvent[] = []
  private readonly reported = new Set<string>()
  private readonly seen = new Map<string, Seen[]>()
  private dirty = false
  private last?: CheckReport
  private lastCheckAt = -Infinity
  private readonly minRecheckMs: number
  private readonly maxBusyShare: number
  /** How long drain() waits after a re-check before the next: minRecheckMs, or more after a slow one. */
  private recheckGapMs: number
  private readonly now: () => number

  constructor(private readonly options: LiveCheckerOptions = {}) {
    this.minRecheckMs = options.minRecheckMs ?? 500
    this.recheckGapMs = this.minRecheckMs
    this.maxBusyShare = options.maxBusyShare ?? 0.1
    this.now = options.now ?? Date.now
  }

  onEvent(e: LabEvent): void {
    // Plain output lines say nothing the checker reads; they are a large part of a journal.
    if (e.type === LabEventTypes.log) return
    this.events.push(e)
    this.dirty = true
  }

  /** Violations found since the last call (each one once), in the order they happened. */
  drain(): Violation[] {
    if (this.dirty && this.now() - this.lastCheckAt < this.recheckGapMs) return []
    const fresh: Violation[] = []
    for (const verdict of this.current().verdicts) {
      for (const v of verdict.violations) if (this.isNew(v)) fresh.push(v)
    }
    return fresh.sort((a, b) => a.time - b.time)
  }

  /**
   * Whether a violation was not handed out before. Late lines (another process's event with an
   * earlier version or time) can move where a violation starts, so besides its key, one that overlaps
   * a reported one of the same kind and workers, in time or in ids, is the same one grown.
   */
  private isNew(v: Violation): boolean {
    const key = violationKey(v)
    const group = [v.invariant, v.task, v.kind].join('|')
    const seen = this.seen.get(group) ?? []
    const end = v.endTime ?? v.time
    const workers = new Set(v.workers ?? [])
    // Workers can be learnt late too (the observer's line before the writer's): one set within the other.
    const sameWho = (r: Seen) =>
      v.kind === 'missing' || [...workers].every((w) => r.workers.has(w)) || [...r.workers].every((w) => workers.has(w))
    const overlaps = (r: Seen) => (v.time <= r.end && r.time <= end) || (v.ids ?? []).some((id) => r.ids.has(id))
    const match = seen.find((r) => sameWho(r) && overlaps(r))
    const known = this.reported.has(key) || match !== undefined
    this.reported.add(key)
    if (match) {
      // Remember how far it has grown, so its later shapes still match.
      match.time = Math.min(match.time, v.time)
      match.end = Math.max(match.end, end)
      for (const id of v.ids ?? []) match.ids.add(id)
      for (const w of workers) match.workers.add(w)
    }
    if (known) return false
    this.seen.set(group, [...seen, { time: v.time, end, ids: new Set(v.ids ?? []), workers }])
    return true
  }

  /**
   * The report over the events so far. Without sinks, each sink is judged from the workers'
   * `worker.work` events; pass the sink files' records at the end for the ground truth.
   */
  report(sinks?: Record<string, readonly SinkRecord[]>): CheckReport {
    if (sinks)
      return checkSession(
        { events: this.events, sinks, txnLog: this.options.txnLog?.(), options: this.options },
        this.options.invariants,
      )
    return this.current()
  }

  private current(): CheckReport {
    if (this.dirty || !this.last) {
      const started = this.now()
      this.last = checkSession(
        {
          events: this.events,
          sinks: this.options.liveSinks?.(),
          txnLog: this.options.txnLog?.(),
          options: this.options,
        },
        this.options.invariants,
      )
      this.lastCheckAt = this.now()
      // minRecheckMs 0 asks for a re-check at every drain (a caller that paces itself).
      this.recheckGapMs =
        this.minRecheckMs === 0 ? 0 : Math.max(this.minRecheckMs, (this.lastCheckAt - started) / this.maxBusyShare)
      this.dirty = false
    }
    return this.last
  }
}

/** What a violation is about, stable while it grows (its end, its ids and its evidence may change). */
export function violationKey(v: Violation): string {
  let about: string
  switch (v.kind) {
    case 'missing':
      // A run of missing ids may shrink or split as late records arrive; its first id names it.
      about = String(v.ids?.[0])
      break
    case 'split-brain':
    case 'stopped-while-working':
    case 'running-while-idle':
      about = `${(v.workers ?? []).slice().sort().join('+')}@${v.time}`
      break
    case 'zombie-write':
    case 'commit-regression':
    case 'lost-update':
      // Found in the transaction log: the first write's zxid names it for good.
      about = v.zxids?.[0] ?? String(v.time)
      break
    default:
      // Runs of redone ids and episodes of backward commits grow at their end; their start names them.
      about = `${v.ids?.[0]}@${v.seq ?? v.time}`
  }
  return [v.invariant, v.task, v.kind, about].join('|')
}
