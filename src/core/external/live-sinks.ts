import { isExternalWorker, type LabState } from '../../shared/lab-state.js'
import { readSink, sinkPath, type SinkRecord } from '../session-folder/index.js'

/**
 * The sinks of tasks run by external workers, for the live checker. The lab's own workers report
 * their work as events, which is what the live checker judges; external programs report nothing,
 * so without their sink a live check would see a primary that never works. Read at most every
 * `minIntervalMs`.
 */
export function externalSinkReader(
  sessionDir: string,
  state: () => LabState,
  minIntervalMs = 1000,
  now: () => number = Date.now,
): () => Record<string, SinkRecord[]> | undefined {
  let last: Record<string, SinkRecord[]> | undefined
  let readAt = -Infinity
  return () => {
    if (now() - readAt < minIntervalMs) return last
    readAt = now()
    const tasks = new Set(
      Object.values(state().workers)
        .filter(isExternalWorker)
        .map((w) => w.task),
    )
    if (tasks.size === 0) return (last = undefined)
    last = Object.fromEntries([...tasks].map((task) => [task, readSink(sinkPath(sessionDir, task)).records]))
    return last
  }
}
