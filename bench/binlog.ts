/**
 * Measurement 7: the binlog workload, per strategy. Each cell is a lab session with its own private
 * MariaDB source (the lab runs it like its ZooKeeper; `lab.closeSession()` stops it), and the lab's
 * task workers backing up its binlog.
 *
 * - throughput: the source is loaded with a backlog first (the load generator's burst, as fast as one
 *   connection commits), then one worker starts from the binlog's beginning; rows per second between its
 *   first and last sink write, read from the sink.
 * - lag under load: one worker streaming while the generator commits at a steady rate; the checker's
 *   backup-lag verdict (source commit → first sink write) over the session.
 * - failover: kill and stop of the primary of three while the source is under load. Read off the sink
 *   and the source's history after the session: the gap (fault → the successor's first sink write) and
 *   the catch-up (fault → the first write of a transaction at most 1 s behind its source commit); and
 *   the checker's backup-integrity verdict over the cell.
 */
import { Lab } from '../src/core/lab.js'
import { readSink, sinkPath, sourceHistoryPath } from '../src/core/session-folder/index.js'
import { readSourceHistory } from '../src/core/mariadb/history.js'
import { parseGtid, type BackupRecord } from '../src/shared/binlog.js'
import type { Verdict } from '../src/shared/checker-report.js'
import { LabEventTypes, WorkerEventTypes } from '../src/shared/events.js'
import type { TaskWorkerStrategy } from '../src/shared/worker-launch/index.js'
import { existsSync } from 'node:fs'
import { Cell } from './lib/cell.js'
import { summarize, type Summary } from './lib/stats.js'
import { fmtMs, fmtNum, table } from './lib/table.js'
import { sleep, waitUntil } from './lib/wait.js'

export type BinlogFault = 'kill' | 'stop'
export const BINLOG_FAULTS: BinlogFault[] = ['kill', 'stop']

export interface BinlogConfig {
  sessionsDir: string
  strategies: TaskWorkerStrategy[]
  /** Transactions committed before the throughput worker starts. */
  backlog: number
  /** Steady load generator rates (transactions/s) the lag is measured at. */
  rates: number[]
  /** How long each rate runs. */
  windowMs: number
  reps: number
  faults: BinlogFault[]
  /** The load (transactions/s) the failover faults land under. */
  failoverRate: number
  workers: number
  sessionTimeoutMs: number
  tickTimeMs: number
  commitIntervalMs: number
  /** "Caught up": a written transaction at most this far behind its source commit. */
  caughtUpMs: number
  log: (line: string) => void
}

export interface ThroughputRow {
  strategy: string
  /** Transactions in the backlog (per the source's position) and how fast the generator committed them. */
  backlogTransactions: number
  fillTxPerSec: number | null
  rows: number
  transactions: number
  /** First → last sink write. */
  writeMs: number | null
  rowsPerSec: number | null
  txPerSec: number | null
  /** addWorkers → last sink write: the process start, the election and the stream's connect included. */
  endToEndMs: number | null
  problem?: string
}

export interface LagRow {
  strategy: string
  rate: number
  /** Transactions the checker measured, and that per second of the window (all were committed in it). */
  transactions: number | null
  achievedTxPerSec: number | null
  p50Ms: number | null
  p99Ms: number | null
  maxMs: number | null
  unbacked: number | null
  problem?: string
}

export interface BinlogFailoverRep {
  rep: number
  from: string
  faultTime?: number
  /** Fault → the first sink write by another worker. */
  gapMs: number | null
  /** Fault → the first write (by another worker) of a transaction at most caughtUpMs behind its commit. */
  catchUpMs: number | null
  problem?: string
}

export interface BinlogFailoverCell {
  strategy: string
  fault: BinlogFault
  reps: BinlogFailoverRep[]
  gap: Summary
  catchUp: Summary
  integrityOk: boolean | null
  integritySummary: string
  /** backup-integrity's violations by kind (redo-after-crash, duplicate, missing, …): transactions named. */
  violations: Record<string, number>
  lag: { p50Ms: number | null; p99Ms: number | null; maxMs: number | null }
  durationMs: number
}

export interface BinlogResult {
  config: Omit<BinlogConfig, 'log' | 'sessionsDir'>
  throughput: ThroughputRow[]
  lag: LagRow[]
  failover: BinlogFailoverCell[]
}

const TASK = 'task01'

export async function runBinlog(config: BinlogConfig): Promise<BinlogResult> {
  const throughput: ThroughputRow[] = []
  const lag: LagRow[] = []
  const failover: BinlogFailoverCell[] = []
  const lab = new Lab()
  try {
    for (const strategy of config.strategies) throughput.push(await runThroughput(lab, config, strategy))
    for (const strategy of config.strategies)
      for (const rate of config.rates) lag.push(await runLag(lab, config, strategy, rate))
    for (const strategy of config.strategies)
      for (const fault of config.faults) failover.push(await runFailoverCell(lab, config, strategy, fault))
  } finally {
    // Stops the source, ZooKeeper and the workers of a cell an error left open.
    await lab.dispose()
  }
  const { log: _log, sessionsDir: _dir, ...rest } = config
  return { config: rest, throughput, lag, failover }
}

/** A session with its ZooKeeper, the MariaDB source (generator idle) and the task published. */
async function openCell(lab: Lab, config: BinlogConfig, name: string): Promise<Cell> {
  const cell = await Cell.open(lab, { sessionsDir: config.sessionsDir, name, tickTimeMs: config.tickTimeMs })
  try {
    await lab.startSource({ rate: 0 })
    await lab.publishTask({ task: TASK })
  } catch (err) {
    await cell.close()
    throw err
  }
  return cell
}

function addBinlogWorkers(cell: Cell, config: BinlogConfig, strategy: TaskWorkerStrategy, count: number) {
  return cell.addWorkers({
    task: TASK,
    count,
    strategy,
    workload: 'binlog',
    commitIntervalMs: config.commitIntervalMs,
    sessionTimeoutMs: config.sessionTimeoutMs,
  })
}

/** The source's GTID sequence number as its last position event said (0 before any). */
function sourceSeq(cell: Cell): number {
  return parseGtid(cell.state.source?.gtid ?? '')?.seq ?? 0
}

/** The source's position polled until it stays put (the load stopped, or it is idle), then the seq. */
async function settledSourceSeq(cell: Cell, timeoutMs: number): Promise<number> {
  const deadline = Date.now() + timeoutMs
  let seq = sourceSeq(cell)
  let since = Date.now()
  while (Date.now() < deadline) {
    await sleep(250)
    const now = sourceSeq(cell)
    if (now !== seq) {
      seq = now
      since = Date.now()
    } else if (Date.now() - since > 2500) break
  }
  return seq
}

/** Waits until the task's lastCommit reaches `seq` (the primary backed up everything up to it). */
function backedUpTo(cell: Cell, seq: number, timeoutMs: number): Promise<boolean> {
  return waitUntil(() => cell.lastCommit(TASK) >= seq, timeoutMs, 50)
}

function readBackups(sessionDir: string): BackupRecord[] {
  const path = sinkPath(sessionDir, TASK)
  return existsSync(path) ? readSink(path).backups : []
}

function verdictOf(lab: Lab, invariant: Verdict['invariant']): Verdict | undefined {
  return lab.checkReport()?.verdicts.find((v) => v.invariant === invariant && v.task === TASK)
}

async function runThroughput(lab: Lab, config: BinlogConfig, strategy: TaskWorkerStrategy): Promise<ThroughputRow> {
  const say = (line: string) => config.log(`  [binlog throughput ${strategy}] ${line}`)
  const cell = await openCell(lab, config, `bench-binlog-throughput-${strategy}`)
  const row: ThroughputRow = {
    strategy,
    backlogTransactions: 0,
    fillTxPerSec: null,
    rows: 0,
    transactions: 0,
    writeMs: null,
    rowsPerSec: null,
    txPerSec: null,
    endToEndMs: null,
  }
  const sessionDir = lab.sessionDir!
  let started: number | undefined
  try {
    const s0 = await settledSourceSeq(cell, 10_000)
    const fillStart = Date.now()
    await lab.sourceLoad({ burst: config.backlog })
    // The generator commits one transaction at a time; allow it 50/s at the very least.
    const filled = await waitUntil(() => sourceSeq(cell) >= s0 + config.backlog, (config.backlog / 50) * 1000, 200)
    const target = await settledSourceSeq(cell, 10_000)
    row.backlogTransactions = target - s0
    row.fillTxPerSec = (1000 * row.backlogTransactions) / (Date.now() - fillStart)
    if (!filled) say(`the backlog reached ${row.backlogTransactions} of ${config.backlog} transactions`)
    say(`backlog of ${row.backlogTransactions} transactions (${fmtNum(row.fillTxPerSec, 0)}/s); starting one worker`)
    started = Date.now()
    await addBinlogWorkers(cell, config, strategy, 1)
    if (!(await backedUpTo(cell, target, 120_000))) row.problem = 'the worker did not reach the end within 120 s'
  } finally {
    await cell.close()
  }
  const backups = readBackups(sessionDir)
  if (backups.length > 1) {
    const first = Math.min(...backups.map((b) => b.time))
    const last = Math.max(...backups.map((b) => b.time))
    row.rows = backups.length
    row.transactions = new Set(backups.map((b) => b.seq)).size
    row.writeMs = last - first
    row.rowsPerSec = row.writeMs > 0 ? (1000 * row.rows) / row.writeMs : null
    row.txPerSec = row.writeMs > 0 ? (1000 * row.transactions) / row.writeMs : null
    row.endToEndMs = started !== undefined ? last - started : null
  } else row.problem ??= 'nothing backed up'
  say(
    `${row.rows} rows in ${fmtMs(row.writeMs)} ms: ${fmtNum(row.rowsPerSec, 0)} rows/s${row.problem ? ` (${row.problem})` : ''}`,
  )
  return row
}

async function runLag(lab: Lab, config: BinlogConfig, strategy: TaskWorkerStrategy, rate: number): Promise<LagRow> {
  const say = (line: string) => config.log(`  [binlog lag ${strategy} ${rate}/s] ${line}`)
  const cell = await openCell(lab, config, `bench-binlog-lag-${strategy}-${rate}`)
  const row: LagRow = {
    strategy,
    rate,
    transactions: null,
    achievedTxPerSec: null,
    p50Ms: null,
    p99Ms: null,
    maxMs: null,
    unbacked: null,
  }
  try {
    // The worker is streaming before the load starts, so every measured transaction is committed under it.
    await addBinlogWorkers(cell, config, strategy, 1)
    const elected = await waitUntil(() => cell.primaries(TASK).length === 1, 30_000)
    if (!elected) row.problem = 'no primary within 30 s'
    else {
      await backedUpTo(cell, await settledSourceSeq(cell, 5000), 10_000)
      await lab.sourceLoad({ rate })
      await sleep(config.windowMs)
      await lab.sourceLoad({ rate: 0 })
      const end = await settledSourceSeq(cell, 10_000)
      if (!(await backedUpTo(cell, end, 30_000))) row.problem = 'the backup did not reach the source within 30 s'
    }
  } finally {
    await cell.close()
  }
  const v = verdictOf(lab, 'backup-lag')
  if (v?.stats) {
    row.transactions = v.stats.transactions ?? null
    row.achievedTxPerSec = row.transactions !== null ? (1000 * row.transactions) / config.windowMs : null
    row.p50Ms = v.stats.p50Ms ?? null
    row.p99Ms = v.stats.p99Ms ?? null
    row.maxMs = v.stats.maxMs ?? null
    row.unbacked = v.stats.unbacked ?? null
  } else row.problem ??= `no backup-lag verdict${v ? ` (${v.summary})` : ''}`
  say(
    `p50 ${fmtMs(row.p50Ms)} ms, p99 ${fmtMs(row.p99Ms)} ms, max ${fmtMs(row.maxMs)} ms over ${row.transactions ?? '—'} transactions${row.problem ? ` (${row.problem})` : ''}`,
  )
  return row
}

async function runFailoverCell(
  lab: Lab,
  config: BinlogConfig,
  strategy: TaskWorkerStrategy,
  fault: BinlogFault,
): Promise<BinlogFailoverCell> {
  const started = Date.now()
  const say = (line: string) => config.log(`  [binlog failover ${strategy}/${fault}] ${line}`)
  const cell = await openCell(lab, config, `bench-binlog-failover-${strategy}-${fault}`)
  const reps: BinlogFailoverRep[] = []
  const workerIds = new Map<string, number>()
  const sessionDir = lab.sessionDir!
  try {
    // The load starts once a primary streams, so the cell's lag is the faults' and not the workers' start-up.
    await addBinlogWorkers(cell, config, strategy, config.workers)
    await waitUntil(() => cell.primaries(TASK).length === 1, 60_000)
    await lab.sourceLoad({ rate: config.failoverRate })
    for (let rep = 1; rep <= config.reps; rep++) {
      const primary = await cell.steady(TASK, config.workers, 60_000)
      if (!primary) {
        reps.push({ rep, from: '?', gapMs: null, catchUpMs: null, problem: 'no steady state within 60 s' })
        break
      }
      for (const w of cell.workers(TASK)) workerIds.set(w.name, w.workerId)
      // Land the fault at any phase of ZooKeeper's tick, not right after a commit.
      await sleep(Math.random() * config.tickTimeMs)
      const mark = cell.mark
      await lab.processAction({ name: primary.name, action: fault })
      const faultEvent = cell.findEvent(
        mark,
        (e) => e.type === LabEventTypes.processAction && e.name === primary.name && e.action === fault,
      )
      // A successor's first commit, then time for it to catch up with the load, before the next fault.
      const took = await waitUntil(
        () =>
          cell.findEvent(mark, (e) => e.type === WorkerEventTypes.commit && e.source !== primary.name) !== undefined,
        30_000,
      )
      if (took) await sleep(3000)
      reps.push({
        rep,
        from: primary.name,
        faultTime: faultEvent?.time,
        gapMs: null,
        catchUpMs: null,
        ...(took ? {} : { problem: 'no commit by a successor within 30 s' }),
      })
      await lab.processAction({ name: primary.name, action: 'restart' })
    }
  } finally {
    await cell.close()
  }
  // Read off the sink and the source's history: the successor's writes after each fault.
  const backups = readBackups(sessionDir)
  const committedAt = new Map<number, number>()
  if (existsSync(sourceHistoryPath(sessionDir)))
    for (const tx of readSourceHistory(sessionDir)) committedAt.set(tx.seq, tx.changedAt ?? tx.time)
  const byTime = [...backups].sort((a, b) => a.time - b.time)
  for (const rep of reps) {
    if (rep.faultTime === undefined) continue
    const fromId = workerIds.get(rep.from)
    const after = byTime.filter((b) => b.time >= rep.faultTime! && b.worker !== fromId)
    if (after.length === 0) {
      rep.problem ??= 'no sink write by a successor'
      continue
    }
    rep.gapMs = after[0].time - rep.faultTime
    const current = after.find((b) => {
      const at = committedAt.get(b.seq)
      return at !== undefined && b.time - at <= config.caughtUpMs
    })
    rep.catchUpMs = current ? current.time - rep.faultTime : null
  }
  const integrity = verdictOf(lab, 'backup-integrity')
  const lagVerdict = verdictOf(lab, 'backup-lag')
  const violations: Record<string, number> = {}
  for (const v of integrity?.violations ?? []) violations[v.kind] = (violations[v.kind] ?? 0) + (v.ids?.length || 1)
  const good = reps.filter((r) => !r.problem)
  const result: BinlogFailoverCell = {
    strategy,
    fault,
    reps,
    gap: summarize(good.map((r) => r.gapMs)),
    catchUp: summarize(good.map((r) => r.catchUpMs)),
    integrityOk: integrity ? integrity.state === 'ok' : null,
    integritySummary: integrity?.summary ?? 'no verdict',
    violations,
    lag: {
      p50Ms: lagVerdict?.stats?.p50Ms ?? null,
      p99Ms: lagVerdict?.stats?.p99Ms ?? null,
      maxMs: lagVerdict?.stats?.maxMs ?? null,
    },
    durationMs: Date.now() - started,
  }
  say(
    `gap p50 ${fmtMs(result.gap.p50)} ms, catch-up p50 ${fmtMs(result.catchUp.p50)} ms; backup-integrity ${result.integrityOk ? 'ok' : 'FAIL'}: ${result.integritySummary}`,
  )
  return result
}

export function binlogTables(result: BinlogResult): string {
  const c = result.config
  const throughput = table(
    [
      'strategy',
      'backlog tx',
      'filled at tx/s',
      'rows',
      'write time ms',
      'rows/s',
      'tx/s',
      'start → done ms',
      'problem',
    ],
    result.throughput.map((r) => [
      r.strategy,
      r.backlogTransactions,
      fmtNum(r.fillTxPerSec, 0),
      r.rows,
      fmtMs(r.writeMs),
      fmtNum(r.rowsPerSec, 0),
      fmtNum(r.txPerSec, 0),
      fmtMs(r.endToEndMs),
      r.problem ?? '',
    ]),
  )
  const lag = table(
    [
      'strategy',
      'rate asked tx/s',
      'achieved tx/s',
      'transactions',
      'lag p50 ms',
      'p99',
      'max',
      'never backed up',
      'problem',
    ],
    result.lag.map((r) => [
      r.strategy,
      r.rate,
      fmtNum(r.achievedTxPerSec, 0),
      r.transactions,
      fmtMs(r.p50Ms),
      fmtMs(r.p99Ms),
      fmtMs(r.maxMs),
      r.unbacked,
      r.problem ?? '',
    ]),
  )
  const failover = table(
    [
      'strategy',
      'fault',
      'n',
      'gap p50 ms',
      'max',
      `catch-up (≤ ${c.caughtUpMs} ms behind) p50`,
      'max',
      'lag p99',
      'lag max',
      'backup-integrity',
      'failed',
    ],
    result.failover.map((cell) => [
      cell.strategy,
      cell.fault,
      cell.gap.n,
      fmtMs(cell.gap.p50),
      fmtMs(cell.gap.max),
      fmtMs(cell.catchUp.p50),
      fmtMs(cell.catchUp.max),
      fmtMs(cell.lag.p99Ms),
      fmtMs(cell.lag.maxMs),
      cell.integrityOk === null
        ? '—'
        : cell.integrityOk
          ? 'ok'
          : `fail: ${Object.entries(cell.violations)
              .map(([k, n]) => `${n} tx ${k}`)
              .join(', ')}`,
      cell.reps.filter((r) => r.problem).length,
    ]),
  )
  return [
    `Binlog throughput: one worker catching up a backlog the load generator committed before it started (rows per second between its first and last sink write; "start → done": addWorkers to the last write)`,
    '',
    throughput,
    '',
    `Binlog lag under load: one worker, the generator at a steady rate for ${(c.windowMs / 1000).toFixed(0)} s; the checker's backup-lag (source commit → first sink write)`,
    '',
    lag,
    '',
    `Binlog failover: ${c.workers} workers, load ${c.failoverRate} tx/s (from the first primary on), session timeout ${c.sessionTimeoutMs} ms, tickTime ${c.tickTimeMs} ms, commit every ${c.commitIntervalMs} ms; gap = fault → the successor's first sink write; catch-up = fault → its first write of a transaction ≤ ${c.caughtUpMs} ms behind the source; lag and backup-integrity (transactions named per violation kind) over the whole cell`,
    '',
    failover,
  ].join('\n')
}
