/**
 * Measurement 1: the failover gap per fault and strategy, broken down by the checker into
 * session ended → node deleted → watch fired → new primary → first commit.
 *
 * Two sources per repetition: ZooKeeper's transaction log (the server's own times for the old session's
 * end, its node's deletion and the first write to lastCommit by another session; the same for every
 * program, on this machine's clock), the main figures; and what the workers reported (or, for programs
 * that report nothing, what the observer saw), the second column.
 *
 * One session per (fault, strategy) cell, reused for every repetition: the faulted worker is resumed
 * or healed and then restarted between repetitions, so each one starts from the same shape (one
 * primary committing, two registered standbys). Short session timeouts keep it fast.
 */
import { Lab } from '../src/core/lab.js'
import type { ExternalWorker, Strategy } from '../src/shared/api.js'
import { LabEventTypes, ObserverEventTypes, WorkerEventTypes } from '../src/shared/events.js'
import { LAB_ROOT } from '../src/shared/lab-state.js'
import type { FailoverBreakdown, FailoverSteps, ServerFailover } from '../src/core/checker/types.js'
import { afterSessionEnd } from '../src/shared/charts/failover-breakdown.js'
import { Cell } from './lib/cell.js'
import { ratio, summarize, type Summary } from './lib/stats.js'
import { fmtMs, fmtNum, table } from './lib/table.js'
import { sleep, waitUntil } from './lib/wait.js'

export type FaultKind = 'stop' | 'kill' | 'pause' | 'partition'
export const FAULTS: FaultKind[] = ['stop', 'kill', 'pause', 'partition']
const STEPS: (keyof FailoverSteps)[] = ['sessionEnded', 'nodeDeleted', 'watchFired', 'newPrimary', 'firstCommit']
/** The transaction log's steps, and the handover proper: first commit less the old session's end. */
export type ServerStep = 'sessionEnded' | 'nodeDeleted' | 'firstCommit' | 'afterSessionEnd'
const SERVER_STEPS: ServerStep[] = ['sessionEnded', 'nodeDeleted', 'firstCommit', 'afterSessionEnd']
/** How long a repetition waits for the successor's first commit before restarting the faulted worker. */
const SUCCESSOR_COMMIT_WAIT_MS = 10_000

export interface FailoverConfig {
  sessionsDir: string
  reps: number
  strategies: Strategy[]
  faults: FaultKind[]
  external?: ExternalWorker
  workers: number
  sessionTimeoutMs: number
  tickTimeMs: number
  commitIntervalMs: number
  log: (line: string) => void
}

export interface FailoverRep {
  rep: number
  from: string
  to: string | null
  faultSeq?: number
  faultTime?: number
  /** The faulted primary's instance node. */
  node?: string
  /** The checker's breakdown as the workers reported it (ms after the fault); the tracker's where the checker has none. */
  steps: FailoverSteps
  /** The same failover read off ZooKeeper's transaction log (server-side times), where the lab kept it. */
  server?: ServerFailover
  sessionEnd: string | null
  lastCommitBefore: number | null
  firstCommitId: number | null
  /** What went wrong, when a repetition did not complete. */
  problem?: string
  /** Something worth knowing about a repetition that did complete. */
  note?: string
}

export interface FailoverCell {
  strategy: string
  fault: FaultKind
  reps: FailoverRep[]
  failed: number
  /** Worker-reported steps. */
  steps: Record<keyof FailoverSteps, Summary>
  /** Server-side steps (the transaction log), over the repetitions that have them (n 0 without a log). */
  server: Record<ServerStep, Summary>
  durationMs: number
}

export interface FailoverResult {
  config: Omit<FailoverConfig, 'log' | 'sessionsDir'>
  cells: FailoverCell[]
  zkVersion?: string
}

const TASK = 'task01'
const NO_TAKEOVER = 'the old primary came back before anyone took over'

export async function runFailover(config: FailoverConfig): Promise<FailoverResult> {
  const kinds: { strategy: string; external?: ExternalWorker }[] = [
    ...config.strategies.map((s) => ({ strategy: s })),
    ...(config.external ? [{ strategy: 'external', external: config.external }] : []),
  ]
  const cells: FailoverCell[] = []
  let zkVersion: string | undefined
  const lab = new Lab()
  try {
    for (const kind of kinds) {
      for (const fault of config.faults) {
        const cell = await runCell(lab, config, kind.strategy, fault, kind.external)
        zkVersion ??= cell.zkVersion
        cells.push(cell.result)
      }
    }
  } finally {
    await lab.dispose()
  }
  const { log: _log, sessionsDir: _dir, ...rest } = config
  return { config: rest, cells, zkVersion }
}

async function runCell(
  lab: Lab,
  config: FailoverConfig,
  strategy: string,
  fault: FaultKind,
  external?: ExternalWorker,
): Promise<{ result: FailoverCell; zkVersion?: string }> {
  const started = Date.now()
  const say = (line: string) => config.log(`  [failover ${strategy}/${fault}] ${line}`)
  const cell = await Cell.open(lab, {
    sessionsDir: config.sessionsDir,
    name: `bench-failover-${strategy}-${fault}`,
    tickTimeMs: config.tickTimeMs,
  })
  const reps: FailoverRep[] = []
  try {
    await lab.publishTask({ task: TASK })
    await cell.addWorkers({
      task: TASK,
      count: config.workers,
      ...(external ? { external } : { strategy: strategy as Strategy }),
      commitIntervalMs: config.commitIntervalMs,
      sessionTimeoutMs: config.sessionTimeoutMs,
    })
    for (let rep = 1; rep <= config.reps; rep++) {
      const primary = await cell.steady(TASK, config.workers, 60_000)
      if (!primary) {
        reps.push(emptyRep(rep, '?', 'no steady state (one primary committing, all registered) within 60 s'))
        break
      }
      // ZooKeeper expires sessions on tickTime boundaries, and steady() returns right after a commit:
      // a random delay of up to one tick makes the fault land at any phase of the tick, not one.
      await sleep(Math.random() * config.tickTimeMs)
      // The state's worker object is live: what it says now, before the fault changes it.
      const node = primary.node
      const before = lab.failovers.length
      const mark = cell.mark
      if (fault === 'partition') await lab.networkFault({ name: primary.name, fault: 'partition' })
      else await lab.processAction({ name: primary.name, action: fault })
      const faultEvent = cell.findEvent(mark, (e) =>
        fault === 'partition'
          ? e.type === LabEventTypes.networkFault && e.name === primary.name && e.fault === 'partition'
          : e.type === LabEventTypes.processAction && e.name === primary.name && e.action === fault,
      )
      const tracked = lab.failovers[before]
      let problem: string | undefined
      if (!tracked) problem = 'the fault did not hit a primary'
      else {
        // A pause or partition is held until someone else has taken over and committed: always longer
        // than the session timeout, since nobody can take over before the session expires.
        const done = await waitUntil(() => tracked.firstCommitMs !== undefined || tracked.noTakeover === true, 30_000)
        if (!done) problem = 'no takeover within 30 s'
        // The lab's tracker also says this when a stopped recipe primary finishes its step in flight
        // after SIGTERM (a last commit) and a standby takes over a few ms later: the checker decides below.
        else if (tracked.noTakeover) problem = NO_TAKEOVER
        // Restarting the faulted worker spawns a process, which on a 2-core machine delays a takeover
        // still under way: wait for the successor's first commit (the tracker can say "no takeover"
        // when the stopped primary's last commit lands after the fault, before the successor's).
        if (done && !(await waitUntil(() => successorCommitted(cell, mark, primary.name), SUCCESSOR_COMMIT_WAIT_MS)))
          say(
            `rep ${rep}: no first commit by a successor within ${SUCCESSOR_COMMIT_WAIT_MS / 1000} s; restarting anyway`,
          )
      }
      if (fault === 'pause') await lab.processAction({ name: primary.name, action: 'resume' })
      if (fault === 'partition') await lab.networkFault({ name: primary.name, fault: 'heal' })
      await lab.processAction({ name: primary.name, action: 'restart' })
      reps.push({
        ...emptyRep(rep, primary.name, problem),
        faultSeq: faultEvent?.seq,
        faultTime: faultEvent?.time,
        node,
        to: tracked?.to ?? null,
        // Filled from the checker once the session is closed; the tracker's view meanwhile.
        steps: {
          sessionEnded: null,
          nodeDeleted: null,
          watchFired: null,
          newPrimary: tracked?.newPrimaryMs ?? null,
          firstCommit: tracked?.firstCommitMs ?? null,
        },
      })
      say(
        `rep ${rep}/${config.reps}: ${primary.name} → ${tracked?.to ?? '—'} first commit after ${fmtMs(tracked?.firstCommitMs)} ms${problem ? ` (${problem})` : ''}`,
      )
    }
  } finally {
    await cell.close()
  }
  // The checker's breakdown, over the whole journal of the cell (the same function reports use).
  const breakdowns = lab.checkReport()?.failovers ?? []
  for (const rep of reps) {
    const b = breakdowns.find((x: FailoverBreakdown) => x.faultSeq === rep.faultSeq)
    if (!b) {
      // No breakdown for this fault (the checker found no takeover to pair it with): take the node's
      // deletion from the observer, by the checker's own rule.
      const deleted = cell.events.find(
        (e) =>
          e.type === ObserverEventTypes.deleted &&
          rep.node &&
          e.seq > (rep.faultSeq ?? Infinity) &&
          e.path === `${LAB_ROOT}/tasks/${TASK}/instance/${rep.node}`,
      )
      if (deleted && rep.faultTime !== undefined) {
        rep.steps.nodeDeleted = deleted.time - rep.faultTime
        rep.steps.sessionEnded = rep.steps.nodeDeleted
        rep.sessionEnd = 'node deleted (observer)'
      }
      continue
    }
    rep.steps = {
      ...b.steps,
      // External workers report nothing: their role and first commit are the lab's reading of ZooKeeper.
      newPrimary: b.steps.newPrimary ?? rep.steps.newPrimary,
      firstCommit: b.steps.firstCommit ?? rep.steps.firstCommit,
    }
    rep.to = b.to ?? rep.to
    if (rep.problem === NO_TAKEOVER && b.to && b.to !== rep.from && b.steps.firstCommit !== null) {
      delete rep.problem
      rep.note = `the lab's tracker said: ${NO_TAKEOVER} (a last commit of the old primary after the fault); the checker found the takeover`
    }
    rep.sessionEnd = b.sessionEnd
    if (b.server) rep.server = b.server
    rep.lastCommitBefore = b.lastCommitBefore
    rep.firstCommitId = b.firstCommitId
  }
  const good = reps.filter((r) => !r.problem)
  const steps = Object.fromEntries(STEPS.map((s) => [s, summarize(good.map((r) => r.steps[s]))])) as Record<
    keyof FailoverSteps,
    Summary
  >
  const server = Object.fromEntries(
    SERVER_STEPS.map((s) => [s, summarize(good.map((r) => (r.server ? serverStep(r.server, s) : null)))]),
  ) as Record<ServerStep, Summary>
  return {
    result: {
      strategy,
      fault,
      reps,
      failed: reps.length - good.length,
      steps,
      server,
      durationMs: Date.now() - started,
    },
    zkVersion: cell.zkVersion,
  }
}

function serverStep(server: ServerFailover, step: ServerStep): number | null {
  return step === 'afterSessionEnd' ? afterSessionEnd(server.steps) : server.steps[step]
}

/**
 * Whether a worker other than the faulted one committed since `mark`: its own report, or for a program
 * that reports nothing, a change of lastCommit the observer saw after the election named it primary.
 */
function successorCommitted(cell: Cell, mark: number, from: string): boolean {
  if (cell.findEvent(mark, (e) => e.type === WorkerEventTypes.commit && e.source !== from)) return true
  const elected = cell.findEvent(
    mark,
    (e) => e.type === LabEventTypes.externalRole && e.name !== from && e.role === 'primary',
  )
  const lastCommit = `${LAB_ROOT}/tasks/${TASK}/lastCommit`
  return (
    elected !== undefined &&
    cell.findEvent(elected.seq, (e) => e.type === ObserverEventTypes.changed && e.path === lastCommit) !== undefined
  )
}

function emptyRep(rep: number, from: string, problem?: string): FailoverRep {
  return {
    rep,
    from,
    to: null,
    steps: { sessionEnded: null, nodeDeleted: null, watchFired: null, newPrimary: null, firstCommit: null },
    sessionEnd: null,
    lastCommitBefore: null,
    firstCommitId: null,
    ...(problem ? { problem } : {}),
  }
}

export function failoverTables(result: FailoverResult): string {
  const c = result.config
  // Cells from results.json written before the server-side steps have none.
  const logged = (cell: FailoverCell) => (cell.server?.firstCommit.n ?? 0) > 0
  const anyLogged = result.cells.some(logged)
  const sv = (cell: FailoverCell, step: ServerStep, p: 'p50' | 'p95' | 'max' = 'p50') =>
    logged(cell) ? fmtMs(cell.server[step][p]) : '—'
  const gap = table(
    [
      'strategy',
      'fault',
      'n',
      ...(anyLogged ? ['first commit (server) p50', 'p95', 'max', 'after session end p50'] : []),
      'first commit (reported) p50',
      'p95',
      'max',
      'new primary (reported) p50',
      'failed',
    ],
    result.cells.map((cell) => [
      cell.strategy,
      cell.fault,
      logged(cell) ? cell.server.firstCommit.n : cell.steps.firstCommit.n,
      ...(anyLogged
        ? [
            sv(cell, 'firstCommit'),
            sv(cell, 'firstCommit', 'p95'),
            sv(cell, 'firstCommit', 'max'),
            sv(cell, 'afterSessionEnd'),
          ]
        : []),
      fmtMs(cell.steps.firstCommit.p50),
      fmtMs(cell.steps.firstCommit.p95),
      fmtMs(cell.steps.firstCommit.max),
      fmtMs(cell.steps.newPrimary.p50),
      cell.failed,
    ]),
  )
  const serverBreakdown = table(
    ['strategy', 'fault', 'session ended', 'node deleted', 'first commit', 'after session end', 'session end'],
    result.cells.map((cell) => [
      cell.strategy,
      cell.fault,
      sv(cell, 'sessionEnded'),
      sv(cell, 'nodeDeleted'),
      sv(cell, 'firstCommit'),
      sv(cell, 'afterSessionEnd'),
      mostCommon(cell.reps.filter((r) => !r.problem && r.server).map((r) => r.server!.sessionEnd)),
    ]),
  )
  const breakdown = table(
    ['strategy', 'fault', 'session ended', 'node deleted', 'watch fired', 'new primary', 'first commit', 'session end'],
    result.cells.map((cell) => [
      cell.strategy,
      cell.fault,
      fmtMs(cell.steps.sessionEnded.p50),
      fmtMs(cell.steps.nodeDeleted.p50),
      fmtMs(cell.steps.watchFired.p50),
      fmtMs(cell.steps.newPrimary.p50),
      fmtMs(cell.steps.firstCommit.p50),
      mostCommon(cell.reps.filter((r) => !r.problem).map((r) => r.sessionEnd)),
    ]),
  )
  const byFault = new Map<string, Map<string, FailoverCell>>()
  for (const cell of result.cells) {
    if (!byFault.has(cell.fault)) byFault.set(cell.fault, new Map())
    byFault.get(cell.fault)!.set(cell.strategy, cell)
  }
  // The gap both cells measure alike: server-side where both have the log, else as reported.
  const gapRatio = (a: FailoverCell | undefined, b: FailoverCell | undefined) =>
    a && b && logged(a) && logged(b)
      ? fmtNum(ratio(a.server.firstCommit.p50, b.server.firstCommit.p50), 2)
      : fmtNum(ratio(a?.steps.firstCommit.p50, b?.steps.firstCommit.p50), 2)
  const others = [...new Set(result.cells.map((cell) => cell.strategy))].filter((s) => s !== 'recipe')
  const ratios = table(
    ['fault', ...others.map((s) => `${s} ÷ recipe, gap p50`)],
    [...byFault].map(([fault, m]) => [fault, ...others.map((s) => gapRatio(m.get(s), m.get('recipe')))]),
  )
  const settings = `session timeout ${c.sessionTimeoutMs} ms, tickTime ${c.tickTimeMs} ms, commit every ${c.commitIntervalMs} ms, ${c.workers} workers; pause and partition held until the takeover committed`
  return [
    `Failover gap, ms after the fault (${settings})`,
    anyLogged
      ? "Sources: \"server\" columns are ZooKeeper's transaction log (the server's times for the old session's end and the first setData of lastCommit by another session; its clock is this machine's, whole ms), the same for every strategy; \"reported\" columns are the workers' own reports (the observer's view of lastCommit for programs that report nothing). The fault's time is the lab's journal. \"after session end\": server first commit less the old session's end, both server-side."
      : "Source: the workers' own reports (the observer's view for programs that report nothing); no transaction log was kept.",
    '',
    gap,
    '',
    ...(anyLogged
      ? [
          "Where the time went, server-side: p50 of each step, ms after the fault (ZooKeeper's transaction log, this machine's clock)",
          '',
          serverBreakdown,
          '',
        ]
      : []),
    "Where the time went, as reported: p50 of each step, ms after the fault (the checker's FailoverBreakdown from the journal: workers' reports and the observer)",
    '',
    breakdown,
    '',
    `Within-run ratios (first commit p50${anyLogged ? ', server-side where both cells have the log' : ''})`,
    '',
    ratios,
  ].join('\n')
}

function mostCommon(values: (string | null | undefined)[]): string {
  const counts = new Map<string, number>()
  for (const v of values) counts.set(v ?? '—', (counts.get(v ?? '—') ?? 0) + 1)
  const [best] = [...counts].sort((a, b) => b[1] - a[1])
  return best ? (counts.size > 1 ? `${best[0]} (${best[1]}/${values.length})` : best[0]) : '—'
}
