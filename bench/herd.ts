/**
 * Measurement 2: the herd effect. With N standbys, how many ZooKeeper watch notifications does one
 * failover deliver to the workers (every standby's `worker.watch` events), and how long until the new
 * primary? The seed watches the whole instance list, so every standby wakes; the recipe watches its
 * predecessor only. The primary is killed (its session must expire), the same way for both.
 */
import { Lab } from '../src/core/lab.js'
import { isEvent, WorkerEventTypes } from '../src/shared/events.js'
import type { FailoverBreakdown } from '../src/core/checker/types.js'
import { Cell, type CellMemory } from './lib/cell.js'
import { cpuWindow, load1, type CpuWindow } from './lib/proc.js'
import { ratio, summarize, type Summary } from './lib/stats.js'
import { fmtMb, fmtMs, fmtNum, table } from './lib/table.js'
import { sleep, waitUntil } from './lib/wait.js'

export interface HerdConfig {
  sessionsDir: string
  standbys: number[]
  strategies: ('seed' | 'recipe')[]
  reps: number
  sessionTimeoutMs: number
  tickTimeMs: number
  commitIntervalMs: number
  /** How long after the new primary's first commit notifications still count as this failover's. */
  settleMs: number
  log: (line: string) => void
}

export interface HerdRep {
  rep: number
  from: string
  to: string | null
  /** worker.watch events of every other worker between the fault and first commit + settle. */
  notifications: number
  /** How many distinct workers were woken. */
  workersWoken: number
  byEvent: Record<string, number>
  newPrimaryMs: number | null
  nodeDeletedMs: number | null
  /** New primary after the node's deletion: the part the herd can slow down. */
  electionMs: number | null
  firstCommitMs: number | null
  problem?: string
}

export interface HerdRow {
  strategy: string
  standbys: number
  reps: HerdRep[]
  notifications: Summary
  workersWoken: Summary
  newPrimaryMs: Summary
  electionMs: Summary
  firstCommitMs: Summary
  /** At steady state, before the first failover. */
  memory: CellMemory
  startupMs: number | null
  /** CPU over 2 s at steady state, % of one core: the workers together, ZooKeeper, the lab (this process). */
  cpu: CpuWindow | null
  load1: number
}

export interface HerdResult {
  config: Omit<HerdConfig, 'log' | 'sessionsDir'>
  rows: HerdRow[]
}

const TASK = 'task01'

export async function runHerd(config: HerdConfig): Promise<HerdResult> {
  const rows: HerdRow[] = []
  const lab = new Lab()
  try {
    for (const standbys of config.standbys) {
      for (const strategy of config.strategies) rows.push(await runRow(lab, config, strategy, standbys))
    }
  } finally {
    await lab.dispose()
  }
  const { log: _l, sessionsDir: _d, ...rest } = config
  return { config: rest, rows }
}

async function runRow(lab: Lab, config: HerdConfig, strategy: 'seed' | 'recipe', standbys: number): Promise<HerdRow> {
  const say = (line: string) => config.log(`  [herd ${strategy}/${standbys}] ${line}`)
  const workers = standbys + 1
  const cell = await Cell.open(lab, {
    sessionsDir: config.sessionsDir,
    name: `bench-herd-${strategy}-${standbys}`,
    tickTimeMs: config.tickTimeMs,
  })
  const reps: HerdRep[] = []
  // Set in the try below; a throw there leaves the function, so nothing reads them unset.
  let memory: HerdRow['memory']
  let startupMs: number | null
  let cpu: CpuWindow | null
  const load = load1()
  const faults: { rep: number; seq: number; from: string; time: number }[] = []
  try {
    await lab.publishTask({ task: TASK })
    const t0 = Date.now()
    await cell.addWorkers({
      task: TASK,
      count: workers,
      strategy,
      commitIntervalMs: config.commitIntervalMs,
      sessionTimeoutMs: config.sessionTimeoutMs,
    })
    const first = await cell.steady(TASK, workers, 120_000)
    startupMs = first ? Date.now() - t0 : null
    // Memory and CPU while all of them stand by and one commits.
    cpu = await cpuWindow(cell.pids(TASK), cell.zkPids(), 2000)
    memory = cell.memory(TASK)
    say(
      `${memory.workers} workers up in ${fmtMs(startupMs)} ms; workers RSS ${fmtMb(memory.rssTotal)} MB (PSS ${fmtMb(memory.pssTotal)} MB), ZooKeeper RSS ${fmtMb(memory.zkRss)} MB`,
    )
    for (let rep = 1; rep <= config.reps; rep++) {
      const primary = rep === 1 ? first : await cell.steady(TASK, workers, 120_000)
      if (!primary) {
        reps.push(emptyRep(rep, '?', 'no steady state within 120 s'))
        break
      }
      // As in failover.ts: the kill at any phase of ZooKeeper's tick.
      await sleep(Math.random() * config.tickTimeMs)
      const before = lab.failovers.length
      const mark = cell.mark
      await lab.processAction({ name: primary.name, action: 'kill' })
      const faultEvent = cell.findEvent(
        mark,
        (e) => e.type === 'process.action' && e.name === primary.name && e.action === 'kill',
      )
      const tracked = lab.failovers[before]
      const done = tracked ? await waitUntil(() => tracked.firstCommitMs !== undefined, 60_000) : false
      // Late notifications of this failover still count; the restart below would add its own.
      await sleep(config.settleMs)
      const from = faultEvent?.time ?? Date.now()
      const until =
        tracked?.firstCommitMs !== undefined ? tracked.faultTime + tracked.firstCommitMs + config.settleMs : Date.now()
      const watches = cell.events
        .filter((e) => isEvent(e, WorkerEventTypes.watch))
        .filter(
          (e) => e.source !== primary.name && e.seq > (faultEvent?.seq ?? mark) && e.time >= from && e.time <= until,
        )
      const byEvent: Record<string, number> = {}
      for (const w of watches) byEvent[String(w.event)] = (byEvent[String(w.event)] ?? 0) + 1
      reps.push({
        ...emptyRep(rep, primary.name, done ? undefined : 'no takeover within 60 s'),
        to: tracked?.to ?? null,
        notifications: watches.length,
        workersWoken: new Set(watches.map((w) => w.source)).size,
        byEvent,
        newPrimaryMs: tracked?.newPrimaryMs ?? null,
        firstCommitMs: tracked?.firstCommitMs ?? null,
      })
      if (faultEvent) faults.push({ rep, seq: faultEvent.seq, from: primary.name, time: faultEvent.time })
      say(
        `rep ${rep}/${config.reps}: ${watches.length} notifications to ${new Set(watches.map((w) => w.source)).size} workers, new primary after ${fmtMs(tracked?.newPrimaryMs)} ms`,
      )
      await lab.processAction({ name: primary.name, action: 'restart' })
    }
  } finally {
    await cell.close()
  }
  // The node's deletion from the checker's breakdown: what is left after it is the election itself.
  const breakdowns = lab.checkReport()?.failovers ?? []
  for (const f of faults) {
    const b = breakdowns.find((x: FailoverBreakdown) => x.faultSeq === f.seq)
    const rep = reps.find((r) => r.rep === f.rep)
    if (!b || !rep) continue
    rep.nodeDeletedMs = b.steps.nodeDeleted
    rep.newPrimaryMs = b.steps.newPrimary ?? rep.newPrimaryMs
    rep.electionMs =
      b.steps.newPrimary !== null && b.steps.nodeDeleted !== null ? b.steps.newPrimary - b.steps.nodeDeleted : null
  }
  const good = reps.filter((r) => !r.problem)
  return {
    strategy,
    standbys,
    reps,
    notifications: summarize(good.map((r) => r.notifications)),
    workersWoken: summarize(good.map((r) => r.workersWoken)),
    newPrimaryMs: summarize(good.map((r) => r.newPrimaryMs)),
    electionMs: summarize(good.map((r) => r.electionMs)),
    firstCommitMs: summarize(good.map((r) => r.firstCommitMs)),
    memory,
    startupMs,
    cpu,
    load1: load,
  }
}

function emptyRep(rep: number, from: string, problem?: string): HerdRep {
  return {
    rep,
    from,
    to: null,
    notifications: 0,
    workersWoken: 0,
    byEvent: {},
    newPrimaryMs: null,
    nodeDeletedMs: null,
    electionMs: null,
    firstCommitMs: null,
    ...(problem ? { problem } : {}),
  }
}

export function herdTables(result: HerdResult): string {
  const c = result.config
  const main = table(
    [
      'standbys',
      'strategy',
      'n',
      'notifications / failover p50',
      'max',
      'workers woken p50',
      'new primary p50',
      'max',
      'deleted → new primary p50',
      'max',
    ],
    result.rows.map((r) => [
      r.standbys,
      r.strategy,
      r.notifications.n,
      fmtNum(r.notifications.p50, 0),
      fmtNum(r.notifications.max, 0),
      fmtNum(r.workersWoken.p50, 0),
      fmtMs(r.newPrimaryMs.p50),
      fmtMs(r.newPrimaryMs.max),
      fmtMs(r.electionMs.p50),
      fmtMs(r.electionMs.max),
    ]),
  )
  const mem = table(
    [
      'standbys',
      'strategy',
      'workers',
      'start → steady ms',
      'workers RSS MB',
      'RSS / worker MB',
      'PSS / worker MB',
      'ZooKeeper RSS MB',
      'lab RSS MB',
      'CPU % workers',
      'CPU % ZooKeeper',
      'CPU % lab',
      'load 1 min',
    ],
    result.rows.map((r) => [
      r.standbys,
      r.strategy,
      r.memory.workers,
      fmtMs(r.startupMs),
      fmtMb(r.memory.rssTotal),
      fmtNum(r.memory.rssPerWorker / 1024 / 1024, 1),
      fmtNum(r.memory.pssPerWorker / 1024 / 1024, 1),
      fmtMb(r.memory.zkRss),
      fmtMb(r.memory.labRss),
      fmtNum(r.cpu?.workersPct, 0),
      fmtNum(r.cpu?.zkPct, 0),
      fmtNum(r.cpu?.labPct, 0),
      fmtNum(r.load1, 1),
    ]),
  )
  const byN = new Map<number, Map<string, HerdRow>>()
  for (const r of result.rows) {
    if (!byN.has(r.standbys)) byN.set(r.standbys, new Map())
    byN.get(r.standbys)!.set(r.strategy, r)
  }
  const ratios = table(
    ['standbys', 'seed ÷ recipe, notifications', 'seed ÷ recipe, deleted → new primary'],
    [...byN].map(([n, m]) => [
      n,
      fmtNum(ratio(m.get('seed')?.notifications.p50, m.get('recipe')?.notifications.p50), 1),
      fmtNum(ratio(m.get('seed')?.electionMs.p50, m.get('recipe')?.electionMs.p50), 2),
    ]),
  )
  return [
    `Herd effect: watch notifications delivered to the standbys per failover (kill of the primary; session timeout ${c.sessionTimeoutMs} ms, counted until ${c.settleMs} ms after the new primary's first commit)`,
    '',
    main,
    '',
    'Memory and start-up (all workers registered, one committing; CPU over 2 s in % of one core, all workers together; the lab is the bench process itself)',
    '',
    mem,
    '',
    'Within-run ratios',
    '',
    ratios,
  ].join('\n')
}
