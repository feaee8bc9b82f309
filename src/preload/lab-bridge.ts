import type { LabCalls, Unsubscribe } from '../shared/api.js'
import type { LabEvent } from '../shared/events.js'

/** What the preload exposes as `window.lab`: every Lab method, and event batches through `subscribe`. */
export type LabBridge = LabCalls & {
  /** Calls `listener` with each batch of events, in journal order; returns a function that stops it. */
  subscribe(listener: (batch: LabEvent[]) => void): Unsubscribe
}
