/**
 * What every process said around each fault: the journal's lines (plain output and typed events,
 * which are what the children printed) from 5 s before the fault to 5 s after it, or after the
 * resume or heal that ended it. Bounded per process, keeping the lines nearest the fault, so a
 * chatty ZooKeeper cannot crowd out the workers. The journal, not logs/, is the source: it is
 * written synchronously and so holds every line a SIGKILLed lab had received.
 */
import { LabEventTypes, type LabEvent, type ZnodeStat } from '../../shared/events.js'
import { recoveryOf } from './faults.js'
import type { FaultLogLine, FaultLogWindow, ReportFault } from './types.js'

export const LOG_WINDOW_MS = 5000
export const MAX_LINES_PER_PROCESS = 60
const MAX_VALUE_CHARS = 160

export function faultLogWindows(
  events: readonly LabEvent[],
  faults: readonly ReportFault[],
  opts: { windowMs?: number; maxLinesPerProcess?: number } = {},
): FaultLogWindow[] {
  const windowMs = opts.windowMs ?? LOG_WINDOW_MS
  const maxLines = opts.maxLinesPerProcess ?? MAX_LINES_PER_PROCESS
  return faults
    .filter((f) => !f.recovery)
    .map((fault) => {
      const recovery = recoveryOf(fault, faults)
      const from = fault.time - windowMs
      const to = (recovery?.time ?? fault.time) + windowMs
      const anchors = recovery ? [fault.time, recovery.time] : [fault.time]
      const byProcess = new Map<string, LabEvent[]>()
      for (const e of events) {
        if (e.time < from || e.time > to) continue
        const list = byProcess.get(e.source) ?? []
        list.push(e)
        byProcess.set(e.source, list)
      }
      const processes = [...byProcess.entries()]
        .sort(([a], [b]) => processOrder(a) - processOrder(b) || a.localeCompare(b))
        .map(([process, list]) => {
          const kept =
            list.length <= maxLines
              ? list
              : [...list]
                  .sort((a, b) => distance(a.time, anchors) - distance(b.time, anchors) || a.seq - b.seq)
                  .slice(0, maxLines)
                  .sort((a, b) => a.seq - b.seq)
          return { process, lines: kept.map(toLine), omitted: list.length - kept.length }
        })
      return {
        faultIndex: fault.index,
        kind: fault.kind,
        target: fault.target,
        time: fault.time,
        recovery: recovery ? { kind: recovery.kind, time: recovery.time } : null,
        from,
        to,
        processes,
      }
    })
}

function distance(time: number, anchors: readonly number[]): number {
  return Math.min(...anchors.map((a) => Math.abs(time - a)))
}

/** The lab first, then ZooKeeper, the workers, and the lab's watchers. */
function processOrder(name: string): number {
  if (name === 'lab') return 0
  if (name === 'checker') return 1
  if (name.startsWith('zk-')) return 2
  if (name.startsWith('worker-')) return 3
  return 4
}

function toLine(e: LabEvent): FaultLogLine {
  return { seq: e.seq, time: e.time, level: e.level ?? 'info', text: eventText(e) }
}

/** A journal event as one log line: a plain line as printed, a typed event as `type key=value …`. */
export function eventText(e: LabEvent): string {
  if (e.type === LabEventTypes.log && typeof e.line === 'string') return e.line
  const { seq: _s, time: _t, source: _src, type, level: _l, ...fields } = e
  // A spawn's full command line and settings are in the journal; the line names the program.
  const hidden = type === LabEventTypes.processSpawned ? ['args', 'settings'] : []
  const shown = Object.entries(fields).filter(([key]) => !hidden.includes(key))
  const parts = shown.map(([key, value]) => `${key}=${valueText(key, value)}`)
  return [type, ...parts].join(' ')
}

function valueText(key: string, value: unknown): string {
  if (key === 'stat' && value && typeof value === 'object') {
    // A znode event's stat; an old journal may lack a field, which then reads `undefined`.
    const s = value as Partial<ZnodeStat>
    return `{version=${s.version} mzxid=${s.mzxid}${s.ephemeralOwner && s.ephemeralOwner !== '0' ? ` owner=${s.ephemeralOwner}` : ''}}`
  }
  const text =
    typeof value === 'string'
      ? /^[\w./:@-]*$/.test(value) && value !== ''
        ? value
        : JSON.stringify(value)
      : JSON.stringify(value)
  return text.length > MAX_VALUE_CHARS ? `${text.slice(0, MAX_VALUE_CHARS)}…` : text
}
