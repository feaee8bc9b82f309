/**
 * Whether the live subscription feeds the store. A replay of a past session (library/replay.ts) uses
 * the same store and the same ingest path, so it closes the gate first: live batches are dropped,
 * not queued, and when the gate opens again the connection reloads the live view from the lab
 * (snapshot + recent events), exactly as on a reconnection. The lab is the keeper of the live state;
 * the renderer never holds a second copy to keep consistent or merge back, and a long replay cannot
 * pile up a queue.
 */
type Listener = (paused: boolean) => void

let paused = false
const listeners = new Set<Listener>()

export function livePaused(): boolean {
  return paused
}

export function pauseLive(): void {
  if (paused) return
  paused = true
  listeners.forEach((l) => l(true))
}

export function resumeLive(): void {
  if (!paused) return
  paused = false
  listeners.forEach((l) => l(false))
}

/** The connection listens here: to drop what is in flight on pause, and to reload on resume. */
export function onLiveGate(listener: Listener): () => void {
  listeners.add(listener)
  return () => listeners.delete(listener)
}
