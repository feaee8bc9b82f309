/**
 * `npm run bench`: measures the lab on this machine and prints a table per measurement; writes
 * everything, raw repetitions included, to bench/results.json. A benchmark, not a test: nothing here
 * passes or fails, except a section that could not run at all (exit code 1).
 *
 *   npm run bench                 the full run (20–40 min on 2 cores)
 *   npm run bench -- --quick      every table, fewer repetitions (< 5 min)
 *   npm run bench -- --external "test/fixtures/external-worker.sh"   failover faults against that command too
 *   npm run bench -- --strategies recipe,seed,seed-go,kazoo,curator   the failover faults with each of them
 *   npm run bench -- --only binlog   the binlog workload (a private MariaDB source per cell)
 *
 * Sessions go to a temporary folder (removed at the end unless --keep). Every process the bench
 * starts carries ZKLAB_BENCH_RUN=<id> in its environment; at the end any still alive is reported and
 * ended, and on Ctrl-C they are ended at once.
 */
import { randomUUID } from 'node:crypto'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { BINLOG_FAULTS, binlogTables, runBinlog, type BinlogResult } from './binlog.js'
import { failoverTables, FAULTS, runFailover, type FailoverResult } from './failover.js'
import { floorTables, runFloor, type FloorResult } from './floor.js'
import { herdTables, runHerd, type HerdResult } from './herd.js'
import { logTables, runLogPipeline, type LogResult } from './log-pipeline.js'
import { runScale, scaleTables, type ScaleResult } from './scale.js'
import { parseArgs, SECTIONS, type Section } from './lib/args.js'
import { runWatches, watchesTables, type WatchesResult } from './watches.js'
import { describeMachine, machineLine } from './lib/machine.js'
import { BENCH_MARKER, cpuBusyBetween, cpuSample, foreignLabProcesses, load1, processesMarked } from './lib/proc.js'
import { sleep } from './lib/wait.js'
import { Lab } from '../src/core/lab.js'
import { isPeerStrategy, type Strategy } from '../src/shared/api.js'
import { unavailableHint } from '../src/shared/strategies.js'
import type { TaskWorkerStrategy } from '../src/shared/worker-launch/index.js'

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..')

interface SectionRun<T> {
  durationMs: number
  load1Before: number
  /** The whole machine while the section ran: how busy (all cores) and how much the hypervisor stole. */
  machineBusyPct: number
  stealPct: number
  result?: T
  error?: string
}

async function main(): Promise<number> {
  const args = parseArgs(process.argv.slice(2))
  const runId = randomUUID()
  // Inherited by everything we start (the lab passes its environment on), so our processes are findable.
  process.env[BENCH_MARKER] = runId
  installInterruptHandler(runId)
  const sessionsDir = mkdtempSync(join(tmpdir(), 'zklab-bench-'))
  const started = Date.now()
  const machine = describeMachine()
  const foreign = foreignLabProcesses(runId)
  const loadStart = load1()
  const cpuStart = cpuSample()
  const say = (line: string) => console.log(line)
  // What kind of run this is, as results.json and the summary say: a partial one is not "full".
  const mode = args.quick
    ? 'quick'
    : args.only.length < SECTIONS.length ||
        args.reps !== undefined ||
        args.faults !== undefined ||
        args.logRates !== undefined
      ? 'partial'
      : 'full'
  say(
    `zklab bench (${mode})${args.external ? ` --external ${JSON.stringify(args.externalText)}` : ''}: ${new Date(started).toISOString()}`,
  )
  say(`machine: ${machineLine(machine)}`)
  if (loadStart > machine.cores * 0.5 || foreign > 0) {
    say(
      `NOTE: the machine is busy before we start (load ${loadStart.toFixed(1)} on ${machine.cores} cores, ${foreign} other lab/ZooKeeper/Chromium/MariaDB processes): ` +
        'absolute numbers are noisy; compare the ratios within this run.',
    )
  }
  say(`sessions: ${sessionsDir}\n`)
  const strategies = await strategiesToMeasure(args.strategies ?? ['seed', 'recipe'], say)
  // Herd and scale count the lab's own worker's notifications and memory: the peers are not in them.
  const labStrategies = strategies.filter((s): s is TaskWorkerStrategy => !isPeerStrategy(s))
  // Scale has always measured recipe first (its sizes stop where memory runs out).
  const scaleStrategies = args.strategies
    ? labStrategies
    : (['recipe', 'seed'] as const).filter((s) => labStrategies.includes(s))

  const q = args.quick
  const sections: Partial<Record<Section, SectionRun<unknown>>> = {}
  const tables: string[] = []
  let zkVersion: string | undefined
  const runSection = async <T>(name: Section, title: string, fn: () => Promise<T>, render: (r: T) => string) => {
    if (!args.only.includes(name)) return
    say(`== ${title}`)
    const t0 = Date.now()
    const l0 = load1()
    const c0 = cpuSample()
    const entry: SectionRun<T> = { durationMs: 0, load1Before: l0, machineBusyPct: 0, stealPct: 0 }
    try {
      entry.result = await fn()
    } catch (err) {
      entry.error = (err as Error).stack ?? String(err)
      say(`  ${name} failed: ${(err as Error).message}`)
    }
    entry.durationMs = Date.now() - t0
    const busy = cpuBusyBetween(c0, cpuSample())
    entry.machineBusyPct = busy.busyPct
    entry.stealPct = busy.stealPct
    sections[name] = entry
    const text =
      entry.result !== undefined ? render(entry.result) : `${title}: not measured (${entry.error?.split('\n')[0]})`
    const note = `(${(entry.durationMs / 1000).toFixed(0)} s; load ${l0.toFixed(1)} before; machine ${entry.machineBusyPct.toFixed(0)} % busy, ${entry.stealPct.toFixed(1)} % steal)`
    tables.push(`${text}\n\n${note}`)
    say(`\n${text}\n\n${note}\n`)
  }

  await runSection<FloorResult>(
    'floor',
    'Hand-over floor (client and ZooKeeper alone)',
    () => runFloor({ sessionsDir, reps: q ? 10 : 30, tickTimeMs: 500, sessionTimeoutMs: 2000, log: say }),
    floorTables,
  )
  await runSection<FailoverResult>(
    'failover',
    'Failover gap per fault and strategy',
    async () => {
      const r = await runFailover({
        sessionsDir,
        reps: args.reps ?? (q ? 3 : 20),
        strategies,
        faults: args.faults ?? FAULTS,
        external: args.external,
        workers: 3,
        sessionTimeoutMs: 2000,
        tickTimeMs: 500,
        commitIntervalMs: 200,
        log: say,
      })
      zkVersion ??= r.zkVersion
      return r
    },
    failoverTables,
  )
  await runSection<HerdResult>(
    'herd',
    'Herd effect',
    () =>
      runHerd({
        sessionsDir,
        standbys: q ? [3, 10] : [3, 10, 30],
        strategies: labStrategies,
        reps: q ? 2 : 5,
        sessionTimeoutMs: 2000,
        tickTimeMs: 500,
        commitIntervalMs: 200,
        // Seed's notifications come at once; a shorter tail keeps --quick under 5 minutes.
        settleMs: q ? 500 : 1000,
        log: say,
      }),
    herdTables,
  )
  await runSection<LogResult>(
    'logs',
    'Log pipeline in browser mode',
    () =>
      runLogPipeline({
        sessionsDir,
        workers: 20,
        rates: args.logRates ?? (q ? [100] : [100, 1000, 2000, 4000]),
        seconds: q ? 8 : 15,
        warmupSeconds: q ? 2 : 5,
        log: say,
      }),
    logTables,
  )
  await runSection<ScaleResult>(
    'scale',
    'Scale and cold start',
    () =>
      runScale({
        sessionsDir,
        sizes: q ? [10, 20] : [10, 20, 40, 80, 120, 160, 240, 320],
        strategies: q ? scaleStrategies.filter((s) => s === 'recipe') : scaleStrategies,
        windowMs: q ? 5000 : 10_000,
        commitIntervalMs: 500,
        sessionTimeoutMs: 4000,
        coldStartReps: q ? 2 : 5,
        coldStartStrategies: q ? scaleStrategies.filter((s) => s === 'recipe') : scaleStrategies,
        log: say,
      }),
    scaleTables,
  )
  await runSection<WatchesResult>(
    'watches',
    'Watch polling cost',
    () =>
      runWatches({
        sessionsDir,
        workers: 30,
        windowMs: q ? 5000 : 15_000,
        sessionTimeoutMs: 4000,
        commitIntervalMs: 500,
        log: say,
      }),
    watchesTables,
  )
  await runSection<BinlogResult>(
    'binlog',
    'Binlog workload',
    () =>
      runBinlog({
        sessionsDir,
        // The lab's own workers are the ones with a binlog workload.
        strategies: labStrategies,
        backlog: q ? 2000 : 6000,
        rates: [50, 200],
        windowMs: q ? 10_000 : 20_000,
        reps: args.reps ?? (q ? 2 : 5),
        faults: BINLOG_FAULTS,
        failoverRate: 100,
        workers: 3,
        sessionTimeoutMs: 2000,
        tickTimeMs: 500,
        commitIntervalMs: 200,
        caughtUpMs: 1000,
        log: say,
      }),
    binlogTables,
  )

  // Whatever we started must be gone: the labs were disposed and zklab serve stopped; check, and end stragglers.
  let left = processesMarked(runId)
  for (let i = 0; i < 50 && left.size > 0; i++) {
    await sleep(100)
    left = processesMarked(runId)
  }
  for (const pid of left.keys()) {
    try {
      process.kill(pid, 'SIGKILL')
    } catch {
      // Already gone.
    }
  }
  const durationMs = Date.now() - started
  const results = {
    schema: 1,
    date: new Date(started).toISOString(),
    mode,
    args: {
      quick: q,
      strategies,
      external: args.externalText ?? null,
      only: args.only,
      reps: args.reps ?? null,
      logRates: args.logRates ?? null,
    },
    machine: { ...machine, zookeeper: zkVersion ?? null },
    noise: {
      load1AtStart: loadStart,
      load1AtEnd: load1(),
      foreignLabProcessesAtStart: foreign,
      ...cpuBusyBetween(cpuStart, cpuSample()),
    },
    durationMs,
    sections,
    leftoverProcesses: [...left.values()],
  }
  const out = resolve(ROOT, args.out)
  mkdirSync(dirname(out), { recursive: true })
  writeFileSync(out, JSON.stringify(results, null, 2) + '\n')
  if (!args.keep) rmSync(sessionsDir, { recursive: true, force: true })

  say('='.repeat(100))
  say(`Results (${mode} run, ${new Date(started).toISOString()}, ${(durationMs / 1000).toFixed(0)} s)`)
  say(`machine: ${machineLine(machine, zkVersion)}`)
  say(
    `noise: load ${loadStart.toFixed(1)} at start, ${load1().toFixed(1)} at end; machine ${results.noise.busyPct.toFixed(0)} % busy over the run (${results.noise.stealPct.toFixed(1)} % steal); ${foreign} other lab/ZooKeeper/Chromium/MariaDB processes at start\n`,
  )
  for (const t of tables) say(`${t}\n`)
  say(`written: ${out}${args.keep ? `; sessions kept in ${sessionsDir}` : ''}`)
  if (left.size > 0)
    say(
      `WARNING: ${left.size} process(es) of this run outlived it and were killed:\n${[...left].map(([p, c]) => `  ${p} ${c}`).join('\n')}`,
    )
  return Object.values(sections).some((s) => s?.error) || left.size > 0 ? 1 : 0
}

/** The listed strategies that can run here; a peer whose toolchain is missing is skipped, saying why. */
async function strategiesToMeasure(listed: Strategy[], say: (line: string) => void): Promise<Strategy[]> {
  const lab = new Lab()
  try {
    const known = await lab.listStrategies()
    return listed.filter((name) => {
      const info = known.find((s) => s.name === name)
      if (!info || info.available) return true
      say(`skipping ${name}: ${unavailableHint(info)}`)
      return false
    })
  } finally {
    await lab.dispose()
  }
}

/** Ctrl-C: end every process of this run at once (they carry its marker), then leave. */
function installInterruptHandler(runId: string): void {
  const stop = (signal: NodeJS.Signals) => {
    console.error(`\n${signal}: ending this run's processes`)
    for (const pid of processesMarked(runId).keys()) {
      try {
        process.kill(pid, 'SIGKILL')
      } catch {
        // Gone already.
      }
    }
    process.exit(130)
  }
  process.once('SIGINT', stop)
  process.once('SIGTERM', stop)
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(err)
    process.exit(1)
  },
)
