import type { LabEvent } from '../../../shared/events.js'
import { toLogLine, type LogLine } from './log-line.js'
import { RingBuffer } from './ring-buffer.js'

/** Lines kept in memory for the merged view, and for each process. Older lines are on disk. */
export const MERGED_CAPACITY = 20_000
export const PER_SOURCE_CAPACITY = 10_000
export const MERGED = '*'

/**
 * Every log line the view holds, outside React: one ring for the merged view and one per process,
 * sharing the same line objects. Components read it when the logs slice's version moves.
 */
export class LogBuffers {
  readonly merged: RingBuffer<LogLine>
  private readonly bySource = new Map<string, RingBuffer<LogLine>>()

  constructor(
    private readonly mergedCapacity = MERGED_CAPACITY,
    private readonly perSourceCapacity = PER_SOURCE_CAPACITY,
  ) {
    this.merged = new RingBuffer(mergedCapacity)
  }

  /** Appends events; returns the sources seen for the first time. */
  append(events: readonly LabEvent[]): string[] {
    const fresh: string[] = []
    for (const e of events) {
      const line = toLogLine(e)
      this.merged.push(line)
      let ring = this.bySource.get(e.source)
      if (!ring) {
        ring = new RingBuffer(this.perSourceCapacity)
        this.bySource.set(e.source, ring)
        fresh.push(e.source)
      }
      ring.push(line)
    }
    return fresh
  }

  ring(source: string): RingBuffer<LogLine> | undefined {
    return source === MERGED ? this.merged : this.bySource.get(source)
  }

  sources(): string[] {
    return [...this.bySource.keys()]
  }

  /** Empties the views (the session folder keeps everything). */
  clear(source: string): void {
    this.ring(source)?.clear()
  }

  reset(): void {
    this.merged.clear()
    this.bySource.clear()
  }

  get capacities(): { merged: number; perSource: number } {
    return { merged: this.mergedCapacity, perSource: this.perSourceCapacity }
  }
}

export const logBuffers = new LogBuffers()
