import { join } from 'node:path'
import type { Strategy } from '../../shared/api.js'
import { LabEventTypes, MonitorEventTypes, WorkerEventTypes, type LabEvent } from '../../shared/events.js'
import { primariesOf, type LabState, type WorkerView } from '../../shared/lab-state.js'
import type { Scenario, Step, WorkerTarget } from '../../shared/scenario.js'
import { analyzeSink, type SinkAnalysis } from '../checker/sink.js'
import { Lab } from '../lab.js'
import { FailoverTracker, type Failover } from './failover-tracker.js'

export interface RunOptions {
  /** Exact session folder; otherwise a new one under sessionsDir. */
  out?: string
  sessionsDir?: string
  /** Overrides the strategy of every task. */
  strategy?: Strategy
  /** Progress lines as they happen. */
  print?: (line: string) => void
  /** Aborts the run between steps (Ctrl-C); the session is still closed and written. */
  signal?: AbortSignal
}

export interface RunResult {
  ok: boolean
  /** 0: every step done; 1: a wait timed out or a step failed; 2: the lab could not be set up (bad input). */
  exitCode: 0 | 1 | 2
  sessionDir: string
  failovers: Failover[]
  sinks: Record<string, SinkAnalysis>
  error?: string
  durationMs: number
}

/** A step that could not be carried out; ends the run with exit code 1. */
export class StepFailed extends Error {}

/** Runs a validated scenario headless against a fresh session and reports what happened. */
export async function runScenario(scenario: Scenario, options: RunOptions = {}): Promise<RunResult> {
  const print = options.print ?? (() => {})
  const started = Date.now()
  const elapsed = () => `${((Date.now() - started) / 1000).toFixed(1).padStart(6)}s`
  const say = (line: string) => print(`${elapsed()}  ${line}`)
  const lab = new Lab()
  const tracker = new FailoverTracker((f) => {
    lab.record({ type: LabEventTypes.failover, ...f })
    say(`failover ${f.task}: ${f.from} -> ${f.to}, new primary after ${ms(f.newPrimaryMs)}, first commit after ${ms(f.firstCommitMs)}`)
  })
  let error: string | undefined
  let setupFailed = false
  let sessionDir = ''
  try {
    const session = await lab.createSession({ name: scenario.name, dir: options.out, sessionsDir: options.sessionsDir, scenario: scenario.name })
    sessionDir = session.dir
    say(`session ${session.dir}`)
    const describe = progressDescriber()
    lab.onEvent((e) => {
      tracker.onEvent(e)
      const line = describe(e)
      if (line) say(line)
    })
    await lab.startZooKeeper(scenario.zookeeper)
    for (const task of scenario.tasks) {
      await lab.publishTask({ task: task.name })
      await lab.addWorkers({
        task: task.name,
        count: task.workers,
        strategy: options.strategy ?? task.strategy,
        commitIntervalMs: task.commitIntervalMs,
        sessionTimeoutMs: task.sessionTimeoutMs,
      })
    }
    const runner = new StepRunner(lab, scenario, tracker, say, options.signal)
    await runner.run(scenario.steps, 'steps')
  } catch (err) {
    error = (err as Error).message
    // Anything but a step that did not come true is a set-up problem: Java, ports, a bad argument.
    setupFailed = !(err instanceof StepFailed)
    say(`FAILED: ${error}`)
  } finally {
    await lab.dispose().catch((err: Error) => say(`could not close the session cleanly: ${err.message}`))
  }
  const sinks = Object.fromEntries(scenario.tasks.map((t) => [t.name, analyzeSink(join(sessionDir, 'sinks', `${t.name}.log`))]))
  const result: RunResult = {
    ok: !error,
    exitCode: !error ? 0 : setupFailed ? 2 : 1,
    sessionDir,
    failovers: tracker.failovers,
    sinks,
    error,
    durationMs: Date.now() - started,
  }
  if (sessionDir) {
    try {
      const { writeFileSync, readFileSync } = await import('node:fs')
      const file = join(sessionDir, 'session.json')
      const current = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>
      const { sessionDir: _dir, ...rest } = result
      writeFileSync(file, JSON.stringify({ ...current, result: rest }, null, 2) + '\n')
    } catch {
      // The session folder may not exist when the run failed before creating it.
    }
  }
  return result
}

class StepRunner {
  private lastFaultTarget?: string

  constructor(
    private readonly lab: Lab,
    private readonly scenario: Scenario,
    private readonly tracker: FailoverTracker,
    private readonly say: (line: string) => void,
    private readonly signal?: AbortSignal,
  ) {}

  async run(steps: Step[], path: string): Promise<void> {
    for (const [index, step] of steps.entries()) {
      if (this.signal?.aborted) throw new StepFailed('interrupted')
      const where = `${path}[${index}]`
      if ('repeat' in step) {
        for (let round = 1; round <= step.repeat; round++) {
          this.say(`${where} repeat ${round}/${step.repeat}`)
          await this.run(step.steps, `${where}.steps`)
        }
        continue
      }
      this.lab.record({ type: LabEventTypes.scenarioStep, path: where, step })
      await this.runStep(step, where)
    }
  }

  private async runStep(step: Exclude<Step, { repeat: number }>, where: string): Promise<void> {
    const task = this.taskFor(step.task, where)
    if ('sleep' in step) {
      await this.delay(step.sleep)
    } else if ('waitFor' in step) {
      await this.waitFor(step.waitFor, task, step.timeoutMs, where, step.count)
    } else if ('kill' in step || 'stop' in step) {
      const kind = 'kill' in step ? 'kill' : 'stop'
      const target = this.resolveTarget(task, 'kill' in step ? step.kill : step.stop, where)
      const wasPrimary = primariesOf(this.lab.state, task).some((w) => w.name === target.name)
      this.tracker.fault({ task, kind, target: target.name, wasPrimary, time: Date.now(), seq: this.lab.state.lastSeq })
      this.say(`${kind} ${target.name} (${wasPrimary ? 'primary' : target.role}, pid ${target.pid})`)
      this.lastFaultTarget = target.name
      await this.lab.processAction({ name: target.name, action: kind })
    } else if ('restart' in step) {
      const name = step.restart === 'faulted' ? this.lastFaultTarget : this.resolveTarget(task, step.restart, where).name
      if (!name) throw new StepFailed(`${where}: no worker has been hit by a fault yet, so there is none to restart`)
      this.say(`restart ${name}`)
      await this.lab.processAction({ name, action: 'restart' })
    }
  }

  private async waitFor(what: 'primary' | 'failover' | 'commits', task: string, timeoutMs: number, where: string, count = 1): Promise<void> {
    const commitsNow = this.commitCount(task)
    const done = (): boolean => {
      if (what === 'primary') return primariesOf(this.lab.state, task).some((w) => w.status === 'running')
      if (what === 'commits') return this.commitCount(task) >= commitsNow + count
      return this.tracker.pending(task) === undefined
    }
    if (what === 'failover' && !this.tracker.pending(task)) {
      this.say(`${where}: no fault has hit a primary of ${task}; nothing to wait for`)
      return
    }
    await this.until(done, timeoutMs, () => {
      if (what === 'failover') {
        const f = this.tracker.pending(task)
        return `no new primary of ${task} committed within ${timeoutMs} ms after ${f?.from} was hit${f?.to ? ` (${f.to} became primary but did not commit)` : ''}`
      }
      if (what === 'primary') return `${task} had no live primary within ${timeoutMs} ms`
      return `${task} made ${this.commitCount(task) - commitsNow} of ${count} commits within ${timeoutMs} ms`
    }, where)
  }

  private commitCount(task: string): number {
    return Object.values(this.lab.state.workers)
      .filter((w) => w.task === task)
      .reduce((sum, w) => sum + w.commits, 0)
  }

  /** Resolves when the condition holds, re-checking on every event; fails the step after the timeout. */
  private until(condition: () => boolean, timeoutMs: number, why: () => string, where: string): Promise<void> {
    if (condition()) return Promise.resolve()
    return new Promise((resolve, reject) => {
      const finish = (err?: Error) => {
        clearTimeout(timer)
        unsubscribe()
        this.signal?.removeEventListener('abort', onAbort)
        if (err) reject(err)
        else resolve()
      }
      const onAbort = () => finish(new StepFailed('interrupted'))
      const timer = setTimeout(() => finish(new StepFailed(`${where} timed out: ${why()}`)), timeoutMs)
      const unsubscribe = this.lab.onEvent(() => {
        if (condition()) finish()
      })
      this.signal?.addEventListener('abort', onAbort)
    })
  }

  private delay(msToWait: number): Promise<void> {
    return this.until(() => false, msToWait, () => '', '').catch((err: Error) => {
      if (err.message === 'interrupted') throw err
    })
  }

  private taskFor(task: string | undefined, where: string): string {
    if (task) {
      if (!this.scenario.tasks.some((t) => t.name === task)) throw new StepFailed(`${where}.task: no task named ${task} in this scenario`)
      return task
    }
    if (this.scenario.tasks.length === 1) return this.scenario.tasks[0].name
    throw new StepFailed(`${where}.task: the scenario has ${this.scenario.tasks.length} tasks; say which one`)
  }

  private resolveTarget(task: string, target: WorkerTarget, where: string): WorkerView {
    const live = Object.values(this.lab.state.workers).filter((w) => w.task === task && w.status === 'running')
    let found: WorkerView | undefined
    if (target === 'primary') found = primaryOf(this.lab.state, task)
    else if (target === 'standby') found = live.find((w) => w.role === 'standby')
    else if (target === 'random') found = live[Math.floor(Math.random() * live.length)]
    else if (typeof target === 'number') found = this.lab.state.workers[`worker-${task}-${target}`]
    else found = this.lab.state.workers[target]
    if (!found) throw new StepFailed(`${where}: no ${typeof target === 'number' ? `worker ${target}` : target} of ${task} to hit right now`)
    if (found.status !== 'running' && found.status !== 'paused') throw new StepFailed(`${where}: ${found.name} is ${found.status}`)
    return found
  }
}

/** The primary that holds the smallest instance node, when several say they are primary. */
function primaryOf(state: LabState, task: string): WorkerView | undefined {
  const primaries = primariesOf(state, task)
  return primaries.sort((a, b) => (a.node ?? '').slice(-10).localeCompare((b.node ?? '').slice(-10)))[0]
}

function ms(value: number | undefined): string {
  return value === undefined ? '—' : `${(value / 1000).toFixed(2)} s`
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
      case WorkerEventTypes.role:
        if (roles.get(e.source) === e.role) return undefined
        roles.set(e.source, e.role)
        return `${e.source} is ${e.role}${e.node ? ` (${e.node})` : ''}`
      case WorkerEventTypes.error:
        return `${e.source} error: ${e.message}`
      case LabEventTypes.processSpawned:
        roles.delete(String(e.name))
        return undefined
      case LabEventTypes.processExited: {
        if (String(e.name).startsWith('publisher-')) return undefined
        const how = e.signal ? `signal ${e.signal}` : `exit code ${e.code}`
        return `${e.name} exited (${how})${e.expected ? '' : ' unexpectedly'}`
      }
      case MonitorEventTypes.alert:
        return `ALERT ${e.task}: ${e.message}`
      case LabEventTypes.taskPublished:
        return `task ${e.task} published`
      default:
        return undefined
    }
  }
}
