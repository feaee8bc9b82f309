import type { LabEvent } from '../../shared/events.js'

/**
 * Collects events and hands them to subscribers in batches, so views get one message per short
 * interval instead of one per log line.
 */
export class EventBatcher {
  private pending: LabEvent[] = []
  private timer: NodeJS.Timeout | undefined
  private readonly listeners = new Set<(batch: LabEvent[]) => void>()

  constructor(private readonly intervalMs = 50) {}

  subscribe(listener: (batch: LabEvent[]) => void): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  push(event: LabEvent): void {
    if (this.listeners.size === 0) return
    this.pending.push(event)
    this.timer ??= setTimeout(() => this.flush(), this.intervalMs)
  }

  flush(): void {
    if (this.timer) clearTimeout(this.timer)
    this.timer = undefined
    if (this.pending.length === 0) return
    const batch = this.pending
    this.pending = []
    for (const listener of this.listeners) {
      try {
        listener(batch)
      } catch {
        // One broken subscriber must not starve the others.
      }
    }
  }

  dispose(): void {
    this.flush()
    this.listeners.clear()
  }
}
