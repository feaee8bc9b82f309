/**
 * A token bucket per child: lines within the rate (and a burst on top) pass, the rest are dropped and
 * counted. The child is never slowed down: its pipe is read at full speed either way, only what the
 * lab keeps of it is bounded.
 */
export class LogRateLimiter {
  private tokens: number
  private last: number
  private droppedSinceReport = 0

  constructor(
    readonly linesPerSecond: number,
    readonly burst: number,
    now = Date.now(),
  ) {
    this.tokens = burst
    this.last = now
  }

  /** True if this line may be kept; false (and counted) if it is over the rate. */
  admit(now = Date.now()): boolean {
    if (now > this.last) {
      this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) * this.linesPerSecond) / 1000)
      this.last = now
    }
    if (this.tokens >= 1) {
      this.tokens -= 1
      return true
    }
    this.droppedSinceReport++
    return false
  }

  /** Lines dropped since the last call; resets the count. */
  takeDropped(): number {
    const dropped = this.droppedSinceReport
    this.droppedSinceReport = 0
    return dropped
  }
}
