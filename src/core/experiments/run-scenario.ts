import type { ExternalWorker, Strategy } from '../../shared/api.js'
import { LabEventTypes, MonitorEventTypes, WorkerEventTypes, type LabEvent } from '../../shared/events.js'
import { seconds } from '../../shared/format.js'
import { needsSource, workloadOf, type Invariant, type Scenario, type Step } from '../../shared/scenario.js'
import { FaketimeMissingError, findFaketimeLibrary } from '../workers/faketime.js'
import { findMariaDb } from '../mariadb/index.js'
import { drawSeed } from '../../shared/nemesis/index.js'
import { analyzeSink, type SinkAnalysis } from '../checker/sink.js'
import { sinkPath, updateSessionFile } from '../session-folder/index.js'
import type { Lab } from '../lab.js'
import type { Failover } from './failover-tracker.js'
import { StepFailed, StepRunner } from './step-runner.js'
import type { CheckReport, Verdict } from '../checker/index.js'

export interface RunOptions {
  /** Exact session folder; otherwise a new one under sessionsDir. */
  out?: string
  sessionsDir?: string
  /** Overrides the strategy of every task. */
  strategy?: Strategy
  /** Runs every task's workers as this program instead, whatever the scenario says. */
  external?: ExternalWorker
  /** Progress lines as they happen. */
  print?: (line: string) => void
  /** Every event of the run as the lab records it (a terminal's status line follows steps and failovers). */
  onEvent?: (e: LabEvent) => void
  /** Aborts the run between steps (Ctrl-C); the session is still closed and written. */
  signal?: AbortSignal
  /** Seeds the run's random choices, over the scenario's `seed` (replaying a run). */
  seed?: number
}

export interface RunResult {
  ok: boolean
  /** 0: every step done; 1: a wait timed out or a step failed; 2: the lab could not be set up (bad input). */
  exitCode: 0 | 1 | 2
  sessionDir: string
  failovers: Failover[]
  sinks: Record<string, SinkAnalysis>
  /** The checker's final report, over the journal and the sinks. */
  check?: CheckReport
  /** Verdicts the scenario expected to hold and that did not, or that the checker could not judge (state unknown): each fails the run. */
  broken: Verdict[]
  /** Verdicts the scenario named in `expect` that were not judged (no transaction log, say): they neither fail nor pass the run, and the summary says so. */
  notJudged?: Verdict[]
  error?: string
  /**
   * The scenario's `breaks` for the strategy the run used, against what broke: `asWritten` when the
   * invariants that broke are exactly those (a run that breaks them still fails).
   */
  knownBreaks?: { strategy: string; written: Invariant[]; broke: Invariant[]; asWritten: boolean }
  /** Why the session's journal could not be written: the lab stopped the run (exit code 1). */
  recordingFailed?: string
  durationMs: number
  /** The seed every random choice of the run came from: give it to `--seed` to replay them. */
  seed: number
}

/** The strategies a run of the scenario starts workers with (tasks that run a program of their own have none). */
export function scenarioStrategies(
  scenario: Scenario,
  options: Pick<RunOptions, 'strategy' | 'external'> = {},
): Strategy[] {
  if (options.external) return []
  return scenario.tasks.filter((task) => !task.external).map((task) => options.strategy ?? task.strategy)
}

/**
 * Runs a validated scenario in a fresh session of the given lab (the CLI's own, or the app's), and
 * closes that session at the end so the final verdicts are over the sinks. The lab itself stays usable.
 */
export async function runScenarioInLab(lab: Lab, scenario: Scenario, options: RunOptions = {}): Promise<RunResult> {
  // A peer whose toolchain is missing, or a skewed clock without libfaketime, is refused before the
  // session exists: nothing half-started.
  await lab.requireStrategies(scenarioStrategies(scenario, options))
  requireFaketimeFor(scenario)
  // The binlog workload without MariaDB installed: refused here, naming the set-up command.
  if (needsSource(scenario)) findMariaDb()
  const print = options.print ?? (() => {})
  // Drawn when neither the run nor the scenario gives one, and recorded: any run can be replayed.
  const seed = options.seed ?? scenario.seed ?? drawSeed()
  const started = Date.now()
  const elapsed = () => `${((Date.now() - started) / 1000).toFixed(1).padStart(6)}s`
  const say = (line: string) => print(`${elapsed()}  ${line}`)
  let error: string | undefined
  let setupFailed = false
  let sessionDir = ''
  let failovers: Failover[]
  let check: CheckReport | undefined
  let stopListening = () => {}
  // A recording failure ends the run at once, the way Ctrl-C does: its events would go nowhere.
  const stop = new AbortController()
  const forwardAbort = () => stop.abort()
  if (options.signal?.aborted) stop.abort()
  options.signal?.addEventListener('abort', forwardAbort, { once: true })
  try {
    const session = await lab.createSession({
      name: scenario.name,
      dir: options.out,
      sessionsDir: options.sessionsDir,
      scenario: scenario.name,
    })
    sessionDir = session.dir
    say(`session ${session.dir}`)
    const describe = progressDescriber()
    stopListening = lab.onEvent((e) => {
      options.onEvent?.(e)
      const line = describe(e)
      if (line) say(line)
      if (e.type === LabEventTypes.recordingFailed) stop.abort()
    })
    // `expect` travels with the start, so a view can grade the run by the final checker.report as zklab run does.
    lab.record({
      type: LabEventTypes.scenarioStarted,
      scenario: scenario.name,
      strategy: options.external ? 'external' : (options.strategy ?? null),
      ...(options.external ? { external: options.external } : {}),
      description: scenario.description ?? '',
      expect: scenario.expect,
      seed,
    })
    say(`seed ${seed} (replay with --seed ${seed})`)
    // The source needs no ZooKeeper: both start at once (initialising its datadir takes a while),
    // and both have settled before a failure of either closes the session.
    const starts = await Promise.allSettled([
      lab.startZooKeeper(scenario.zookeeper),
      needsSource(scenario) ? lab.startSource(scenario.source ?? {}) : undefined,
    ])
    const failed = starts.find((s): s is PromiseRejectedResult => s.status === 'rejected')
    if (failed) throw failed.reason
    for (const task of scenario.tasks) {
      await lab.publishTask({ task: task.name })
      await lab.addWorkers({
        task: task.name,
        count: task.workers,
        // An external task runs its own program whatever --strategy says; --external replaces every task's.
        strategy: options.strategy ?? task.strategy,
        ...(options.external || task.external ? { external: options.external ?? task.external } : {}),
        commitIntervalMs: task.commitIntervalMs,
        sessionTimeoutMs: task.sessionTimeoutMs,
        ...(task.election ? { election: task.election } : {}),
        ...(task.connectRepeat ? { connectRepeat: task.connectRepeat } : {}),
        ...(task.clock ? { clock: task.clock } : {}),
        ...workloadOf(task),
      })
    }
    const runner = new StepRunner(lab, scenario, say, () => lab.checkReport()?.verdicts ?? [], stop.signal, seed)
    await runner.run(scenario.steps, 'steps')
  } catch (err) {
    error = (err as Error).message
    // Anything but a step that did not come true is a set-up problem: Java, ports, a bad argument.
    setupFailed = !(err instanceof StepFailed)
    say(`FAILED: ${error}`)
  } finally {
    failovers = [...lab.failovers]
    if (sessionDir) {
      try {
        lab.record({ type: LabEventTypes.scenarioResult, scenario: scenario.name, ok: !error, error: error ?? null })
      } catch {
        // The session may already be gone if it could not be created.
      }
    }
    await lab.closeSession().catch((err: Error) => say(`could not close the session cleanly: ${err.message}`))
    stopListening()
    options.signal?.removeEventListener('abort', forwardAbort)
    check = lab.checkReport()
  }
  const recordingFailed = sessionDir ? lab.recordingFailure?.reason : undefined
  if (recordingFailed) error = `recording failed: ${recordingFailed}`
  const expected = scenario.expect
  const isExpected = (v: Verdict) => expected !== 'none' && (expected === 'all' || expected.includes(v.invariant))
  // Not ok is a failure or an unknown (the checker failed): either way the run cannot vouch for the invariant.
  const broken = (check?.verdicts ?? []).filter((v) => !v.ok && isExpected(v))
  const notJudged =
    expected === 'all' || expected === 'none'
      ? []
      : (check?.verdicts ?? []).filter((v) => v.state === 'not-judged' && isExpected(v))
  if (!error && broken.length > 0) error = brokenExpectations(broken)
  const knownBreaks = knownBreaksOf(scenario, options.strategy, broken)
  const sinks = Object.fromEntries(scenario.tasks.map((t) => [t.name, analyzeSink(sinkPath(sessionDir, t.name))]))
  const result: RunResult = {
    ok: !error,
    exitCode: !error ? 0 : setupFailed && !recordingFailed ? 2 : 1,
    sessionDir,
    failovers,
    sinks,
    check,
    broken,
    ...(notJudged.length > 0 ? { notJudged } : {}),
    ...(knownBreaks ? { knownBreaks } : {}),
    error,
    ...(recordingFailed ? { recordingFailed } : {}),
    durationMs: Date.now() - started,
    seed,
  }
  // After a recording failure session.json is left alone: rewriting it on a full disk could empty it.
  if (sessionDir && !recordingFailed) {
    try {
      const { sessionDir: _dir, ...rest } = result
      updateSessionFile(sessionDir, { result: rest })
    } catch {
      // The session folder may not exist when the run failed before creating it.
    }
  }
  return result
}

/** The scenario's word on what the run's strategy breaks, with what did (undefined: it says nothing). */
function knownBreaksOf(
  scenario: Scenario,
  strategy: Strategy | undefined,
  broken: readonly Verdict[],
): RunResult['knownBreaks'] {
  const used = strategy ?? (scenario.tasks.length === 1 ? scenario.tasks[0].strategy : undefined)
  const written = used ? scenario.breaks?.[used] : undefined
  if (!used || !written) return undefined
  const broke = [...new Set(broken.filter((v) => v.state === 'fail').map((v) => v.invariant))] as Invariant[]
  const asWritten = broke.length === written.length && written.every((i) => broke.includes(i))
  return { strategy: used, written: [...written], broke, asWritten }
}

/** A scenario that skews a clock (a task's, or an addWorkers step's, nested ones too) needs libfaketime. */
function requireFaketimeFor(scenario: Scenario): void {
  const skews = (steps: readonly Step[]): boolean =>
    steps.some((s) =>
      'repeat' in s ? skews(s.steps) : 'parallel' in s ? skews(s.parallel) : 'addWorkers' in s && !!s.clock,
    )
  const task = scenario.tasks.find((t) => t.clock)?.name
  const what = task ? `task ${task}` : skews(scenario.steps) ? 'an addWorkers step' : undefined
  if (what && !findFaketimeLibrary()) throw new FaketimeMissingError(`scenario ${scenario.name} (${what})`)
}

/** Why the run failed its `expect`: the invariants that broke, then those the checker could not judge, with its error. */
export function brokenExpectations(broken: readonly Verdict[]): string {
  const names = (vs: readonly Verdict[]) => [...new Set(vs.map((v) => `${v.invariant} (${v.task})`))].join(', ')
  const failed = broken.filter((v) => v.state !== 'unknown')
  const unknown = broken.filter((v) => v.state === 'unknown')
  return [
    failed.length > 0 ? `the run broke ${failed.length} expected invariant(s): ${names(failed)}` : '',
    unknown.length > 0
      ? `the checker could not judge ${unknown.length} expected invariant(s): ${names(unknown)} (${unknown[0].reason})`
      : '',
  ]
    .filter(Boolean)
    .join('; ')
}

/** The events worth a progress line on a terminal; a worker's role only when it changes. */
function progressDescriber(): (e: LabEvent) => string | undefined {
  const roles = new Map<string, unknown>()
  return (e) => {
    switch (e.type) {
      case LabEventTypes.zkReady:
        return `zk-${e.server} ready on 127.0.0.1:${e.port}${e.mode ? ` (${e.mode}${e.version ? `, ZooKeeper ${e.version}` : ''})` : ''}`
      case LabEventTypes.zkStopped:
        return `zk-${e.server} ${e.how ?? 'stopped'}`
      // The ensemble's own story: who leads in which epoch, who lost the quorum, which links are cut.
      case LabEventTypes.zkMode:
        return `zk-${e.server} ${e.mode === 'not-serving' ? 'not serving (no quorum)' : e.mode}${e.epoch !== undefined && e.mode === 'leader' ? ` (epoch ${e.epoch})` : ''}`
      case LabEventTypes.zkLinks:
        return e.cuts.length === 0 ? 'server links healed' : `server links: ${e.description}`
      case WorkerEventTypes.role:
        if (roles.get(e.source) === e.role) return undefined
        roles.set(e.source, e.role)
        return `${e.source} is ${e.role}${e.node ? ` (${e.node})` : ''}`
      case LabEventTypes.externalRole:
        if (roles.get(e.name) === e.role) return undefined
        roles.set(e.name, e.role)
        return `${e.name} is ${e.role}${e.node ? ` (${e.node}, read off ZooKeeper)` : ' (read off ZooKeeper)'}`
      case WorkerEventTypes.error:
        return `${e.source} error: ${e.message}`
      case LabEventTypes.processSpawned:
        roles.delete(e.name)
        return undefined
      case LabEventTypes.processExited: {
        if (e.name.startsWith('publisher-')) return undefined
        const how = e.signal ? `signal ${e.signal}` : `exit code ${e.code}`
        return `${e.name} exited (${how})${e.expected ? '' : ' unexpectedly'}`
      }
      case MonitorEventTypes.alert:
        return `ALERT ${e.task}: ${e.message}`
      case LabEventTypes.violation:
        return `VIOLATION ${e.invariant} (${e.task}): ${e.message}`
      case LabEventTypes.failover:
        if (e.noTakeover) return `${e.from} came back before anyone took over (${e.fault})`
        return `failover ${e.task}: ${e.from} -> ${e.to}, new primary after ${seconds(e.newPrimaryMs)}, first commit after ${seconds(e.firstCommitMs)}`
      case LabEventTypes.taskPublished:
        return `task ${e.task} published`
      case LabEventTypes.mariadbStarted:
        return `mariadb ready on 127.0.0.1:${e.port} (pid ${e.pid}${e.gtid ? `, at GTID ${e.gtid}` : ''})`
      case LabEventTypes.mariadbStopped:
        return `mariadb ${e.reason === 'crashed' ? 'crashed' : `stopped (${e.reason})`}`
      case LabEventTypes.mariadbPaused:
        return 'mariadb paused'
      case LabEventTypes.mariadbResumed:
        return 'mariadb resumed'
      case LabEventTypes.recordingFailed:
        return `RECORDING FAILED: ${e.reason}; stopping every process`
      case LabEventTypes.nemesisFault:
        return e.hit ? `nemesis #${e.index}: ${e.kind} ${e.hit} (${e.target}) for ${e.durationMs} ms` : undefined
      default:
        return undefined
    }
  }
}
