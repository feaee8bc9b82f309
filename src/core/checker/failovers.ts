/**
 * Failover gaps, a measurement rather than an invariant. A fault that hit a task's primary (kill,
 * stop, pause or restart through `process.action`, or a network fault recorded as `fault.<kind>`) is
 * broken down into the steps of the takeover, each in ms after the fault:
 *   session ended → instance node deleted → watch fired → new primary → its first commit.
 * A step is looked for between the fault and the next fault that hits the task's primary; null when
 * it did not happen there. Faults of the lab's own stop-all at session close are not experiments.
 */
import { LabEventTypes, WorkerEventTypes, type LabEvent } from '../../shared/events.js'
import { commitId, nodeAt, type JournalModel, type TaskModel } from './journal-model.js'
import { serverFailover, withServerSessionEnd } from './server-failovers.js'
import type { FailoverBreakdown } from './types.js'
import type { FailoverHerd } from './types.js'
import { failoverHerd } from './herd.js'
import type { TxnLogEvidence } from './zombie-writes.js'

/** What ends a fault is not a fault of its own (healing a partition). */
const NOT_A_FAULT = /^(heal|clear|restore|end|resume|remove|stop-)/

export interface PrimaryFault {
  task: string
  kind: string
  target: string
  time: number
  seq: number
}

/** Every fault that hit a worker while it was its task's primary (alive and not paused), in journal order. */
export function primaryFaults(model: JournalModel): PrimaryFault[] {
  const state = new Map<string, { role?: string; alive: boolean; paused: boolean }>()
  const faults: PrimaryFault[] = []
  for (const e of model.events) {
    const name = e.type === LabEventTypes.processSpawned || e.type === LabEventTypes.processExited ? e.name : undefined
    if (e.type === LabEventTypes.processSpawned && name && model.workers.has(name))
      state.set(name, { alive: true, paused: false })
    if (e.type === LabEventTypes.processExited && name && state.has(name)) state.get(name)!.alive = false
    // A worker's own word for its role, or, for a program that says nothing, the election's.
    const roleOf =
      e.type === WorkerEventTypes.role
        ? { worker: e.source, role: e.role }
        : e.type === LabEventTypes.externalRole
          ? { worker: e.name, role: e.role }
          : undefined
    if (roleOf && model.workers.has(roleOf.worker)) {
      const s = state.get(roleOf.worker) ?? { alive: true, paused: false }
      s.role = roleOf.role
      state.set(roleOf.worker, s)
    }
    const fault = faultOf(e)
    if (!fault) continue
    const info = model.workers.get(fault.target)
    const s = state.get(fault.target)
    const inTeardown = model.teardownAt !== undefined && e.time >= model.teardownAt
    if (info?.task && s?.alive && !s.paused && s.role === 'primary' && !inTeardown) {
      faults.push({ task: info.task, kind: fault.kind, target: fault.target, time: e.time, seq: e.seq })
    }
    if (s && e.type === LabEventTypes.processAction) {
      if (e.action === 'pause') s.paused = true
      if (e.action === 'resume') s.paused = false
    }
  }
  return faults
}

function faultOf(e: LabEvent): { kind: string; target: string } | undefined {
  if (e.type === LabEventTypes.processAction && ['kill', 'stop', 'pause', 'restart'].includes(e.action)) {
    return { kind: e.action, target: e.name }
  }
  // fault.network: a partition, a slow or a reset path is a fault; a heal ends one.
  if (e.type === LabEventTypes.networkFault && !NOT_A_FAULT.test(e.fault)) return { kind: e.fault, target: e.name }
  return undefined
}

/**
 * `txnLog`: the transaction log's evidence, where the lab kept the servers' logs; each breakdown then
 * also carries the same failover as the server recorded it (`server`).
 */
export function failoverBreakdowns(model: JournalModel, txnLog?: () => TxnLogEvidence): FailoverBreakdown[] {
  const faults = primaryFaults(model)
  const evidence = txnLog && readable(txnLog)
  return faults.map((f) => {
    const task = model.tasks.get(f.task)!
    const next = faults.find((g) => g.task === f.task && g.seq > f.seq)
    // The lab's stop-all at session close ends every window: what happens after it is not a takeover.
    const until = Math.min(next?.time ?? Infinity, model.teardownAt ?? Infinity)
    const journal = breakdown(model, task, f, until)
    if (!evidence) return journal
    const server = serverFailover({ ...journal, faultTime: f.time, until }, evidence)
    // The journal can only guess "expired" for a program that does not say it closed its session
    // (an external one): where the log says how the session ended, its word is the answer.
    return { ...journal, sessionEnd: withServerSessionEnd(journal, server), server }
  })
}

/** The evidence, or undefined when the log could not be read (the zombie-write verdict says why). */
function readable(txnLog: () => TxnLogEvidence): TxnLogEvidence | undefined {
  try {
    return txnLog()
  } catch {
    return undefined
  }
}

function breakdown(model: JournalModel, task: TaskModel, f: PrimaryFault, until: number): FailoverBreakdown {
  const inWindow = (x: { time: number; seq: number }) => x.time >= f.time && x.time < until && x.seq > f.seq
  const node = nodeAt(model, f.target, f.seq) ?? null
  // The faulted worker may come back as a new process (restart); that process counts as another worker.
  const respawn =
    model.events.find((e) => e.seq > f.seq && e.type === LabEventTypes.processSpawned && e.name === f.target)?.seq ??
    Infinity
  const other = (worker: string, seq: number) => worker !== f.target || seq > respawn

  const observed = task.nodeDeletions.find((d) => d.node === node && inWindow(d))?.time
  // A worker told by its watch that the node was deleted, or that saw the list without it, proves it
  // was gone; the observer reports the deletion only after its own round trip, which can come later.
  const watched = task.watches.find(
    (w) => w.event === 'deleted' && node !== null && w.path?.endsWith('/' + node) && inWindow(w),
  )?.time
  // Roles the workers reported and, for programs that report none, the roles read off the election.
  const roles = [...task.roles, ...task.externalRoles].sort((a, b) => a.seq - b.seq)
  const seenGone = roles.find(
    (r) =>
      other(r.worker, r.seq) &&
      inWindow(r) &&
      (r.role === 'primary' || (node !== null && r.smallest !== undefined && r.smallest !== node)),
  )?.time
  const nodeDeleted = min(observed, watched, seenGone)

  // A worker that closes its session says so once it is done, which can be after others saw the node go.
  const own = task.sessionEnds.find((e) => e.worker === f.target && e.seq < respawn && inWindow(e))
  const sessionEnded = min(own?.time, nodeDeleted)
  const sessionEnd = sessionEnded === undefined ? null : own?.how === 'closed' ? 'closed' : 'expired'

  const watch = task.watches.find((w) => other(w.worker, w.seq) && inWindow(w))
  const role = roles.find((r) => other(r.worker, r.seq) && inWindow(r) && r.role === 'primary')
  // Its first commit: its own report, else (a program that reports nothing) the first write to
  // lastCommit after the election named it, as the observer saw it.
  const reported = role
    ? task.work.find((w) => w.what === 'commit' && w.worker === role.worker && w.seq > role.seq && w.time < until)
    : undefined
  const lastCommitSeen =
    role && !reported && !task.roles.some((r) => r.worker === role.worker)
      ? task.commits.find((c) => c.seq > role.seq && c.time < until && commitId(c.value) !== undefined)
      : undefined
  const commit: { time: number; id?: number } | undefined =
    reported ?? (lastCommitSeen ? { time: lastCommitSeen.time, id: commitId(lastCommitSeen.value) } : undefined)
  const before = task.commits.flatMap((c) => (c.seq < f.seq ? (commitId(c.value) ?? []) : []))
  const rel = (t: number | undefined) => (t === undefined ? null : t - f.time)
  return {
    task: f.task,
    fault: f.kind,
    from: f.target,
    fromNode: node,
    faultTime: f.time,
    faultSeq: f.seq,
    to: role?.worker ?? null,
    steps: {
      sessionEnded: rel(sessionEnded),
      nodeDeleted: rel(nodeDeleted),
      watchFired: rel(watch?.time),
      newPrimary: rel(role?.time),
      firstCommit: rel(commit?.time),
    },
    sessionEnd,
    lastCommitBefore: before.length ? Math.max(...before) : null,
    firstCommitId: commit?.id ?? null,
    ...withHerd(failoverHerd(model, task, { target: f.target, node, faultTime: f.time, faultSeq: f.seq, until })),
  }
}

const withHerd = (herd: FailoverHerd | undefined) => (herd ? { herd } : {})

function min(...values: (number | undefined)[]): number | undefined {
  const defined = values.filter((v): v is number => v !== undefined)
  return defined.length ? Math.min(...defined) : undefined
}
