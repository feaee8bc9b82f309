/**
 * The leadership timeline as intervals: per worker, when it was starting, standby, primary, paused
 * or dead (from its own role reports and the lab's process events); when the checker saw it work;
 * lastCommit over time; and each ZooKeeper server's state. Plain data, drawn by the HTML report.
 */
import { LabEventTypes, WorkerEventTypes, type LabEvent } from '../../shared/events.js'
import { commitId, type JournalModel } from '../checker/journal-model.js'
import { workingIntervals } from '../checker/single-primary.js'
import { EnsembleTimeline } from '../../shared/zk-ensemble.js'
import type { ReportVerdict, LaneInterval, LaneState, ReportTimeline, TimelineTask } from './types.js'

interface Track<S extends string> {
  state?: S
  since: number
  intervals: { state: S; start: number; end: number }[]
}

function move<S extends string>(track: Track<S>, state: S | undefined, time: number): void {
  if (state === track.state) return
  const at = Math.max(time, track.since)
  if (track.state !== undefined && at > track.since) {
    const last = track.intervals.at(-1)
    // A state left and re-entered at the same instant is one interval.
    if (last && last.state === track.state && last.end === track.since) last.end = at
    else track.intervals.push({ state: track.state, start: track.since, end: at })
  }
  track.state = state
  track.since = at
}

function close<S extends string>(track: Track<S>, end: number): Track<S>['intervals'] {
  move(track, undefined, end)
  return track.intervals
}

export function buildTimeline(
  model: JournalModel,
  events: readonly LabEvent[],
  verdicts: readonly ReportVerdict[],
  startMs: number,
  endMs: number,
): ReportTimeline {
  const workers = new Map<string, { track: Track<LaneState>; role?: LaneState; paused: boolean; pid?: number }>()
  const servers = new Map<string, { track: Track<'starting' | 'running' | 'paused' | 'stopped'>; pid?: number }>()
  const worker = (name: string, time: number) => {
    let w = workers.get(name)
    if (!w) {
      w = { track: { since: time, intervals: [] }, paused: false }
      workers.set(name, w)
    }
    return w
  }
  const live = (w: { role?: LaneState; paused: boolean }): LaneState => (w.paused ? 'paused' : (w.role ?? 'starting'))

  for (const e of events) {
    if (e.type === LabEventTypes.log) continue
    const name = 'name' in e ? e.name : undefined
    if (e.type === LabEventTypes.processSpawned && name && model.workers.has(name)) {
      const w = worker(name, e.time)
      Object.assign(w, { role: undefined, paused: false, pid: typeof e.pid === 'number' ? e.pid : undefined })
      // A respawn right after an exit starts a new interval even when both are "starting".
      move(w.track, undefined, e.time)
      move(w.track, 'starting', e.time)
    } else if (e.type === LabEventTypes.processSpawned && name && e.kind === 'zookeeper') {
      const s = servers.get(name) ?? { track: { since: e.time, intervals: [] } }
      s.pid = typeof e.pid === 'number' ? e.pid : undefined
      servers.set(name, s)
      move(s.track, 'starting', e.time)
    } else if (e.type === LabEventTypes.zkReady && name && servers.has(name)) {
      move(servers.get(name)!.track, 'running', e.time)
    } else if (e.type === LabEventTypes.processAction && name && (e.action === 'pause' || e.action === 'resume')) {
      const paused = e.action === 'pause'
      const w = workers.get(name)
      if (w && w.track.state !== 'dead') {
        w.paused = paused
        move(w.track, live(w), e.time)
      }
      const s = servers.get(name)
      if (s && s.track.state !== 'stopped') move(s.track, paused ? 'paused' : 'running', e.time)
    } else if (e.type === LabEventTypes.processExited && name) {
      const w = workers.get(name)
      if (w && (w.pid === undefined || w.pid === e.pid)) {
        w.paused = false
        move(w.track, 'dead', e.time)
      }
      const s = servers.get(name)
      if (s && (s.pid === undefined || s.pid === e.pid)) move(s.track, 'stopped', e.time)
    } else if (
      e.type === WorkerEventTypes.role &&
      model.workers.has(e.source) &&
      (e.role === 'primary' || e.role === 'standby')
    ) {
      const w = worker(e.source, e.time)
      if (w.track.state === 'dead') continue
      w.role = e.role
      move(w.track, live(w), e.time)
    } else if (e.type.startsWith('worker.') && model.workers.has(e.source) && !workers.has(e.source)) {
      // A journal without the worker's spawn (hand-made, or cut at the start): it lived from its first word.
      move(worker(e.source, e.time).track, 'starting', e.time)
    }
  }

  const tasks: TimelineTask[] = [...model.tasks.values()].map((task) => {
    const working = workingIntervals(task)
    const names = [
      ...new Set([
        ...task.workers,
        ...[...model.workers.values()].filter((w) => w.task === task.task).map((w) => w.name),
      ]),
    ].sort(byWorkerNumber)
    return {
      task: task.task,
      lanes: names.map((name) => ({
        worker: name,
        intervals: workers.has(name) ? (close(workers.get(name)!.track, endMs) as LaneInterval[]) : [],
        working: working.filter((i) => i.worker === name).map((i) => ({ start: i.start, end: i.end })),
      })),
      // Positions: the counter's ids, a binlog task's GTIDs by seq.
      lastCommit: [...task.commits]
        .filter((c) => commitId(c.value) !== undefined)
        .sort((a, b) => a.time - b.time || a.seq - b.seq)
        .map((c) => ({ time: c.time, value: commitId(c.value)!, writer: c.writer ?? null })),
      violations: verdicts
        .filter((v) => v.task === task.task)
        .flatMap((v) =>
          v.violations.map((x) => ({ invariant: v.invariant, kind: x.kind, start: x.time, end: x.endTime ?? x.time })),
        ),
    }
  })
  const ensemble = new EnsembleTimeline().applyAll(events)
  return {
    startMs,
    endMs,
    teardownAt: model.teardownAt ?? null,
    ensemble: {
      links: ensemble.bands.map((b) => ({
        start: b.start,
        end: b.end ?? Math.max(b.start, endMs),
        description: b.description,
        cuts: b.cuts,
      })),
      marks: ensemble.marks.map((m) => ({
        time: m.time,
        kind: m.kind,
        label: m.label,
        server: m.server ?? null,
        epoch: m.epoch ?? null,
      })),
    },
    tasks,
    servers: [...servers.entries()]
      .sort(([a], [b]) => byWorkerNumber(a, b))
      .map(([name, s]) => ({ name, intervals: close(s.track, endMs) })),
  }
}

/** worker-task01-2 before worker-task01-10. */
export function byWorkerNumber(a: string, b: string): number {
  return a.localeCompare(b, 'en', { numeric: true })
}
