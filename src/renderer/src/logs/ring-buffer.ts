/**
 * A fixed-capacity FIFO: pushing past capacity drops the oldest item. Log views keep the latest
 * lines in memory this way; everything older is in the session folder on disk.
 */
export class RingBuffer<T> {
  private items: (T | undefined)[]
  private head = 0
  private size = 0
  /** Items ever pushed since the last clear; `pushed - length` of them have been dropped. */
  pushed = 0
  /** Moves on every clear, so readers can tell a cleared buffer from a quiet one. */
  generation = 0

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1)
      throw new RangeError(`capacity must be a positive integer, got ${capacity}`)
    this.items = new Array<T | undefined>(capacity)
  }

  get length(): number {
    return this.size
  }

  /** How many items were dropped to stay within capacity. */
  get dropped(): number {
    return this.pushed - this.size
  }

  push(item: T): void {
    this.items[(this.head + this.size) % this.capacity] = item
    if (this.size < this.capacity) this.size++
    else this.head = (this.head + 1) % this.capacity
    this.pushed++
  }

  /** The i-th item, 0 being the oldest kept. */
  at(i: number): T | undefined {
    if (i < 0 || i >= this.size) return undefined
    return this.items[(this.head + i) % this.capacity]
  }

  /** Items pushed after the first `pushedBefore` pushes that are still kept, oldest first. */
  since(pushedBefore: number): T[] {
    const skip = Math.max(0, pushedBefore - this.dropped)
    const out: T[] = []
    for (let i = skip; i < this.size; i++) out.push(this.items[(this.head + i) % this.capacity] as T)
    return out
  }

  toArray(): T[] {
    return this.since(0)
  }

  clear(): void {
    this.items = new Array<T | undefined>(this.capacity)
    this.head = 0
    this.size = 0
    this.pushed = 0
    this.generation++
  }
}
