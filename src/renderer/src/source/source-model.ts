/**
 * The source panel's arithmetic: how far each binlog task's backup is behind the source, and what a
 * load form's text means as a Lab API call (validated by the API's own schema, so the form refuses
 * what the lab would).
 */
import { SourceLoadInput } from '../../../shared/api.js'
import { parseGtid } from '../../../shared/binlog.js'
import type { LabState, ProcessView, TaskView, WorkerView } from '../../../shared/lab-state.js'

/** One binlog task's backup, live: what lastCommit says and what its primary last appended. */
export interface BackupPosition {
  task: string
  /** lastCommit's GTID: what a new primary would resume from. */
  lastCommit?: string
  /** The GTID its primary (or, with none, its latest worker) last appended to the sink. */
  written?: string
  writtenBy?: string
  /** Source transactions not yet in lastCommit (by sequence number; the lab's source is one server). */
  behind?: number
}

/** Tasks whose workers back up the binlog (their workload label, or a GTID they wrote or committed). */
export function backupPositions(
  state: Pick<LabState, 'tasks' | 'workers' | 'processes'> & { source?: LabState['source'] },
): BackupPosition[] {
  const byTask = new Map<string, WorkerView[]>()
  for (const w of Object.values(state.workers)) {
    if (!isBinlogWorker(w, state.processes[w.name])) continue
    byTask.set(w.task, [...(byTask.get(w.task) ?? []), w])
  }
  for (const t of Object.values(state.tasks)) if (t.lastCommitGtid && !byTask.has(t.name)) byTask.set(t.name, [])
  const sourceSeq = state.source ? (parseGtid(state.source.gtid)?.seq ?? 0) : undefined
  return [...byTask.entries()]
    .sort(([a], [b]) => a.localeCompare(b, 'en', { numeric: true }))
    .map(([task, workers]) => position(task, state.tasks[task], workers, sourceSeq))
}

function isBinlogWorker(w: WorkerView, process: ProcessView | undefined): boolean {
  return w.lastWorkGtid !== undefined || process?.labels.workload === 'binlog'
}

function position(task: string, view: TaskView | undefined, workers: WorkerView[], sourceSeq?: number): BackupPosition {
  const live = workers.filter((w) => w.status === 'running' || w.status === 'paused')
  const writer =
    live.find((w) => w.role === 'primary' && w.lastWorkGtid) ??
    [...workers].filter((w) => w.lastWorkGtid).sort((a, b) => (b.startedAt ?? 0) - (a.startedAt ?? 0))[0]
  const committed = view?.lastCommitGtid
  const committedSeq = committed ? (parseGtid(committed)?.seq ?? 0) : 0
  return {
    task,
    ...(committed ? { lastCommit: committed } : {}),
    ...(writer?.lastWorkGtid ? { written: writer.lastWorkGtid, writtenBy: writer.name } : {}),
    ...(sourceSeq !== undefined ? { behind: Math.max(0, sourceSeq - committedSeq) } : {}),
  }
}

/** A load form's fields as a sourceLoad call, or why the lab would refuse it. */
export function loadRequest(
  kind: 'rate' | 'burst',
  text: string,
  forSecondsText = '',
): { ok: true; input: SourceLoadInput } | { ok: false; problem: string } {
  const value = Number(text)
  if (text.trim() === '' || !Number.isFinite(value)) return { ok: false, problem: `The ${kind} must be a number.` }
  const forMs = forSecondsText.trim() === '' ? undefined : Math.round(Number(forSecondsText) * 1000)
  if (forMs !== undefined && !Number.isFinite(forMs)) return { ok: false, problem: 'The duration must be a number.' }
  const candidate = kind === 'rate' ? { rate: value, ...(forMs !== undefined ? { forMs } : {}) } : { burst: value }
  const parsed = SourceLoadInput.safeParse(candidate)
  if (parsed.success) return { ok: true, input: candidate }
  const issue = parsed.error.issues[0]
  const field = issue.path.join('.') || kind
  return { ok: false, problem: `${field}: ${issue.message}` }
}
