/**
 * Measurement 4: scale. How many workers of one task start and reach a steady state on this machine
 * (all registered, exactly one primary, committing on time, no session lost), what each costs in
 * memory and CPU, and how long a cold start of 3 workers takes from the command to the first commit.
 * Sizes grow until one degrades (bounded by the list given).
 */
import { readFileSync } from 'node:fs'
import { Lab } from '../src/core/lab.js'
import { isEvent, LabEventTypes, WorkerEventTypes, type EventOf, type EventType } from '../src/shared/events.js'
import { Cell, type CellMemory } from './lib/cell.js'
import { cpuWindow, load1, type CpuWindow } from './lib/proc.js'
import { median, summarize, type Summary } from './lib/stats.js'
import { fmtMb, fmtMs, fmtNum, table } from './lib/table.js'
import { sleep, waitUntil } from './lib/wait.js'

export interface ScaleConfig {
  sessionsDir: string
  sizes: number[]
  strategies: ('seed' | 'recipe')[]
  /** How long the steady state is watched, per size. */
  windowMs: number
  commitIntervalMs: number
  sessionTimeoutMs: number
  coldStartReps: number
  coldStartStrategies: ('seed' | 'recipe')[]
  log: (line: string) => void
}

export interface ScaleRow {
  strategy: string
  workers: number
  /** addWorkers returned (every process spawned, every proxy open), ms after the call. */
  spawnedMs: number | null
  allRegisteredMs: number | null
  /** All registered and a commit after that. */
  steadyMs: number | null
  commitsInWindow: number
  expectedCommits: number
  maxCommitGapMs: number | null
  /** Commit-to-commit intervals in the window. */
  commitIntervalMs: Summary
  maxPrimaries: number
  expiries: number
  exits: number
  memory: CellMemory
  cpu: CpuWindow | null
  load1: number
  verdict: 'steady' | 'degraded'
  reasons: string[]
}

export interface ColdStart {
  strategy: string
  /** Each milestone in ms after createSession was called. */
  zkReadyMs: number
  publishedMs: number
  spawnedMs: number
  firstStartedMs: number | null
  firstConnectedMs: number | null
  firstRegisteredMs: number | null
  primaryMs: number | null
  firstCommitMs: number | null
  /** From the addWorkers call to the first commit. */
  commandToFirstCommitMs: number | null
}

export interface ScaleResult {
  config: Omit<ScaleConfig, 'log' | 'sessionsDir'>
  rows: ScaleRow[]
  coldStarts: ColdStart[]
  /** Sizes not tried (memory bound). */
  skipped: { strategy: string; workers: number; reason: string }[]
}

function memAvailable(): number {
  const kb = Number(/^MemAvailable:\s+(\d+) kB/m.exec(readFileSync('/proc/meminfo', 'utf8'))?.[1] ?? 0)
  return kb * 1024
}

const TASK = 'task01'

export async function runScale(config: ScaleConfig): Promise<ScaleResult> {
  const rows: ScaleRow[] = []
  const coldStarts: ColdStart[] = []
  const skipped: ScaleResult['skipped'] = []
  const lab = new Lab()
  try {
    for (const strategy of config.coldStartStrategies) {
      for (let rep = 1; rep <= config.coldStartReps; rep++) coldStarts.push(await coldStart(lab, config, strategy, rep))
    }
    for (const strategy of config.strategies) {
      for (const size of config.sizes) {
        // Bounded by memory as well: a size whose workers would not fit in what is free is not tried.
        const last = rows.filter((r) => r.strategy === strategy).at(-1)
        const perWorker = last?.memory.pssPerWorker
        if (perWorker && perWorker * size > 0.6 * memAvailable()) {
          config.log(
            `  [scale ${strategy}/${size}] not tried: ${size} workers × ${(perWorker / 2 ** 20).toFixed(0)} MB would exceed 60 % of the memory available`,
          )
          skipped.push({ strategy, workers: size, reason: 'memory' })
          break
        }
        const row = await runSize(lab, config, strategy, size)
        rows.push(row)
        // Bigger only while the last size held up: past the knee each step just takes longer to fail.
        if (row.verdict === 'degraded') break
      }
    }
  } finally {
    await lab.dispose()
  }
  const { log: _l, sessionsDir: _d, ...rest } = config
  return { config: rest, rows, coldStarts, skipped }
}

async function coldStart(lab: Lab, config: ScaleConfig, strategy: 'seed' | 'recipe', rep: number): Promise<ColdStart> {
  const t0 = Date.now()
  const cell = await Cell.open(lab, { sessionsDir: config.sessionsDir, name: `bench-cold-${strategy}-${rep}` })
  try {
    const zkReadyMs = Date.now() - t0
    await lab.publishTask({ task: TASK })
    const publishedMs = Date.now() - t0
    const command = Date.now()
    await cell.addWorkers({
      task: TASK,
      count: 3,
      strategy,
      commitIntervalMs: config.commitIntervalMs,
      sessionTimeoutMs: config.sessionTimeoutMs,
    })
    const spawnedMs = Date.now() - t0
    await waitUntil(() => cell.events.some((e) => e.type === WorkerEventTypes.commit), 60_000)
    const first = <T extends EventType>(type: T, pred: (e: EventOf<T>) => boolean = () => true) => {
      const e = cell.events.find((x) => isEvent(x, type) && x.time >= command && pred(x))
      return e ? e.time - t0 : null
    }
    const result: ColdStart = {
      strategy,
      zkReadyMs,
      publishedMs,
      spawnedMs,
      firstStartedMs: first(WorkerEventTypes.started),
      firstConnectedMs: first(WorkerEventTypes.connected),
      firstRegisteredMs: first(WorkerEventTypes.registered),
      primaryMs: first(WorkerEventTypes.role, (e) => e.role === 'primary'),
      firstCommitMs: first(WorkerEventTypes.commit),
      commandToFirstCommitMs: null,
    }
    if (result.firstCommitMs !== null) result.commandToFirstCommitMs = result.firstCommitMs - (command - t0)
    config.log(
      `  [cold start ${strategy} ${rep}] ZooKeeper ready ${zkReadyMs} ms, first commit ${fmtMs(result.firstCommitMs)} ms after createSession, ${fmtMs(result.commandToFirstCommitMs)} ms after addWorkers`,
    )
    return result
  } finally {
    await cell.close()
  }
}

async function runSize(lab: Lab, config: ScaleConfig, strategy: 'seed' | 'recipe', size: number): Promise<ScaleRow> {
  const say = (line: string) => config.log(`  [scale ${strategy}/${size}] ${line}`)
  const cell = await Cell.open(lab, { sessionsDir: config.sessionsDir, name: `bench-scale-${strategy}-${size}` })
  const reasons: string[] = []
  const load = load1()
  try {
    await lab.publishTask({ task: TASK })
    const t0 = Date.now()
    await cell.addWorkers({
      task: TASK,
      count: size,
      strategy,
      commitIntervalMs: config.commitIntervalMs,
      sessionTimeoutMs: config.sessionTimeoutMs,
    })
    const spawnedMs = Date.now() - t0
    const registered = () =>
      new Set(cell.events.filter((e) => e.type === WorkerEventTypes.registered).map((e) => e.source)).size
    const timeout = 30_000 + 500 * size
    const allRegistered = await waitUntil(() => registered() >= size, timeout, 50)
    const allRegisteredMs = allRegistered ? Date.now() - t0 : null
    if (!allRegistered) reasons.push(`${registered()}/${size} registered after ${timeout / 1000} s`)
    const regMark = cell.mark
    const committed =
      allRegistered &&
      (await waitUntil(() => cell.events.some((e) => e.seq > regMark && e.type === WorkerEventTypes.commit), 30_000))
    const steadyMs = committed ? Date.now() - t0 : null
    if (allRegistered && !committed) reasons.push('no commit within 30 s of the last registration')
    // The steady state, watched: commits on time, one primary, nobody lost.
    const windowMark = cell.mark
    const windowStart = Date.now()
    let maxPrimaries = 0
    const sampler = setInterval(() => (maxPrimaries = Math.max(maxPrimaries, cell.primaries(TASK).length)), 100)
    const cpu = await cpuWindow(cell.pids(TASK), cell.zkPids(), config.windowMs)
    clearInterval(sampler)
    const memory = cell.memory(TASK)
    const inWindow = cell.events.filter((e) => e.seq > windowMark)
    const commits = inWindow.filter((e) => e.type === WorkerEventTypes.commit).map((e) => e.time)
    const gaps = commits.slice(1).map((t, i) => t - commits[i])
    const edges = commits.length
      ? [commits[0] - windowStart, ...gaps, windowStart + config.windowMs - commits[commits.length - 1]]
      : [config.windowMs]
    const maxCommitGapMs = Math.max(...edges)
    const expectedCommits = Math.floor(config.windowMs / config.commitIntervalMs)
    const all = cell.events.filter((e) => e.seq > 0)
    const expiries = all.filter((e) => e.type === WorkerEventTypes.connection && e.state === 'expired').length
    const exits = all.filter(
      (e) => e.type === LabEventTypes.processExited && String(e.name).startsWith('worker-'),
    ).length
    if (commits.length < 0.9 * expectedCommits)
      reasons.push(`${commits.length}/${expectedCommits} commits in ${config.windowMs / 1000} s`)
    if (maxCommitGapMs > 3 * config.commitIntervalMs) reasons.push(`a ${maxCommitGapMs} ms gap between commits`)
    if (maxPrimaries > 1) reasons.push(`${maxPrimaries} primaries at once`)
    if (expiries > 0) reasons.push(`${expiries} session expiries`)
    if (exits > 0) {
      // Why they went: their exit codes and what they said (the recipe exits 2 without a first session in time).
      const codes = new Map<string, number>()
      for (const e of all)
        if (e.type === LabEventTypes.processExited && String(e.name).startsWith('worker-'))
          codes.set(String(e.code ?? e.signal), (codes.get(String(e.code ?? e.signal)) ?? 0) + 1)
      // One message per kind: ports and numbers differ from worker to worker.
      const said = [
        ...new Set(
          all
            .filter((e) => e.type === WorkerEventTypes.error)
            .map((e) =>
              String(e.message)
                .replace(/127\.0\.0\.1:\d+/g, '<proxy>')
                .slice(0, 70),
            ),
        ),
      ].slice(0, 2)
      reasons.push(
        `${exits} workers exited (${[...codes].map(([c, n]) => `${n}× code ${c}`).join(', ')}${said.length ? `: ${said.join(' / ')}` : ''})`,
      )
    }
    const row: ScaleRow = {
      strategy,
      workers: size,
      spawnedMs,
      allRegisteredMs,
      steadyMs,
      commitsInWindow: commits.length,
      expectedCommits,
      maxCommitGapMs,
      commitIntervalMs: summarize(gaps),
      maxPrimaries,
      expiries,
      exits,
      memory,
      cpu,
      load1: load,
      verdict: reasons.length ? 'degraded' : 'steady',
      reasons,
    }
    say(
      `${row.verdict}${reasons.length ? ` (${reasons.join('; ')})` : ''}: registered in ${fmtMs(allRegisteredMs)} ms, ${commits.length}/${expectedCommits} commits, RSS/worker ${fmtMb(row.memory.rssPerWorker)} MB`,
    )
    return row
  } finally {
    await cell.close()
    // A big session leaves many exiting processes; let them go before the next one is timed.
    await sleep(500)
  }
}

export function scaleTables(result: ScaleResult): string {
  const c = result.config
  const rows = table(
    [
      'strategy',
      'workers',
      'spawned ms',
      'all registered ms',
      'steady ms',
      'commits / expected',
      'max gap ms',
      'RSS / worker MB',
      'PSS / worker MB',
      'workers RSS MB',
      'ZooKeeper RSS MB',
      'lab RSS MB',
      'CPU % workers',
      'CPU % ZooKeeper',
      'CPU % lab',
      'verdict',
    ],
    result.rows.map((r) => [
      r.strategy,
      r.workers,
      fmtMs(r.spawnedMs),
      fmtMs(r.allRegisteredMs),
      fmtMs(r.steadyMs),
      `${r.commitsInWindow}/${r.expectedCommits}`,
      fmtMs(r.maxCommitGapMs),
      fmtNum(r.memory.rssPerWorker / 1024 / 1024, 1),
      fmtNum(r.memory.pssPerWorker / 1024 / 1024, 1),
      fmtMb(r.memory.rssTotal),
      fmtMb(r.memory.zkRss),
      fmtMb(r.memory.labRss),
      fmtNum(r.cpu?.workersPct, 0),
      fmtNum(r.cpu?.zkPct, 0),
      fmtNum(r.cpu?.labPct, 0),
      r.verdict === 'steady' ? 'steady' : `degraded: ${r.reasons.join('; ')}`,
    ]),
  )
  const strategies = [...new Set(result.coldStarts.map((s) => s.strategy))]
  const cold = table(
    [
      'strategy',
      'n',
      'ZooKeeper ready',
      'task published',
      'workers spawned',
      'first worker started',
      'first connected',
      'first registered',
      'primary',
      'first commit',
      'addWorkers → first commit',
    ],
    strategies.map((s) => {
      const runs = result.coldStarts.filter((x) => x.strategy === s)
      const med = (k: keyof ColdStart) => fmtMs(median(runs.map((r) => r[k] as number | null)))
      return [
        s,
        runs.length,
        med('zkReadyMs'),
        med('publishedMs'),
        med('spawnedMs'),
        med('firstStartedMs'),
        med('firstConnectedMs'),
        med('firstRegisteredMs'),
        med('primaryMs'),
        med('firstCommitMs'),
        med('commandToFirstCommitMs'),
      ]
    }),
  )
  const verdicts = [...new Set(result.rows.map((r) => r.strategy))].map((s) => {
    const mine = result.rows.filter((r) => r.strategy === s)
    const steady = mine.filter((r) => r.verdict === 'steady').at(-1)
    const degraded = mine.find((r) => r.verdict === 'degraded')
    const skip = result.skipped.find((x) => x.strategy === s)
    const end = degraded
      ? `degraded at ${degraded.workers}`
      : skip
        ? `${skip.workers} not tried (memory)`
        : `no degradation up to ${mine.at(-1)?.workers} (the bound of this run)`
    return `${s}: largest steady size ${steady?.workers ?? 'none'}; ${end}`
  })
  return [
    `Scale: workers of one task started at once (commit every ${c.commitIntervalMs} ms, session timeout ${c.sessionTimeoutMs} ms), then watched for ${c.windowMs / 1000} s; times in ms after addWorkers was called; CPU in % of one core over the window`,
    '',
    rows,
    '',
    ...verdicts,
    '',
    'Cold start of 3 workers: median ms after createSession (fresh ZooKeeper JVM and worker processes; the bench process itself is warm)',
    '',
    cold,
  ].join('\n')
}
