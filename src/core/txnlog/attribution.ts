/**
 * Which worker a ZooKeeper session belongs to. The transaction log names sessions, not processes, so
 * sessions are tied to workers through, in order of trust:
 * 1. the proxy: every worker reaches ZooKeeper through its own proxy, which reads each handshake and
 *    the lab records the session it carried (`client.session`), whatever the program or its names;
 * 2. the journal: the lab's own workers report each session they open (`worker.connected`), and the
 *    observer, monitor and publisher theirs;
 * 3. the instance node's name: a session that created `instance/server_<workerId>_<seq>` of a task is
 *    that task's worker <workerId> (the seed's naming);
 * 4. the sink: a record that carries `session` names its worker's id.
 * 2 to 4 are what journals recorded before the proxy read handshakes still have. Anything else stays
 * "unknown session 0x…".
 */
import { isEvent, LabEventTypes, type LabEvent } from '../../shared/events.js'
import type { SinkRecord } from '../session-folder/index.js'
import type { TxnHistory } from './history.js'
import { normalizeSessionId } from './txn-log-file.js'

export interface SessionOwner {
  /** The process name (`worker-task01-2`, `observer`), when known. */
  worker?: string
  how: 'proxy' | 'journal' | 'node-name' | 'sink' | 'unknown'
}

export type SessionOwners = Map<string, SessionOwner>

const NODE_NAME = /^server_(.+)_\d{10}$/

export function attributeSessions(
  events: readonly LabEvent[],
  history: TxnHistory,
  sinks: Record<string, readonly SinkRecord[]> = {},
): SessionOwners {
  const owners: SessionOwners = new Map()
  // An expired handshake names a session the worker asked to resume: its own too.
  for (const e of events) {
    if (!isEvent(e, LabEventTypes.clientSession)) continue
    const sessionId = normalizeSessionId(e.sessionId)
    if (sessionId !== '0' && !owners.has(sessionId)) owners.set(sessionId, { worker: e.name, how: 'proxy' })
  }
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
