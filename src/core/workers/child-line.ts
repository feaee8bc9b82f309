import { LabEventTypes, type EventLevel, type UnsequencedEvent } from '../../shared/events.js'
import { parseChildPayload } from './child-events.js'

const LEVELS = new Set<EventLevel>(['debug', 'info', 'warn', 'error'])
/** pino's numeric levels, for children that keep pino's default level format. */
const PINO_LEVELS: Record<number, EventLevel> = {
  10: 'debug',
  20: 'debug',
  30: 'info',
  40: 'warn',
  50: 'error',
  60: 'error',
}
/** Java's log lines carry their level as a word; enough to colour and filter them. */
const JAVA_LEVEL = /\b(ERROR|WARN|INFO|DEBUG|TRACE)\b/

/**
 * Turns one line a child printed into an event. A JSON object whose `type` is one of the child event
 * types, with the fields that type carries, is an event of its own (its `time` is kept: it is the
 * child's clock at the moment it acted); anything else is kept whole as a `log` event, so programs
 * that print plain text, or an event the lab does not know, lose nothing. A child whose clock the lab
 * skewed (`ownClock`) is not believed about time: `time` is `now`, the lab's clock when the line was
 * read, and the child's own reading is kept as `ownTime`.
 */
export function parseChildLine(
  source: string,
  stream: 'stdout' | 'stderr',
  line: string,
  jsonEvents: boolean,
  now = Date.now(),
  ownClock = false,
): UnsequencedEvent {
  if (jsonEvents && line.startsWith('{')) {
    try {
      const parsed: unknown = JSON.parse(line)
      if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) {
        const { type, time, level, source: _ignored, seq: _seq, ...fields } = parsed as Record<string, unknown>
        const event = typeof type === 'string' ? parseChildPayload(type, fields) : undefined
        if (event) {
          // The schema for `event.type` checked `event.payload`: the pair is one member of the union.
          const reported = typeof time === 'number' && Number.isFinite(time) ? time : undefined
          return {
            ...event.payload,
            time: ownClock ? now : (reported ?? now),
            ...(ownClock && reported !== undefined ? { ownTime: reported } : {}),
            source,
            type: event.type,
            level: toLevel(level),
          } as UnsequencedEvent
        }
      }
    } catch {
      // Not JSON after all: a plain line.
    }
  }
  const javaLevel = JAVA_LEVEL.exec(line)?.[1]
  const level: EventLevel =
    javaLevel === 'ERROR'
      ? 'error'
      : javaLevel === 'WARN'
        ? 'warn'
        : stream === 'stderr' && !javaLevel
          ? 'warn'
          : 'info'
  return { time: now, source, type: LabEventTypes.log, level, stream, line }
}

function toLevel(level: unknown): EventLevel {
  if (typeof level === 'string' && LEVELS.has(level as EventLevel)) return level as EventLevel
  if (typeof level === 'number') return PINO_LEVELS[level] ?? 'info'
  return 'info'
}
