import type { EventLevel } from '../../../shared/events.js'
import type { LogLine } from './log-line.js'
import type { Matcher } from './log-search.js'
import type { RingBuffer } from './ring-buffer.js'

export interface LineFilter {
  levels: ReadonlySet<EventLevel>
  /** Sources hidden from the merged view. */
  hiddenSources: ReadonlySet<string>
  matcher: Matcher
}

export function lineMatches(line: LogLine, filter: LineFilter): boolean {
  if (!filter.levels.has(line.level)) return false
  if (filter.hiddenSources.has(line.source)) return false
  if (filter.matcher.kind === 'ok') return filter.matcher.test(line.text)
  // An invalid pattern hides nothing: the user sees the error and the unfiltered log.
  return true
}

/**
 * The lines of a ring that pass a filter, kept up to date incrementally: each refresh only tests the
 * lines pushed since the last one and drops those the ring has evicted. A new filter means a new
 * FilteredLog.
 */
export class FilteredLog {
  private kept: LogLine[] = []
  private seen = 0
  private generation: number

  constructor(
    private readonly ring: RingBuffer<LogLine>,
    private readonly filter: LineFilter,
  ) {
    this.generation = ring.generation
  }

  /** Brings the view up to date; returns the same array when nothing changed. */
  refresh(): LogLine[] {
    if (this.ring.generation !== this.generation) {
      this.generation = this.ring.generation
      this.kept = []
      this.seen = 0
    }
    if (this.ring.pushed === this.seen) return this.kept
    const oldest = this.ring.at(0)
    let next = this.kept
    if (oldest) {
      let drop = 0
      while (drop < next.length && next[drop].seq < oldest.seq) drop++
      if (drop > 0) next = next.slice(drop)
    } else {
      next = []
    }
    const added = this.ring.since(this.seen).filter((line) => lineMatches(line, this.filter))
    if (added.length > 0) {
      if (next === this.kept) next = next.slice()
      for (const line of added) next.push(line)
    }
    this.seen = this.ring.pushed
    this.kept = next
    return next
  }
}
