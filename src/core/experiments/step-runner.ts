import {
  Strategy as StrategySchema,
  type NetworkFault,
  type NetworkFaultInput,
  type Strategy,
} from '../../shared/api.js'
import { describeNetworkFault, networkFaultRecord } from '../../shared/network-faults.js'
import { LabEventTypes } from '../../shared/events.js'
import { isExternalWorker, primariesOf, type WorkerView } from '../../shared/lab-state.js'
import { isServerTarget, isSourceTarget, pickWorker } from '../../shared/targets.js'
import {
  serverPartitionOf,
  type Invariant,
  type Scenario,
  type Step,
  type Target,
  type TargetOrFaulted,
  workloadOf,
} from '../../shared/scenario.js'
import type { Verdict, Violation } from '../../shared/checker-report.js'
import type { Lab } from '../lab.js'
import {
  deriveSeed,
  NEMESIS_FAULTS,
  planNemesis,
  seededRandom,
  type NemesisPick,
  type NemesisSpec,
  type Random,
} from '../../shared/nemesis/index.js'

/** A step that could not be carried out or an expectation that did not hold; the run exits 1. */
export class StepFailed extends Error {}

/** The checker's verdicts so far, as the `expect` step needs them. */
export type VerdictsSoFar = () => Array<
  Pick<Verdict, 'invariant' | 'task' | 'state' | 'ok' | 'reason'> & { violations: Array<Pick<Violation, 'message'>> }
>

type WorkerHit = { kind: 'worker'; name: string; worker: WorkerView }
type ServerHit = { kind: 'server'; id: number; name: string }
/** The binlog workload's MariaDB source. */
type SourceHit = { kind: 'source'; name: 'mariadb' }
type Hit = WorkerHit | ServerHit | SourceHit

/** Carries out a scenario's steps against a live lab. */
export class StepRunner {
  /** The last worker or server a fault hit: what `restart: faulted`, `resume: faulted` and `heal: faulted` mean. */
  private lastHit?: Hit
  /** `random` targets of the written steps draw from the run's seed. */
  private readonly random: Random

  constructor(
    private readonly lab: Lab,
    private readonly scenario: Scenario,
    private readonly say: (line: string) => void,
    private readonly verdicts: VerdictsSoFar,
    private readonly signal?: AbortSignal,
    /** The run's seed (recorded in scenario.started): nemesis schedules and `random` targets come from it. */
    private readonly seed = 0,
  ) {
    this.random = seededRandom(seed)
  }

  async run(steps: Step[], path: string): Promise<void> {
    for (const [index, step] of steps.entries()) {
      if (this.signal?.aborted) throw new StepFailed('interrupted')
      await this.runOne(step, `${path}[${index}]`)
    }
  }

  private async runOne(step: Step, where: string): Promise<void> {
    if ('repeat' in step) {
      for (let round = 1; round <= step.repeat; round++) {
        this.say(`${where} repeat ${round}/${step.repeat}`)
        await this.run(step.steps, `${where}.steps`)
      }
      return
    }
    if ('parallel' in step) {
      this.lab.record({ type: LabEventTypes.scenarioStep, path: where, step: { parallel: step.parallel.length } })
      const results = await Promise.allSettled(step.parallel.map((s, i) => this.runOne(s, `${where}.parallel[${i}]`)))
      const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected')
      if (failed) throw failed.reason
      return
    }
    this.lab.record({ type: LabEventTypes.scenarioStep, path: where, step })
    const task = this.taskFor(step.task, where)

    if ('sleep' in step) return this.delay(step.sleep)
    if ('waitFor' in step) return this.waitFor(step.waitFor, task, step.timeoutMs, where, step.count)
    if ('expect' in step) return this.expect(step.expect, step.maxFailoverMs, where)
    if ('addWorkers' in step) {
      const spec = this.scenario.tasks.find((t) => t.name === task)!
      const names = await this.lab.addWorkers({
        task,
        count: step.addWorkers,
        strategy: this.strategyOf(task),
        ...(spec.external ? { external: spec.external } : {}),
        commitIntervalMs: spec.commitIntervalMs,
        sessionTimeoutMs: spec.sessionTimeoutMs,
        ...(step.clock || spec.clock ? { clock: step.clock ?? spec.clock } : {}),
        ...workloadOf(spec),
      })
      this.say(`added ${names.join(', ')}`)
      return
    }
    if ('nemesis' in step) return this.nemesis(step.nemesis, task, where)
    if ('sourceLoad' in step) {
      const { rate, for: forMs, burst } = step.sourceLoad
      this.say(
        burst !== undefined
          ? `mariadb load: a burst of ${burst}`
          : `mariadb load: ${rate}/s${forMs ? ` for ${forMs} ms` : ''}`,
      )
      await this.lab
        .sourceLoad({
          ...(rate !== undefined ? { rate } : {}),
          ...(forMs !== undefined ? { forMs } : {}),
          ...(burst !== undefined ? { burst } : {}),
        })
        .catch((err: Error) => {
          throw new StepFailed(`${where}: ${err.message}`)
        })
      return
    }
    if ('kill' in step) return this.processFault('kill', await this.resolve(task, step.kill, where), where)
    if ('stop' in step) return this.processFault('stop', await this.resolve(task, step.stop, where), where)
    if ('pause' in step) {
      const hit = await this.resolve(task, step.pause, where)
      await this.processFault('pause', hit, where)
      if (step.for !== undefined) {
        await this.delay(step.for)
        await this.processAction(hit, 'resume')
      }
      return
    }
    if ('resume' in step) return this.processAction(await this.resolveOrLast(task, step.resume, where), 'resume')
    if ('restart' in step) return this.processAction(await this.resolveOrLast(task, step.restart, where), 'restart')
    const link = linkFaultOf(step)
    if (link) {
      const hit = this.requireWorker(await this.resolve(task, link.target, where), where)
      this.lastHit = hit
      const { fault } = link.input
      this.say(
        `${describeNetworkFault(networkFaultRecord({ name: hit.name, ...link.input }))} ${hit.name} (${hit.worker.role})`,
      )
      await this.lab.networkFault({ name: hit.name, ...link.input })
      if (link.for !== undefined && fault !== 'reset') {
        await this.delay(link.for)
        this.say(`heal ${hit.name}`)
        await this.lab.networkFault({ name: hit.name, fault: 'heal' })
      }
      return
    }
    if ('heal' in step) {
      const hit = this.requireWorker(await this.resolveOrLast(task, step.heal, where), where)
      this.say(`heal ${hit.name}`)
      await this.lab.networkFault({ name: hit.name, fault: 'heal' })
      return
    }
    if ('partitionServers' in step) {
      const spec = serverPartitionOf(step)
      // Halves without a server: the minority's first member is drawn from the run's seed, so a replay splits alike.
      if (spec.shape === 'halves' && !spec.server) {
        const live = this.lab.state.zookeeper.servers.filter((z) => z.state === 'running')
        const drawn = live[Math.floor(this.random.next() * live.length)]
        if (drawn) spec.server = drawn.name
      }
      const { description } = await this.lab.partitionServers(spec).catch((err: Error) => {
        throw new StepFailed(`${where}: ${err.message}`)
      })
      this.say(`partition servers: ${description}`)
      if (step.for !== undefined) {
        await this.delay(step.for)
        this.say('heal every link between servers')
        await this.lab.healServers()
      }
      return
    }
    if ('healServers' in step) {
      this.say('heal every link between servers')
      await this.lab.healServers()
    }
  }

  /**
   * Plans the schedule from the run's seed and this step's place, journals it, then makes each fault
   * in turn: the quiet interval, the target resolved (a `random` one with the pick's own seed), and
   * the kind's steps run like any other. A fault whose target cannot be hit right now (no standby, a
   * follower in a standalone ZooKeeper) is journalled as skipped and the schedule goes on.
   */
  private async nemesis(spec: NemesisSpec, task: string, where: string): Promise<void> {
    const stepSeed = deriveSeed(this.seed, where)
    const picks = planNemesis(spec, stepSeed)
    this.lab.record({
      type: LabEventTypes.nemesisSchedule,
      path: where,
      task,
      seed: this.seed,
      stepSeed,
      forMs: spec.for,
      picks,
    })
    this.say(`${where} nemesis: ${picks.length} fault(s) in ${spec.for} ms, seed ${this.seed}`)
    let elapsed = 0
    for (const pick of picks) {
      await this.delay(pick.atMs - elapsed)
      await this.nemesisFault(pick, task, `${where}.nemesis[${pick.index}]`, where)
      elapsed = pick.atMs + pick.durationMs
    }
    await this.delay(Math.max(0, spec.for - elapsed))
  }

  private async nemesisFault(pick: NemesisPick, task: string, at: string, path: string): Promise<void> {
    const random = seededRandom(pick.seed)
    const made = { path, index: pick.index, kind: pick.kind, target: pick.target, durationMs: pick.durationMs }
    let hit: Hit
    try {
      hit = await this.resolve(task, pick.target, at, false, () => random.next())
    } catch (err) {
      if (!(err instanceof StepFailed) || this.signal?.aborted) throw err
      this.lab.record({ type: LabEventTypes.nemesisFault, ...made, hit: null, steps: [], skipped: err.message })
      this.say(`${at} ${pick.kind} skipped: ${err.message}`)
      return
    }
    const steps = NEMESIS_FAULTS[pick.kind].steps(hit.name, pick.durationMs, random).map((s) => ({ ...s, task }))
    this.lab.record({ type: LabEventTypes.nemesisFault, ...made, hit: hit.name, steps })
    try {
      await this.run(steps, at)
    } catch (err) {
      // The target changed under it (a worker paused by another step): said, and the schedule goes on.
      if (!(err instanceof StepFailed) || this.signal?.aborted) throw err
      this.say(`${at} ${pick.kind} ${hit.name} did not complete: ${err.message}`)
    }
  }

  private async processFault(action: 'kill' | 'stop' | 'pause', hit: Hit, where: string): Promise<void> {
    this.lastHit = hit
    if (hit.kind === 'server') {
      this.say(`${action} ${hit.name}`)
      await this.lab.zooKeeperAction({ server: hit.id, action })
      return
    }
    if (hit.kind === 'source') {
      this.say(`${action} mariadb`)
      await this.lab.sourceAction({ action }).catch((err: Error) => {
        throw new StepFailed(`${where}: ${err.message}`)
      })
      return
    }
    const { worker } = hit
    if (worker.status !== 'running' && !(action !== 'pause' && worker.status === 'paused')) {
      throw new StepFailed(
        `${where}: ${hit.name} is ${worker.status}; it cannot be ${action === 'stop' ? 'stopped' : `${action}ed`}`,
      )
    }
    this.say(`${action} ${hit.name} (${worker.role}, pid ${worker.pid})`)
    await this.lab.processAction({ name: hit.name, action })
  }

  private async processAction(hit: Hit, action: 'resume' | 'restart'): Promise<void> {
    this.say(`${action} ${hit.name}`)
    if (hit.kind === 'server') {
      await this.lab.zooKeeperAction({
        server: hit.id,
        action: action === 'restart' && this.serverStopped(hit.id) ? 'start' : action,
      })
    } else if (hit.kind === 'source') {
      // A stopped or crashed source is started again; a running one restarts (same port, same datadir).
      const down = this.lab.state.source?.state === 'stopped' || this.lab.state.source?.state === 'crashed'
      await this.lab.sourceAction({ action: action === 'restart' && down ? 'start' : action })
    } else {
      await this.lab.processAction({ name: hit.name, action })
    }
  }

  private async expect(which: 'all' | Invariant[], maxFailoverMs: number | undefined, where: string): Promise<void> {
    const verdicts = this.verdicts().filter((v) => which === 'all' || which.includes(v.invariant))
    const broken = verdicts.filter((v) => !v.ok)
    if (broken.length > 0) {
      const first = broken[0]
      const why =
        first.state === 'unknown'
          ? `the checker could not judge it (${first.reason})`
          : (first.violations[0]?.message ?? 'violated')
      throw new StepFailed(`${where}: expected ${first.invariant} to hold for ${first.task}: ${why}`)
    }
    // Named but not judged (no transaction log yet, an external ZooKeeper): no claim either way, and said so.
    const unjudged = which === 'all' ? [] : verdicts.filter((v) => v.state === 'not-judged')
    for (const v of unjudged) this.say(`${where}: ${v.invariant} (${v.task}) not judged: ${v.reason}`)
    if (maxFailoverMs !== undefined) {
      const last = this.lab.failovers.at(-1)
      if (!last)
        throw new StepFailed(`${where}: expected a failover within ${maxFailoverMs} ms, but no fault has hit a primary`)
      if (last.firstCommitMs === undefined || last.firstCommitMs > maxFailoverMs) {
        throw new StepFailed(
          `${where}: the last failover (${last.from} -> ${last.to ?? 'nobody'}) took ${last.firstCommitMs === undefined ? 'more than the run allowed' : `${last.firstCommitMs} ms`}, more than ${maxFailoverMs} ms`,
        )
      }
    }
    this.say(`${where}: expectations hold`)
  }

  private async waitFor(
    what: 'primary' | 'failover' | 'commits',
    task: string,
    timeoutMs: number,
    where: string,
    count = 1,
  ): Promise<void> {
    const commitsNow = this.commitCount(task)
    if (what === 'failover' && !this.lab.pendingFailover(task)) {
      this.say(`${where}: no takeover of ${task} is pending`)
      return
    }
    const done = (): boolean => {
      if (what === 'primary') return primariesOf(this.lab.state, task).some((w) => w.status === 'running')
      if (what === 'commits') return this.commitCount(task) >= commitsNow + count
      return this.lab.pendingFailover(task) === undefined
    }
    await this.until(done, timeoutMs, where, () => {
      if (what === 'failover') {
        const f = this.lab.pendingFailover(task)
        return `no new primary of ${task} committed within ${timeoutMs} ms after ${f?.from} was hit${f?.to ? ` (${f.to} became primary but did not commit)` : ''}`
      }
      if (what === 'primary') return `${task} had no live primary within ${timeoutMs} ms`
      return `${task} made ${this.commitCount(task) - commitsNow} of ${count} commits within ${timeoutMs} ms`
    })
  }

  private commitCount(task: string): number {
    const workers = Object.values(this.lab.state.workers).filter((w) => w.task === task)
    const reported = workers.reduce((sum, w) => sum + w.commits, 0)
    // External programs report no commits: their progress is lastCommit itself, as the observer sees it.
    if (workers.some(isExternalWorker)) return Math.max(reported, this.lab.state.tasks[task]?.lastCommit ?? 0)
    return reported
  }

  /** Resolves when the condition holds, re-checking on every event; fails the step after the timeout. */
  private until(condition: () => boolean, timeoutMs: number, where: string, why: () => string): Promise<void> {
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

  private delay(ms: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const onAbort = () => {
        clearTimeout(timer)
        reject(new StepFailed('interrupted'))
      }
      const timer = setTimeout(() => {
        this.signal?.removeEventListener('abort', onAbort)
        resolve()
      }, ms)
      this.signal?.addEventListener('abort', onAbort, { once: true })
    })
  }

  private taskFor(task: string | undefined, where: string): string {
    if (task) {
      if (!this.scenario.tasks.some((t) => t.name === task))
        throw new StepFailed(`${where}.task: no task named ${task} in this scenario`)
      return task
    }
    if (this.scenario.tasks.length === 1) return this.scenario.tasks[0].name
    throw new StepFailed(`${where}.task: the scenario has ${this.scenario.tasks.length} tasks; say which one`)
  }

  /** New workers join with the strategy the task's workers run (a --strategy override included). */
  private strategyOf(task: string): Strategy {
    const running = Object.values(this.lab.state.workers).find((w) => w.task === task)?.strategy
    const parsed = StrategySchema.safeParse(running)
    return parsed.success ? parsed.data : this.scenario.tasks.find((t) => t.name === task)!.strategy
  }

  private async resolveOrLast(task: string, target: TargetOrFaulted, where: string): Promise<Hit> {
    if (target !== 'faulted') return this.resolve(task, target, where, true)
    if (!this.lastHit) throw new StepFailed(`${where}: nothing has been hit by a fault yet`)
    if (this.lastHit.kind === 'worker')
      this.lastHit = { ...this.lastHit, worker: this.lab.state.workers[this.lastHit.name] }
    return this.lastHit
  }

  private async resolve(
    task: string,
    target: Target,
    where: string,
    anyState = false,
    random = () => this.random.next(),
  ): Promise<Hit> {
    if (isServerTarget(target)) return this.resolveServer(target, where)
    if (isSourceTarget(target)) {
      if (!this.lab.state.source) throw new StepFailed(`${where}: no MariaDB source runs in this session`)
      return { kind: 'source', name: 'mariadb' }
    }
    const found = pickWorker(this.lab.state, task, target, random)
    if (!found)
      throw new StepFailed(
        `${where}: no ${typeof target === 'number' ? `worker ${target}` : target} of ${task} to hit right now`,
      )
    if (!anyState && found.status !== 'running' && found.status !== 'paused')
      throw new StepFailed(`${where}: ${found.name} is ${found.status}`)
    return { kind: 'worker', name: found.name, worker: found }
  }

  private async resolveServer(target: string, where: string): Promise<ServerHit> {
    const runtime = this.lab.zookeeper
    if (!runtime) throw new StepFailed(`${where}: ZooKeeper is not running`)
    const servers = runtime.servers()
    let id: number | undefined
    if (target === 'zk-leader' || target === 'zk-follower') {
      const leader = await runtime.leader()
      if (target === 'zk-leader') id = leader?.id ?? (servers.length === 1 ? servers[0].id : undefined)
      else id = servers.find((s) => s.id !== leader?.id && s.state === 'running')?.id
    } else {
      id = Number(target.slice(3))
    }
    const server = servers.find((s) => s.id === id)
    if (!server)
      throw new StepFailed(
        `${where}: no ZooKeeper server ${target} (servers: ${servers.map((s) => s.name).join(', ')})`,
      )
    return { kind: 'server', id: server.id, name: server.name }
  }

  private serverStopped(id: number): boolean {
    const state = this.lab.zookeeper?.servers().find((s) => s.id === id)?.state
    return state === 'stopped' || state === 'crashed'
  }

  private requireWorker(hit: Hit, where: string): WorkerHit {
    if (hit.kind !== 'worker')
      throw new StepFailed(
        `${where}: network faults hit a worker's link; ${hit.name} is ${hit.kind === 'source' ? 'the MariaDB source' : 'a ZooKeeper server'} (use stop, kill or pause)`,
      )
    return hit
  }
}

/** The steps that fault a worker's link, by their key. */
const LINK_STEPS = {
  partition: 'partition',
  slow: 'slow',
  reset: 'reset',
  loss: 'loss',
  bandwidth: 'bandwidth',
  slicer: 'slicer',
  slowClose: 'slow-close',
} as const satisfies Record<string, NetworkFault>

/** A link step as the Lab's networkFault input (without the worker), its target and its `for`. */
function linkFaultOf(step: Step): { target: Target; input: Omit<NetworkFaultInput, 'name'>; for?: number } | undefined {
  const key = (Object.keys(LINK_STEPS) as Array<keyof typeof LINK_STEPS>).find((k) => k in step)
  if (!key) return undefined
  const { [key]: target, task: _task, note: _note, for: duration, ...params } = step as Record<string, unknown>
  return {
    target: target as Target,
    input: { fault: LINK_STEPS[key], ...params },
    ...(typeof duration === 'number' ? { for: duration } : {}),
  }
}
