import { LabEventTypes, WorkerEventTypes, type LabEvent } from '../../../shared/events.js'
import type { Failover } from '../../../shared/events/lab-events.js'
import { finiteNumber as num } from '../../../shared/format.js'
import { describeNetworkFault } from '../../../shared/network-faults.js'
import type { EnsembleChartData, FaultMark, Interval, LaneState } from '../../../shared/charts/timeline-option.js'
import { EnsembleTimeline } from '../../../shared/zk-ensemble.js'

// The chart's own vocabulary lives with the shared chart definition (src/shared/charts).
export {
  closedIntervals,
  LANE_STATES,
  type FaultMark,
  type Interval,
  type LaneState,
} from '../../../shared/charts/timeline-option.js'

/** A measured takeover, as the lab records it in a `failover` event. */
/** A failover event as the timeline draws it (older journals' gap fields already folded into firstCommitMs). */
export type FailoverMark = { seq: number } & Pick<
  Failover,
  | 'task'
  | 'fault'
  | 'from'
  | 'to'
  | 'faultTime'
  | 'newPrimaryMs'
  | 'firstCommitMs'
  | 'lastCommitBefore'
  | 'firstCommitId'
>

export interface TaskTimeline {
  task: string
  /** Lane order: by worker number. */
  workers: string[]
  intervals: Interval[]
  faults: FaultMark[]
  /** [time, id] of every commit, in time order. */
  commits: Array<[number, number]>
  failovers: FailoverMark[]
  firstTime: number
  lastTime: number
  /** The ZooKeeper ensemble's link cuts, leaders and quorum changes: one for the session, shown on every task. */
  ensemble: EnsembleChartData
}

interface WorkerTrack {
  task: string
  workerId: number
  pid?: number
  open?: Interval
  /** The role to go back to on resume. */
  role: LaneState
}

/** Commits kept per task; at two a second that is more than two hours. */
export const MAX_COMMITS = 20_000

/**
 * Derives per-task leadership lanes from the journal, one event at a time: starting → standby/primary,
 * paused while SIGSTOPped, dead from exit to restart. Pure: no DOM, no React; the chart reads it.
 */
export class TimelineModel {
  readonly tasks = new Map<string, TaskTimeline>()
  private readonly tracks = new Map<string, WorkerTrack>()
  /** After session.closing every action is the lab stopping its processes. */
  private closing = false
  private ensemble = new EnsembleTimeline()

  /** Applies one event; returns whether any timeline changed. */
  apply(e: LabEvent): boolean {
    const ensembleChanged = this.ensemble.apply(e)
    return this.applyToTasks(e) || ensembleChanged
  }

  private applyToTasks(e: LabEvent): boolean {
    switch (e.type) {
      case LabEventTypes.sessionClosing:
        this.closing = true
        return false
      case LabEventTypes.sessionCreated:
        this.closing = false
        return false
      case LabEventTypes.processSpawned: {
        const labels = (e.labels ?? {}) as Record<string, unknown>
        if ((e.kind !== 'worker' && e.kind !== 'external') || typeof labels.task !== 'string') return false
        const name = e.name
        const track = this.tracks.get(name) ?? {
          task: labels.task,
          workerId: Number(labels.workerId ?? 0),
          role: 'starting' as LaneState,
        }
        track.pid = num(e.pid)
        track.role = 'starting'
        this.tracks.set(name, track)
        const timeline = this.timeline(track.task, e.time)
        if (!timeline.workers.includes(name)) {
          timeline.workers.push(name)
          timeline.workers.sort((a, b) => (this.tracks.get(a)?.workerId ?? 0) - (this.tracks.get(b)?.workerId ?? 0))
        }
        this.enter(name, track, 'starting', e.time)
        return true
      }
      case WorkerEventTypes.role: {
        const track = this.tracks.get(e.source)
        if (!track || (e.role !== 'primary' && e.role !== 'standby')) return false
        track.role = e.role
        if (track.open?.state !== 'paused' && track.open?.state !== 'dead') this.enter(e.source, track, e.role, e.time)
        return true
      }
      case LabEventTypes.processAction: {
        const name = e.name
        const track = this.tracks.get(name)
        if (!track) return false
        const action = e.action
        const timeline = this.timeline(track.task, e.time)
        timeline.faults.push({
          time: e.time,
          worker: name,
          action,
          wasPrimary: track.role === 'primary' && track.open?.state !== 'dead',
          ...(this.closing ? { teardown: true } : {}),
        })
        if (action === 'pause' && track.open?.state !== 'dead') this.enter(name, track, 'paused', e.time)
        if (action === 'resume' && track.open?.state === 'paused') this.enter(name, track, track.role, e.time)
        return true
      }
      case 'fault.network': {
        // partition / heal / slow / loss / bandwidth / … / reset on the worker's link to ZooKeeper.
        const name = e.name
        const track = this.tracks.get(name)
        if (!track) return false
        this.timeline(track.task, e.time).faults.push({
          time: e.time,
          worker: name,
          action: e.fault,
          detail: describeNetworkFault(e),
          wasPrimary: track.role === 'primary' && track.open?.state !== 'dead',
        })
        return true
      }
      case LabEventTypes.processExited: {
        const name = e.name
        const track = this.tracks.get(name)
        // An exit of an older pid (a restart raced its spawn) says nothing about the current process.
        if (!track || (track.pid !== undefined && num(e.pid) !== undefined && track.pid !== e.pid)) return false
        this.enter(name, track, 'dead', e.time)
        return true
      }
      case WorkerEventTypes.commit: {
        const track = this.tracks.get(e.source)
        const id = num(e.id)
        if (!track || id === undefined) return false
        const timeline = this.timeline(track.task, e.time)
        timeline.commits.push([e.time, id])
        if (timeline.commits.length > MAX_COMMITS * 1.1)
          timeline.commits.splice(0, timeline.commits.length - MAX_COMMITS)
        return true
      }
      case LabEventTypes.failover: {
        if (typeof e.task !== 'string') return false
        const faultTime = num(e.faultTime) ?? e.time
        const timeline = this.timeline(e.task, faultTime)
        // Older journals carry gapMs/commitTime instead of firstCommitMs.
        const firstCommitMs =
          num(e.firstCommitMs) ??
          num(e.gapMs) ??
          (num(e.commitTime) !== undefined ? num(e.commitTime)! - faultTime : undefined)
        timeline.failovers.push({
          seq: e.seq,
          task: e.task,
          fault: e.fault,
          from: e.from,
          to: e.to,
          faultTime,
          newPrimaryMs: num(e.newPrimaryMs),
          firstCommitMs,
          lastCommitBefore: num(e.lastCommitBefore),
          firstCommitId: num(e.firstCommitId),
        })
        return true
      }
      default:
        return false
    }
  }

  applyAll(events: Iterable<LabEvent>): boolean {
    let changed = false
    for (const e of events) changed = this.apply(e) || changed
    return changed
  }

  reset(): void {
    this.tasks.clear()
    this.tracks.clear()
    this.closing = false
    this.ensemble = new EnsembleTimeline()
  }

  private timeline(task: string, time: number): TaskTimeline {
    let timeline = this.tasks.get(task)
    if (!timeline) {
      timeline = {
        task,
        workers: [],
        intervals: [],
        faults: [],
        commits: [],
        failovers: [],
        firstTime: time,
        lastTime: time,
        ensemble: this.ensemble,
      }
      this.tasks.set(task, timeline)
    }
    timeline.firstTime = Math.min(timeline.firstTime, time)
    timeline.lastTime = Math.max(timeline.lastTime, time)
    return timeline
  }

  private enter(worker: string, track: WorkerTrack, state: LaneState, time: number): void {
    if (track.open?.state === state) return
    if (track.open) track.open.end = Math.max(track.open.start, time)
    const interval: Interval = { worker, state, start: time }
    track.open = interval
    this.timeline(track.task, time).intervals.push(interval)
  }
}

/** The lane state of a worker at an instant (for tooltips and tests). */
export function stateAt(timeline: TaskTimeline, worker: string, time: number): LaneState | undefined {
  let found: LaneState | undefined
  for (const iv of timeline.intervals) {
    if (iv.worker === worker && iv.start <= time && (iv.end === undefined || time < iv.end)) found = iv.state
  }
  return found
}
