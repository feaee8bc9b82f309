/**
 * A past session's journal, indexed for scrubbing: the lab state at any position through the shared
 * reducer, fast enough for 50,000 events. Pure: no React, no store, no DOM.
 */
import { LabEventTypes, type LabEvent } from '../../../shared/events.js'
import { applyEvent, emptyLabState, type LabState } from '../../../shared/lab-state.js'
import { describeNetworkFault, HARMFUL_NETWORK_FAULTS } from '../../../shared/network-faults.js'

/** Events between two kept states; a position costs one clone plus at most this many reducer steps. */
export const SNAPSHOT_EVERY = 1000
/** Kept states at most: a very long journal spaces them wider rather than holding more. */
export const MAX_SNAPSHOTS = 200

export type MarkerKind = 'fault' | 'failover' | 'violation'

/** Something worth jumping to on the scrubber. */
export interface ReplayMarker {
  kind: MarkerKind
  /** The position that includes the event (events[count - 1] is it). */
  count: number
  time: number
  /** kill, stop, pause, partition… for faults; the invariant for violations. */
  action: string
  /** The worker or server hit, the takeover (`a → b`), or the task. */
  subject: string
  /** Faults that can cost a primary its role; resume, heal, restart are not. */
  harmful: boolean
  /** A network fault in full ("loss 20 % ↑"), where its kind alone does not say it. */
  detail?: string
}

const HARMFUL = new Set<string>(['kill', 'stop', 'pause', ...HARMFUL_NETWORK_FAULTS])

/** Markers of one event, if it is a fault, a failover or a violation. */
export function markerOf(e: LabEvent, count: number, time: number): ReplayMarker | undefined {
  switch (e.type) {
    case LabEventTypes.processAction:
      return { kind: 'fault', count, time, action: e.action, subject: e.name, harmful: HARMFUL.has(e.action) }
    case LabEventTypes.networkFault:
      return {
        kind: 'fault',
        count,
        time,
        action: e.fault,
        subject: e.name,
        harmful: HARMFUL.has(e.fault),
        detail: describeNetworkFault(e),
      }
    case LabEventTypes.failover:
      return { kind: 'failover', count, time, action: e.fault, subject: `${e.from} → ${e.to ?? '?'}`, harmful: false }
    case LabEventTypes.violation:
      return { kind: 'violation', count, time, action: e.invariant, subject: e.task, harmful: true }
    default:
      return undefined
  }
}

export class ReplayIndex {
  readonly events: readonly LabEvent[]
  /** Events between kept states. */
  readonly every: number
  readonly markers: readonly ReplayMarker[]
  /**
   * reached[i]: the latest time among events[0..i]. Children stamp events with their own clocks, so
   * journal order and time order can disagree by a few ms; the instant a position stands for is how
   * far the journal had got, which only moves forward.
   */
  private readonly reached: Float64Array
  /** snapshots[k]: the state after the first k × every events. Never handed out: stateAt clones. */
  private readonly snapshots: LabState[] = []

  constructor(events: readonly LabEvent[], options: { every?: number } = {}) {
    this.events = events
    this.every = Math.max(1, options.every ?? SNAPSHOT_EVERY, Math.ceil(events.length / MAX_SNAPSHOTS))
    this.reached = new Float64Array(events.length)
    const markers: ReplayMarker[] = []
    const state = emptyLabState()
    let latest = -Infinity
    // Once the session is closing, the lab stops every process: teardown, not faults to jump to.
    let closing = false
    for (let i = 0; i < events.length; i++) {
      if (i % this.every === 0) this.snapshots.push(structuredClone(state))
      const e = events[i]
      applyEvent(state, e)
      latest = Math.max(latest, e.time)
      this.reached[i] = latest
      if (e.type === LabEventTypes.sessionClosing) closing = true
      else if (e.type === LabEventTypes.sessionCreated) closing = false
      const marker = closing && e.type === LabEventTypes.processAction ? undefined : markerOf(e, i + 1, latest)
      if (marker) markers.push(marker)
    }
    if (events.length % this.every === 0) this.snapshots.push(structuredClone(state))
    this.markers = markers
  }

  get length(): number {
    return this.events.length
  }

  get startTime(): number {
    return this.events.length ? this.reached[0] : 0
  }

  get endTime(): number {
    return this.events.length ? this.reached[this.events.length - 1] : 0
  }

  /** The lab state after the first `count` events, as the shared reducer makes it; the caller owns it. */
  stateAt(count: number): LabState {
    const n = this.clamp(count)
    const k = Math.floor(n / this.every)
    const state = structuredClone(this.snapshots[k])
    for (let i = k * this.every; i < n; i++) applyEvent(state, this.events[i])
    return state
  }

  /** The instant a position stands for: when its last event happened (the start for position 0). */
  timeOf(count: number): number {
    const n = this.clamp(count)
    return n === 0 ? this.startTime : this.reached[n - 1]
  }

  /** How many events the journal held at `time`: the position a slider set to that instant means. */
  countAt(time: number): number {
    let lo = 0
    let hi = this.events.length
    while (lo < hi) {
      const mid = (lo + hi) >> 1
      if (this.reached[mid] <= time) lo = mid + 1
      else hi = mid
    }
    return lo
  }

  /** The first marker after a position (on it counts as passed: "next" must move). */
  nextMarker(count: number, kinds?: ReadonlySet<MarkerKind>): ReplayMarker | undefined {
    return this.markers.find((m) => m.count > count && (!kinds || kinds.has(m.kind)))
  }

  /** The last marker before a position. */
  previousMarker(count: number, kinds?: ReadonlySet<MarkerKind>): ReplayMarker | undefined {
    for (let i = this.markers.length - 1; i >= 0; i--) {
      const m = this.markers[i]
      if (m.count < count && (!kinds || kinds.has(m.kind))) return m
    }
    return undefined
  }

  clamp(count: number): number {
    return Math.max(0, Math.min(this.events.length, Math.round(count)))
  }
}
