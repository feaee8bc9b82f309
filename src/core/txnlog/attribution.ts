/**
 * Which worker a ZooKeeper session belongs to. The transaction log names sessions, not processes, so
 * sessions are tied to workers through, in order of trust:
 * 1. the journal: the lab's own workers report each session they open (`worker.connected`), and the
 *    observer, monitor and publisher theirs;
 * 2. the instance node's name: a session that created `instance/server_<workerId>_<seq>` of a task is
 *    that task's worker <workerId> (the seed's naming, which external workers are expected to follow);
 * 3. the sink: a record that carries `session` names its worker's id.
 * Anything else stays "unknown session 0x…": a worker that opened a new session after an expiry and
 * never registered again is attributed only if it says so (journal or sink).
 */
import { LabEventTypes, type LabEvent } from '../../shared/events.js'
import type { SinkRecord } from '../session-folder/index.js'
import type { TxnHistory } from './history.js'
import { normalizeSessionId } from './txn-log-file.js'

export interface SessionOwner {
  /** The process name (`worker-task01-2`, `observer`), when known. */
  worker?: string
  how: 'journal' | 'node-name' | 'sink' | 'unknown'
}

export type SessionOwners = Map<string, SessionOwner>

const NODE_NAME = /^server_(.+)_\d{10}$/

export function attributeSessions(
  events: readonly LabEvent[],
  history: TxnHistory,
  sinks: Record<string, readonly SinkRecord[]> = {},
): SessionOwners {
  const owners: SessionOwners = new Map()
  // Workers by task and id, from their spawn labels.
  const byTaskAndId = new Map<string, string>()
  for (const e of events) {
    if (e.type === LabEventTypes.processSpawned && (e.kind === 'worker' || e.kind === 'external')) {
      const labels = e.labels ?? {}
      if (labels.task !== undefined && labels.workerId !== undefined)
        byTaskAndId.set(`${labels.task}/${labels.workerId}`, e.name)
      continue
    }
    // A child's own report of its session (worker.connected, observer/monitor.connection,
    // publisher.created …); the lab's own events about others (external.role) do not count.
    const sessionId = 'sessionId' in e && e.sessionId ? normalizeSessionId(e.sessionId) : undefined
    if (!sessionId || sessionId === '0' || owners.has(sessionId) || e.source === 'lab' || e.source === 'checker')
      continue
    owners.set(sessionId, { worker: e.source, how: 'journal' })
  }
  for (const task of history.tasks.values()) {
    for (const node of task.instances) {
      if (!node.session || owners.has(node.session)) continue
      const id = NODE_NAME.exec(node.name)?.[1]
      const worker = id === undefined ? undefined : byTaskAndId.get(`${task.task}/${id}`)
      if (worker) owners.set(node.session, { worker, how: 'node-name' })
    }
  }
  for (const [task, records] of Object.entries(sinks)) {
    for (const r of records) {
      if (r.session === undefined || r.session === null) continue
      const sessionId = normalizeSessionId(String(r.session))
      if (owners.has(sessionId)) continue
      const worker = byTaskAndId.get(`${task}/${String(r.worker)}`)
      if (worker) owners.set(sessionId, { worker, how: 'sink' })
    }
  }
  return owners
}

/** `worker-task01-2 (session 0x1000…03)`, or `unknown session 0x1000…03`. */
export function sessionLabel(owners: SessionOwners, session: string | undefined): string {
  if (!session) return 'no session'
  const owner = owners.get(session)
  return owner?.worker ? `${owner.worker} (session 0x${session})` : `unknown session 0x${session}`
}

export function ownerOf(owners: SessionOwners, session: string | undefined): string | undefined {
  return session ? owners.get(session)?.worker : undefined
}
