/**
 * The child programs' event output: one JSON object per line on stdout, `{"level","time","type",...}`.
 * pino writes synchronously so a line is on its way to the lab before the next step runs, and nothing
 * already reported is lost when the process is SIGKILLed.
 */
import { pino, type Logger } from 'pino'
import type { ChildEventPayloads, ChildEventType, EventLevel } from '../../shared/events.js'

/**
 * The compiler holds each event's fields to its payload type: the lab checks every line against the
 * same shapes (src/core/workers/child-events.ts), and a line that does not fit arrives as a plain log
 * line, so a drifting field would otherwise lose the event without a word.
 */
export interface Emitter {
  emit<T extends ChildEventType>(type: T, fields: ChildEventPayloads[T], level?: EventLevel): void
}

export function createEmitter(fd = 1): Emitter {
  const destination = pino.destination({ dest: fd, sync: true })
  // A closed stdout means the lab is gone; the stdin watcher ends the process, so drop the output here.
  destination.on('error', () => {})
  const logger: Logger = pino(
    {
      level: 'debug',
      base: undefined, // no pid/hostname
      timestamp: pino.stdTimeFunctions.epochTime, // "time": ms since the epoch
      formatters: { level: (label) => ({ level: label }) },
    },
    destination,
  )
  return {
    emit(type, fields, level = 'info') {
      logger[level]({ type, ...fields })
    },
  }
}

/** Error fields for an event: a message and, for ZooKeeper errors, the numeric code. */
export function errorFields(err: unknown): { message: string; code?: number | string } {
  if (err instanceof Error) {
    const code = (err as { code?: unknown }).code
    return typeof code === 'number' || typeof code === 'string'
      ? { message: err.message, code }
      : { message: err.message }
  }
  return { message: String(err) }
}
