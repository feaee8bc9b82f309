/**
 * Every ZooKeeper session each process had, and the election nodes each one held. Sessions come, in
 * order of trust, from the worker's proxy (client.session: each handshake as ZooKeeper answered it),
 * else from what the process reported itself (journals from before client.session, and the lab's own
 * clients), else from the lab's reading of the election (external.role). Nodes come from the observer
 * (each election child with its ephemeral owner), completed by the workers' and the election's word
 * where the observer names no owner. Pure: the same journal always gives the same sessions.
 */
import {
  isEvent,
  LabEventTypes,
  ObserverEventTypes,
  WorkerEventTypes,
  type LabEvent,
  type ZnodeStat,
} from '../../shared/events.js'
import { electionOf as electionOfSettings, electionOrder } from '../../shared/election.js'
import type { JournalModel } from '../checker/journal-model.js'
import { normalizeSessionId } from '../txnlog/txn-log-file.js'
import { byWorkerNumber } from './timeline.js'
import type { ClockSkew } from '../../shared/worker-launch/index.js'
import type { ReportSession, ReportSessions, SessionNode, SessionOpening, SessionsProcess } from './types.js'

const defaultElection = electionOfSettings(undefined)
const HELPER_KINDS = new Set(['observer', 'monitor', 'publisher'])
/** What a process says about its own connection: the lab's worker, observer and monitor alike. */
const CONNECTION_REPORT = /^[a-z]+\.connection$/

interface Tracked {
  session: ReportSession
  process: string
  key: string
}

interface ElectionNode extends SessionNode {
  task: string
  /** The owner's session key, when known. */
  owner: string | null
}

export function collectSessions(events: readonly LabEvent[], model: JournalModel): ReportSessions {
  const kinds = new Map<string, string>()
  const clocks = new Map<string, ClockSkew>()
  const proxied = new Set<string>()
  for (const e of events) {
    if (isEvent(e, LabEventTypes.processSpawned)) kinds.set(e.name, e.kind)
    // The latest setting: a restart keeps the spec it was started with.
    if (isEvent(e, LabEventTypes.processSpawned) && e.clock) clocks.set(e.name, e.clock)
    if (isEvent(e, LabEventTypes.clientSession)) proxied.add(e.name)
  }
  // The checker's model already read each task's election off its workers' settings.
  const electionOf = (task: string) => model.tasks.get(task)?.election ?? defaultElection

  const sessions = new Map<string, Tracked>()
  const byProcess = new Map<string, Tracked[]>()
  const current = new Map<string, Tracked>()
  /** The last connection state each process reported, to tell a reconnect from a repeated report. */
  const reported = new Map<string, string>()
  const nodes = new Map<string, ElectionNode>()
  const live = new Map<string, Map<string, ElectionNode>>()

  const track = (process: string, id: string, seenBy: ReportSession['seenBy'], time: number): Tracked => {
    const key = normalizeSessionId(id)
    let tracked = sessions.get(key)
    if (!tracked) {
      tracked = {
        process,
        key,
        session: {
          sessionId: /^[0-9a-f]+$/.test(key) ? `0x${key}` : id,
          seenBy,
          how: null,
          firstSeen: time,
          timeoutMs: null,
          openings: [],
          nodes: [],
          primary: false,
        },
      }
      sessions.set(key, tracked)
      byProcess.set(process, [...(byProcess.get(process) ?? []), tracked])
    }
    return tracked
  }
  const open = (tracked: Tracked, opening: SessionOpening) => {
    tracked.session.openings.push(opening)
    tracked.session.how ??= opening.how
    if (opening.how === 'expired') {
      if (current.get(tracked.process) === tracked) current.delete(tracked.process)
    } else current.set(tracked.process, tracked)
  }
  const nodeOf = (task: string, node: string): ElectionNode => {
    const id = `${task}/${node}`
    let record = nodes.get(id)
    if (!record) {
      record = { task, node, createdAt: null, deletedAt: null, lowest: false, owner: null }
      nodes.set(id, record)
    }
    return record
  }
  // The worker's (or the election's) word for a node the observer named no known owner of.
  const claim = (task: string, node: string, owner: Tracked | undefined, time: number, primary: boolean) => {
    const record = nodeOf(task, node)
    if (owner && (record.owner === null || !sessions.has(record.owner))) record.owner = owner.key
    record.createdAt ??= time
    if (primary) record.lowest = true
  }
  const markLowest = (task: string) => {
    const children = [...(live.get(task)?.values() ?? [])]
    const first = electionOrder(
      electionOf(task),
      children.map((c) => c.node),
    )[0]
    const lowest = children.find((c) => c.node === first)
    if (lowest) lowest.lowest = true
  }

  const tasksPath = `${model.root}/tasks/`
  for (const e of events) {
    if (isEvent(e, LabEventTypes.clientSession)) {
      const tracked = track(e.name, e.sessionId, 'proxy', e.time)
      if (e.how !== 'expired' && e.timeoutMs > 0) tracked.session.timeoutMs ??= e.timeoutMs
      open(tracked, { how: e.how, time: e.time, server: e.server || null, readOnly: e.readOnly === true })
    } else if (
      !proxied.has(e.source) &&
      'sessionId' in e &&
      typeof e.sessionId === 'string' &&
      (e.type === WorkerEventTypes.connected || CONNECTION_REPORT.test(e.type))
    ) {
      const state = 'state' in e && typeof e.state === 'string' ? e.state : 'connected'
      const key = normalizeSessionId(e.sessionId)
      const last = reported.get(e.source)
      reported.set(e.source, `${state} ${key}`)
      if (state === 'connected' && last !== `connected ${key}`) {
        const tracked = track(e.source, e.sessionId, 'process', e.time)
        open(tracked, { how: sessions.get(key)?.session.openings.length ? 'resumed' : 'new', ...reportedAt(e) })
      } else if (state === 'expired' && sessions.has(key)) {
        open(sessions.get(key)!, { how: 'expired', ...reportedAt(e) })
      }
    } else if (isEvent(e, LabEventTypes.externalRole) && e.node) {
      const owner = e.sessionId
        ? (sessions.get(normalizeSessionId(e.sessionId)) ?? track(e.name, e.sessionId, 'election', e.time))
        : undefined
      claim(e.task, e.node, owner, e.time, e.role === 'primary')
    } else if (isEvent(e, WorkerEventTypes.registered, WorkerEventTypes.role)) {
      const task = model.workers.get(e.source)?.task
      const primary = e.type === WorkerEventTypes.role && e.role === 'primary'
      if (task && e.node) claim(task, e.node, current.get(e.source), e.time, primary)
    } else if (isEvent(e, ObserverEventTypes.created, ObserverEventTypes.deleted) && e.path.startsWith(tasksPath)) {
      const [task, ...rest] = e.path.slice(tasksPath.length).split('/')
      const parent = electionOf(task).path.split('/')
      const inside = rest.length === parent.length + 1 && parent.every((p, i) => rest[i] === p)
      let children = live.get(task)
      if (!children) live.set(task, (children = new Map<string, ElectionNode>()))
      if (e.type === ObserverEventTypes.created && inside) {
        const node = rest.at(-1)!
        if (children.has(node)) continue
        const record = nodeOf(task, node)
        const stat = (e.stat ?? {}) as Partial<ZnodeStat>
        const owner = normalizeSessionId(String(stat.ephemeralOwner ?? '0'))
        if (owner !== '0' && owner !== '') record.owner = owner
        record.createdAt = e.time
        record.deletedAt = null
        children.set(node, record)
      } else if (e.type === ObserverEventTypes.deleted && (inside || parent.length + 1 > rest.length)) {
        // The node itself, or the election's parent, or the task, with every child under it.
        const gone = inside ? [rest.at(-1)!] : rest.every((p, i) => parent[i] === p) ? [...children.keys()] : []
        for (const node of gone) {
          const record = children.get(node)
          if (record) record.deletedAt = e.time
          children.delete(node)
        }
      } else continue
      markLowest(task)
    }
  }

  for (const record of [...nodes.values()].sort((a, b) => (a.createdAt ?? Infinity) - (b.createdAt ?? Infinity))) {
    const owner = record.owner === null ? undefined : sessions.get(record.owner)
    if (!owner) continue
    const { node, createdAt, deletedAt, lowest } = record
    owner.session.nodes.push({ node, createdAt, deletedAt, lowest })
    owner.session.primary ||= lowest
  }

  const processOf = (name: string): SessionsProcess => ({
    process: name,
    kind: kinds.get(name) ?? (model.workers.has(name) ? 'worker' : name),
    ...(clocks.has(name) ? { clock: clocks.get(name) } : {}),
    sessions: (byProcess.get(name) ?? []).map((t) => t.session),
  })
  const workers = [...model.workers.values()]
  return {
    tasks: [...model.tasks.keys()].map((task) => ({
      task,
      electionPath: electionOf(task).path,
      workers: workers
        .filter((w) => w.task === task)
        .map((w) => w.name)
        .sort(byWorkerNumber)
        .map(processOf),
    })),
    helpers: [...byProcess.keys()]
      .filter((name) => !model.workers.has(name) && HELPER_KINDS.has(kinds.get(name) ?? name))
      .sort()
      .map(processOf),
  }
}

function reportedAt(e: LabEvent): Omit<SessionOpening, 'how'> {
  return { time: e.time, server: null, readOnly: false }
}
