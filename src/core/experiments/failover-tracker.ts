import { LabEventTypes, ObserverEventTypes, WorkerEventTypes, type LabEvent } from '../../shared/events.js'

export interface Fault {
  task: string
  kind: 'kill' | 'stop' | 'pause' | 'partition'
  /** The worker the fault hit, and whether it was the primary at that moment. */
  target: string
  wasPrimary: boolean
  time: number
  seq: number
}

/** One takeover, from the fault to the new primary's first commit. */
export interface Failover {
  task: string
  fault: Fault['kind']
  from: string
  to?: string
  faultTime: number
  /** When the new primary said it was primary, ms after the fault. */
  newPrimaryMs?: number
  /** When the new primary committed for the first time, ms after the fault: the failover gap. */
  firstCommitMs?: number
  /** lastCommit as the old primary left it and the new primary's first id: never lower. */
  lastCommitBefore?: number
  firstCommitId?: number
  /** The hit primary came back and committed before anyone took over (a pause or cut shorter than its session). */
  noTakeover?: boolean
}

/**
 * Follows the journal and pairs every fault that hit a primary with the takeover that follows it.
 * Records each completed failover as a `failover` event so the journal carries the measurement too.
 */
export class FailoverTracker {
  readonly failovers: Failover[] = []
  private readonly open = new Map<string, Failover>()
  private readonly lastCommitOf = new Map<string, number>()
  private readonly taskOf = new Map<string, string>()
  private readonly external = new Set<string>()

  constructor(private readonly record: (failover: Failover) => void) {}

  /** Registers a fault before it is fired, so no event of the takeover can slip past. */
  fault(fault: Fault): Failover | undefined {
    if (!fault.wasPrimary) return undefined
    const failover: Failover = {
      task: fault.task,
      fault: fault.kind,
      from: fault.target,
      faultTime: fault.time,
      lastCommitBefore: this.lastCommitOf.get(fault.task),
    }
    this.failovers.push(failover)
    this.open.set(fault.task, failover)
    return failover
  }

  pending(task: string): Failover | undefined {
    return this.open.get(task)
  }

  onEvent(e: LabEvent): void {
    if (e.type === LabEventTypes.processSpawned && typeof (e.labels as { task?: unknown })?.task === 'string') {
      this.taskOf.set(String(e.name), String((e.labels as { task: string }).task))
      if (e.kind === 'external') this.external.add(String(e.name))
      return
    }
    // External workers report nothing: their role is the lab's reading of ZooKeeper, their first
    // commit the first change of lastCommit the observer sees once one of them is the new primary.
    if (e.type === LabEventTypes.externalRole) {
      this.onEvent({ ...e, type: WorkerEventTypes.role, source: String(e.name) })
      return
    }
    const lastCommit = e.type === ObserverEventTypes.changed && typeof e.path === 'string' ? /\/tasks\/([^/]+)\/lastCommit$/.exec(e.path)?.[1] : undefined
    if (lastCommit !== undefined) {
      const failover = this.open.get(lastCommit)
      const id = Number(e.data)
      if (failover?.to && this.external.has(failover.to) && e.time >= failover.faultTime) {
        this.onEvent({ ...e, type: WorkerEventTypes.commit, source: failover.to, id })
      } else if (Number.isFinite(id) && [...this.external].some((w) => this.taskOf.get(w) === lastCommit)) {
        this.lastCommitOf.set(lastCommit, Math.max(this.lastCommitOf.get(lastCommit) ?? 0, id))
      }
      return
    }
    const task = this.taskOf.get(e.source)
    if (!task) return
    const failover = this.open.get(task)
    if (e.type === WorkerEventTypes.role && e.role === 'primary' && failover && e.source !== failover.from && e.time >= failover.faultTime) {
      failover.to ??= e.source
      failover.newPrimaryMs ??= e.time - failover.faultTime
    }
    if (e.type === WorkerEventTypes.commit) {
      if (failover && !failover.to && e.source === failover.from && e.time > failover.faultTime) {
        failover.noTakeover = true
        this.open.delete(task)
        this.record(failover)
      } else if (failover && failover.to === e.source && failover.firstCommitMs === undefined) {
        failover.firstCommitMs = e.time - failover.faultTime
        failover.firstCommitId = Number(e.id)
        this.open.delete(task)
        this.record(failover)
      }
      this.lastCommitOf.set(task, Math.max(this.lastCommitOf.get(task) ?? 0, Number(e.id)))
    }
  }
}
