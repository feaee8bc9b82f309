/**
 * The herd of a failover: which workers a watch on the task's election woke between the fault and the
 * end of its window, and what each did next. Workers that report their watches (`worker.watch`) count
 * by their own word: the first watch each got, and its next role or predecessor watch (`reactedMs`).
 * A program that reports nothing is counted from the lab's watch graph as it stood before the fault:
 * every other session's watch on the old primary's node fires when the node goes. Child watches are not
 * in ZooKeeper 3.8's watch lists, so such a program's herd on the whole list is not seen (only its
 * exists/data watches).
 */
import { LabEventTypes, WorkerEventTypes, type EventOf, type LabEvent } from '../../shared/events.js'
import type { FailoverHerd } from './types.js'
import type { JournalModel, TaskModel } from './journal-model.js'

interface Window {
  target: string
  node: string | null
  faultTime: number
  faultSeq: number
  until: number
}

export function failoverHerd(model: JournalModel, task: TaskModel, w: Window): FailoverHerd | undefined {
  const election = task.paths.election
  const onElection = (path: string | undefined) =>
    path !== undefined && (path === election || path.startsWith(`${election}/`))
  const inWindow = (x: { time: number; seq: number }) => x.time >= w.faultTime && x.time < w.until && x.seq > w.faultSeq
  const reporting = task.workers.filter((name) => task.watches.some((x) => x.worker === name))
  if (reporting.length > 0) {
    const workers: FailoverHerd['workers'] = []
    for (const name of task.workers) {
      if (name === w.target) continue
      const watch = task.watches.find((x) => x.worker === name && inWindow(x) && onElection(x.path))
      if (!watch) continue
      const next = model.events.find((e) => e.seq > watch.seq && e.source === name && e.time < w.until && isReaction(e))
      workers.push({
        worker: name,
        watchAt: watch.time - w.faultTime,
        path: watch.path!,
        ...(next ? { reactedMs: next.time - watch.time, did: reaction(next) } : {}),
      })
    }
    workers.sort((a, b) => a.watchAt - b.watchAt || a.worker.localeCompare(b.worker))
    return { woken: workers.length, source: 'workers', workers }
  }
  // A program that says nothing: the graph before the fault, the watches on the node that went.
  if (w.node === null) return undefined
  const before = model.events.findLast(
    (e): e is EventOf<'zookeeper.watches'> => e.type === LabEventTypes.zookeeperWatches && e.seq < w.faultSeq,
  )
  if (!before) return undefined
  const deleted = task.nodeDeletions.find((d) => d.node === w.node && inWindow(d))
  const nodePath = `${election}/${w.node}`
  const workers = before.edges
    .filter((e) => e.path === nodePath && e.worker !== w.target && e.kind === 'data')
    .map((e) => ({
      worker: e.worker ?? `session ${e.session}`,
      path: e.path,
      watchAt: deleted ? deleted.time - w.faultTime : -1,
    }))
  return { woken: workers.length, source: 'graph', workers }
}

/** What a woken worker does next that tells it looked: said its role, or watches a new predecessor. */
function isReaction(e: LabEvent): boolean {
  return e.type === WorkerEventTypes.role || e.type === WorkerEventTypes.watching
}

function reaction(e: LabEvent): string {
  if (e.type === WorkerEventTypes.role) return e.role
  return e.type === WorkerEventTypes.watching ? 'watching' : e.type
}
