import type { EventLevel, LabEvent } from '../../../shared/events.js'

/** One line of a log view: every journal event becomes exactly one. */
export interface LogLine {
  seq: number
  time: number
  source: string
  level: EventLevel
  type: string
  text: string
}

const ENVELOPE = new Set(['seq', 'time', 'source', 'type', 'level'])
/** The Stat fields worth a glance in a one-line summary; the tree shows the rest. */
const STAT_KEYS = ['version', 'mzxid', 'numChildren', 'ephemeralOwner'] as const

/** Plain `log` events show their line; JSON events show their type and fields compactly. */
export function toLogLine(e: LabEvent): LogLine {
  const level: EventLevel = e.level ?? (e.type === 'log' && e.stream === 'stderr' ? 'warn' : 'info')
  const text = e.type === 'log' ? e.line : `${e.type} ${formatFields(e)}`.trimEnd()
  return { seq: e.seq, time: e.time, source: e.source, level, type: e.type, text }
}

function formatFields(e: LabEvent): string {
  const parts: string[] = []
  for (const [key, value] of Object.entries(e)) {
    if (ENVELOPE.has(key) || value === undefined) continue
    parts.push(`${key}=${formatValue(key, value)}`)
  }
  return parts.join(' ')
}

function formatValue(key: string, value: unknown): string {
  if (typeof value === 'string') return /[\s"=]/.test(value) || value === '' ? JSON.stringify(value) : value
  if (typeof value === 'number' || typeof value === 'boolean' || value === null) return String(value)
  if (key === 'stat' && typeof value === 'object') {
    const stat = value as Record<string, unknown>
    const owner = stat.ephemeralOwner && stat.ephemeralOwner !== '0' ? stat.ephemeralOwner : undefined
    return `{${STAT_KEYS.filter((k) => k !== 'ephemeralOwner' || owner)
      .map((k) => `${k}:${String(stat[k])}`)
      .join(' ')}}`
  }
  const json = JSON.stringify(value)
  return json.length > 160 ? json.slice(0, 157) + '…' : json
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0')

/** Local wall-clock time with milliseconds: what a log reader lines up against other logs. */
export function formatClock(ms: number): string {
  const d = new Date(ms)
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`
}

/** The text of a line as exported to a .log file. */
export function exportLine(line: LogLine, timestamps: boolean, merged: boolean): string {
  const parts: string[] = []
  if (timestamps) parts.push(new Date(line.time).toISOString())
  parts.push(line.level.toUpperCase().padEnd(5))
  if (merged) parts.push(`[${line.source}]`)
  parts.push(line.text)
  return parts.join(' ')
}
