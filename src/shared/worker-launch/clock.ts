/**
 * A worker's clock, set apart from the machine's: an offset and/or a rate. The lab runs the worker
 * under libfaketime (src/core/workers/faketime.ts); this module is the setting itself, the FAKETIME
 * text libfaketime reads, and the way back from a time the worker wrote to the lab's clock.
 */
import { z } from 'zod'

/** A day either way: enough to outrun any lease or session, small enough to stay a typo guard. */
export const MAX_CLOCK_OFFSET_MS = 24 * 3_600_000

export const ClockSkew = z
  .object({
    /** Added to the wall clock the worker reads, ms (+5000: five seconds ahead; -5000: behind). */
    offsetMs: z.number().int().min(-MAX_CLOCK_OFFSET_MS).max(MAX_CLOCK_OFFSET_MS).optional(),
    /** How fast its wall clock runs from its start (1.01: 1 % fast, so 36 s ahead after an hour). */
    rate: z.number().min(0.1).max(10).optional(),
  })
  .strict()
  .refine((c) => (c.offsetMs ?? 0) !== 0 || (c.rate ?? 1) !== 1, {
    message: 'a clock setting needs an offsetMs other than 0 or a rate other than 1',
  })
export type ClockSkew = z.output<typeof ClockSkew>

/** libfaketime's relative form: `+5`, `-1.5` (seconds), then ` x1.01` for a rate (which needs the offset, even `+0`). */
export function faketimeSpec(clock: ClockSkew): string {
  const offsetS = (clock.offsetMs ?? 0) / 1000
  const offset = `${offsetS < 0 ? '-' : '+'}${trim(Math.abs(offsetS))}`
  // libfaketime parses numbers in the C locale before the program can change it: a dot is the decimal point.
  return clock.rate === undefined || clock.rate === 1 ? offset : `${offset} x${trim(clock.rate)}`
}

/** For the views: `+5 s`, `-0.25 s, ×1.01`. */
export function describeClock(clock: ClockSkew): string {
  const parts: string[] = []
  if (clock.offsetMs) parts.push(`${clock.offsetMs > 0 ? '+' : '-'}${trim(Math.abs(clock.offsetMs) / 1000)} s`)
  if (clock.rate !== undefined && clock.rate !== 1) parts.push(`×${trim(clock.rate)}`)
  return parts.join(', ')
}

/**
 * The lab's time of a moment the worker wrote down with its skewed clock (a sink record's `time`):
 * libfaketime reports `start + offset + (now - start) · rate`, where `start` is when the program
 * started, so this inverts it with the spawn time for `start`. The error is the program's start-up
 * time times (rate − 1): a millisecond or so for the rates a lab uses.
 */
export function labTimeOf(clock: ClockSkew, startedAt: number, ownTime: number): number {
  const rate = clock.rate ?? 1
  return Math.round(startedAt + (ownTime - startedAt - (clock.offsetMs ?? 0)) / rate)
}

function trim(n: number): string {
  return Number(n.toFixed(6)).toString()
}
