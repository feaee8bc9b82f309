/**
 * The monitor's alerts as intervals: raised (monitor.alert) until cleared (monitor.cleared, or the
 * task's deletion). An alert raised again while open refreshes its message; it is one alert.
 */
import { MonitorEventTypes, type LabEvent } from '../../shared/events.js'
import type { ReportAlert } from './types.js'

export function collectAlerts(events: readonly LabEvent[]): ReportAlert[] {
  const alerts: ReportAlert[] = []
  const open = new Map<string, ReportAlert>()
  const clear = (key: string, e: LabEvent) => {
    const alert = open.get(key)
    if (!alert) return
    Object.assign(alert, { clearedAt: e.time, clearedSeq: e.seq, durationMs: Math.max(0, e.time - alert.raisedAt) })
    open.delete(key)
  }
  for (const e of events) {
    if (e.type === MonitorEventTypes.alert) {
      const task = e.task
      const key = `${task}\0${e.kind}`
      const current = open.get(key)
      if (current) {
        current.repeats += 1
        current.message = e.message
        continue
      }
      const alert: ReportAlert = {
        task,
        kind: e.kind,
        message: e.message,
        raisedAt: e.time,
        raisedSeq: e.seq,
        clearedAt: null,
        clearedSeq: null,
        durationMs: null,
        repeats: 0,
      }
      alerts.push(alert)
      open.set(key, alert)
    } else if (e.type === MonitorEventTypes.cleared) {
      clear(`${e.task}\0${e.kind}`, e)
    } else if (e.type === MonitorEventTypes.unwatched) {
      for (const key of [...open.keys()]) if (key.startsWith(`${e.task}\0`)) clear(key, e)
    }
  }
  return alerts
}
