/** A task's workers as the journal names them: number within the task and strategy. */
import { LabEventTypes, WorkerEventTypes, type LabEvent } from '../../shared/events.js'

export interface TaskWorker {
  name: string
  id?: number
  strategy?: string
}

export function taskWorkers(events: readonly LabEvent[], task: string): Map<string, TaskWorker> {
  const workers = new Map<string, TaskWorker>()
  const note = (name: string, id: unknown, strategy: unknown) => {
    const w = workers.get(name) ?? { name }
    const n = Number(id)
    if (w.id === undefined && id !== undefined && Number.isInteger(n) && n >= 0) w.id = n
    if (w.strategy === undefined && typeof strategy === 'string') w.strategy = strategy
    workers.set(name, w)
  }
  for (const e of events) {
    if (e.type === LabEventTypes.processSpawned && (e.kind === 'worker' || e.kind === 'external')) {
      if (String(e.labels?.task) === task) note(e.name, e.labels?.workerId, e.labels?.strategy)
    } else if (e.type === WorkerEventTypes.started && e.task === task) note(e.source, e.workerId, e.strategy)
  }
  // Two workers claiming one number would share a process: drop both ids, numbers are handed out then.
  const counts = new Map<number, number>()
  for (const w of workers.values()) if (w.id !== undefined) counts.set(w.id, (counts.get(w.id) ?? 0) + 1)
  for (const w of workers.values()) if (w.id !== undefined && counts.get(w.id)! > 1) delete w.id
  return workers
}
