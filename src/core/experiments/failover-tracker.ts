import {
  LabEventTypes,
  ObserverEventTypes,
  WorkerEventTypes,
  type Failover,
  type FailoverFault,
  type LabEvent,
} from '../../shared/events.js'

export interface Fault {
  task: string
  kind: FailoverFault
  /** The worker the fault hit, and whether it was the primary at that moment. */
  target: string
  wasPrimary: boolean
  time: number
  seq: number
}

export type { Failover }

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
    const task = e.type === LabEventTypes.processSpawned ? e.labels?.task : undefined
    if (e.type === LabEventTypes.processSpawned && typeof task === 'string') {
      this.taskOf.set(e.name, task)
      if (e.kind === 'external') this.external.add(e.name)
      return
    }
    // External workers report nothing: their role is the lab's reading of ZooKeeper, their first
    // commit the first change of lastCommit the observer sees once one of them is the new primary.
    if (e.type === LabEventTypes.externalRole) {
      this.onRole(e.name, e.role, e.time)
      return
    }
    const lastCommit =
      e.type === ObserverEventTypes.changed ? /\/tasks\/([^/]+)\/lastCommit$/.exec(e.path)?.[1] : undefined
    if (e.type === ObserverEventTypes.changed && lastCommit !== undefined) {
      const failover = this.open.get(lastCommit)
      // The znode's data is the id as text.
      const id = Number(e.data)
      if (failover?.to && this.external.has(failover.to) && e.time >= failover.faultTime) {
        this.onCommit(failover.to, id, e.time)
      } else if (Number.isFinite(id) && [...this.external].some((w) => this.taskOf.get(w) === lastCommit)) {
        this.lastCommitOf.set(lastCommit, Math.max(this.lastCommitOf.get(lastCommit) ?? 0, id))
      }
      return
    }
    if (e.type === WorkerEventTypes.role) this.onRole(e.source, e.role, e.time)
    if (e.type === WorkerEventTypes.commit) this.onCommit(e.source, e.id, e.time)
  }

  private onRole(worker: string, role: string, time: number): void {
    const task = this.taskOf.get(worker)
    const failover = task === undefined ? undefined : this.open.get(task)
    if (role === 'primary' && failover && worker !== failover.from && time >= failover.faultTime) {
      failover.to ??= worker
      failover.newPrimaryMs ??= time - failover.faultTime
    }
  }

  private onCommit(worker: string, id: number, time: number): void {
    const task = this.taskOf.get(worker)
    if (task === undefined) return
    const failover = this.open.get(task)
    if (failover && !failover.to && worker === failover.from && time > failover.faultTime) {
      failover.noTakeover = true
      this.open.delete(task)
      this.record(failover)
    } else if (failover && failover.to === worker && failover.firstCommitMs === undefined) {
      failover.firstCommitMs = time - failover.faultTime
      failover.firstCommitId = id
      this.open.delete(task)
      this.record(failover)
    }
    this.lastCommitOf.set(task, Math.max(this.lastCommitOf.get(task) ?? 0, id))
  }
}
