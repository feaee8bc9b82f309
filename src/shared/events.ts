/**
 * The lab's one event shape. Every process (ZooKeeper, workers, publisher, monitor, observer) and the
 * lab itself report through it; the journal stores it one per line and every view is derived from it.
 * An event is a common envelope and a payload chosen by its `type`: narrow on `type` (or use
 * `isEvent`) and the compiler knows what the event carries. The payloads live in ./events/.
 */
import {
  MonitorEventTypes,
  ObserverEventTypes,
  PublisherEventTypes,
  WorkerEventTypes,
  type ChildEventPayloads,
} from './events/child-events.js'
import { LabEventTypes, type CoreEventPayloads } from './events/lab-events.js'

export * from './events/child-events.js'
export * from './events/lab-events.js'

export type EventLevel = 'debug' | 'info' | 'warn' | 'error'

export interface EventEnvelope {
  /** Position in the session's journal, from 1, gap-free. */
  seq: number
  /**
   * Wall-clock time in ms since the epoch, taken where the event happened (the child's clock), except
   * for a child whose clock the lab skewed: then the lab's clock when it read the line.
   */
  time: number
  /** A skewed child's own clock when it acted (libfaketime: its offset and rate included); see `time`. */
  ownTime?: number
  /** Who reported it: `lab`, `checker`, `zk-1`, `worker-task01-2`, `publisher`, `monitor`, `observer`, … */
  source: string
  level?: EventLevel
}

/** The payload of every event type, by type. */
export interface EventPayloads extends ChildEventPayloads, CoreEventPayloads {}

/** What happened, dotted: `worker.commit`, `process.exited`, `znode.created`, `log`, … */
export type EventType = keyof EventPayloads

/** One event of the given type (or union of types). */
export type EventOf<T extends EventType> = T extends EventType ? EventEnvelope & { type: T } & EventPayloads[T] : never

export type LabEvent = EventOf<EventType>

/** Omit over each member of a union rather than over their common part. */
export type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never

/** An event before the journal has numbered it. */
export type UnsequencedEvent = DistributiveOmit<LabEvent, 'seq'> & { seq?: never }

/** An unnumbered event of the given type. */
export type UnsequencedEventOf<T extends EventType> = DistributiveOmit<EventOf<T>, 'seq'> & { seq?: never }

/** Narrows an event to one type (or to any of several). */
export function isEvent<T extends EventType>(e: { type: string }, ...types: T[]): e is EventOf<T> & typeof e {
  return (types as string[]).includes(e.type)
}

// The constant objects name every type of the union, and nothing else.
type ValueOf<T> = T[keyof T]
type NamedTypes =
  | ValueOf<typeof WorkerEventTypes>
  | ValueOf<typeof PublisherEventTypes>
  | ValueOf<typeof MonitorEventTypes>
  | ValueOf<typeof ObserverEventTypes>
  | ValueOf<typeof LabEventTypes>
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false
const everyTypeNamed: Same<NamedTypes, EventType> = true
void everyTypeNamed
