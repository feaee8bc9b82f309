/**
 * Roles of external workers, derived from ZooKeeper: they report nothing themselves, so the lab
 * reads their role off the election the observer mirrors, whatever the program names its nodes.
 * The primary of a task is the worker owning the first child of the task's election path (default
 * `instance`), ordered by ZooKeeper's 10-digit sequence suffix or by the task's own `order` regex.
 * A child is tied to a worker through its owner session (ephemeralOwner), which the worker's proxy
 * saw it open (`client.session`): no naming rule. Journals recorded before the proxy reported
 * sessions fall back to the seed's naming, `server_<workerId>_<seq>`. Each change becomes an
 * `external.role` event, marked as derived, so views show external workers like the lab's own and
 * nobody mistakes it for a claim.
 *
 * Live and best effort: the observer may miss a node that lived between two notifications. The
 * ground truth after a run is ZooKeeper's transaction log (see the zombie-write check).
 */
import { LabEventTypes, ObserverEventTypes, type LabEvent, type ZnodeStat } from '../../shared/events.js'
import type { ExternalRole } from '../../shared/events/lab-events.js'
import { electionOf, electionOrder, type Election } from '../../shared/election.js'
import { settingsOfSpawned } from '../../shared/worker-launch/index.js'
import { normalizeSessionId } from '../txnlog/txn-log-file.js'

export type ExternalRoleEvent = { type: typeof LabEventTypes.externalRole } & ExternalRole

interface Tracked {
  name: string
  task: string
  workerId: string
  spawnedAt: number
  /** Sessions its proxy saw it open since it was (re)started. */
  sessions: Set<string>
  last?: string
  registered: boolean
}

/** An election child the observer saw: its owner's session and when it was created. */
interface LiveNode {
  owner: string
  ctime: number
}

export class ExternalRoles {
  private readonly workers = new Map<string, Tracked>()
  /** Election per task, from its workers' settings. */
  private readonly elections = new Map<string, Election>()
  /** Live election children per task: name → owner session and creation time. */
  private readonly nodes = new Map<string, Map<string, LiveNode>>()
  /** Sessions ZooKeeper said have expired (a resume refused): their nodes are gone, whatever the observer shows yet. */
  private readonly expired = new Set<string>()

  constructor(
    private readonly root: string,
    private readonly emit: (event: ExternalRoleEvent) => void,
  ) {}

  onEvent(e: LabEvent): void {
    if (e.type === LabEventTypes.processSpawned) {
      const labels = e.labels ?? {}
      if (e.kind !== 'external' || labels.task === undefined) return
      const task = String(labels.task)
      const settings = settingsOfSpawned(e)
      const election = settings?.program === 'external' ? settings.election : undefined
      if (election || !this.elections.has(task)) this.elections.set(task, electionOf(election))
      // A (re)started process is `starting` already (the reducer says so): nothing to announce until it registers.
      this.workers.set(e.name, {
        name: e.name,
        task,
        workerId: String(labels.workerId),
        spawnedAt: e.time,
        sessions: new Set(),
        registered: false,
        last: 'starting|null|null',
      })
      this.recompute(task)
      return
    }
    if (e.type === LabEventTypes.clientSession) {
      const worker = this.workers.get(e.name)
      if (!worker) return
      const session = normalizeSessionId(e.sessionId)
      if (e.how === 'expired') this.expired.add(session)
      else worker.sessions.add(session)
      this.recompute(worker.task)
      return
    }
    if (e.type !== ObserverEventTypes.created && e.type !== ObserverEventTypes.deleted) return
    const path = typeof e.path === 'string' ? e.path : ''
    const prefix = `${this.root}/tasks/`
    if (!path.startsWith(prefix)) return
    const rest = path.slice(prefix.length)
    const slash = rest.indexOf('/')
    const task = slash < 0 ? rest : rest.slice(0, slash)
    const electionPath = `${task}/${this.electionOf(task).path}`
    if (
      e.type === ObserverEventTypes.deleted &&
      (slash < 0 || electionPath.startsWith(rest + '/') || rest === electionPath)
    ) {
      // The task, the election's parent or one of its ancestors is gone, and every child with it.
      this.nodes.delete(task)
    } else if (rest.startsWith(electionPath + '/')) {
      const node = rest.slice(electionPath.length + 1)
      // Only the election's own children are candidates, not nodes below them.
      if (node.includes('/')) return
      let live = this.nodes.get(task)
      if (!live) this.nodes.set(task, (live = new Map<string, LiveNode>()))
      if (e.type === ObserverEventTypes.deleted) live.delete(node)
      else {
        const stat = (e.stat ?? {}) as Partial<ZnodeStat>
        live.set(node, {
          owner: normalizeSessionId(String(stat.ephemeralOwner ?? '0')),
          ctime: Number(stat.ctime ?? e.time),
        })
      }
    } else return
    this.recompute(task)
  }

  private electionOf(task: string): Election {
    return this.elections.get(task) ?? electionOf(undefined)
  }

  /** The worker a child belongs to, and how that is known. */
  private ownerOf(
    task: string,
    name: string,
    node: LiveNode,
  ): { worker: Tracked; how: 'proxy' | 'node-name' } | undefined {
    const workers = [...this.workers.values()].filter((w) => w.task === task)
    const bySession = workers.find((w) => w.sessions.has(node.owner))
    if (bySession) return { worker: bySession, how: 'proxy' }
    // A session some worker's proxy reported is that worker's: the naming rule does not overrule it.
    if ([...this.workers.values()].some((w) => w.sessions.has(node.owner))) return undefined
    // Its latest registration since it was (re)started: an older node belongs to its previous process.
    const byName = workers.find(
      (w) => w.sessions.size === 0 && name.startsWith(`server_${w.workerId}_`) && node.ctime >= w.spawnedAt,
    )
    return byName ? { worker: byName, how: 'node-name' } : undefined
  }

  private recompute(task: string): void {
    const live = this.nodes.get(task) ?? new Map<string, LiveNode>()
    const ordered = electionOrder(
      this.electionOf(task),
      [...live].filter(([, n]) => !this.expired.has(n.owner)).map(([name]) => name),
    )
    const smallest = ordered[0] ?? null
    const mine = new Map<string, { node: string; how: 'proxy' | 'node-name' }>()
    // A worker's place in the election is its first child (a recipe may hold more than one).
    for (const name of ordered) {
      const owner = this.ownerOf(task, name, live.get(name)!)
      if (owner && !mine.has(owner.worker.name)) mine.set(owner.worker.name, { node: name, how: owner.how })
    }
    const changes: ExternalRoleEvent[] = []
    for (const worker of this.workers.values()) {
      if (worker.task !== task) continue
      const held = mine.get(worker.name)
      if (held) worker.registered = true
      const role = held ? (held.node === smallest ? 'primary' : 'standby') : worker.registered ? 'standby' : 'starting'
      const event: ExternalRoleEvent = {
        type: LabEventTypes.externalRole,
        name: worker.name,
        task,
        role,
        node: held?.node ?? null,
        smallest,
        sessionId: held ? live.get(held.node)!.owner : null,
        derivedFrom: 'zookeeper',
        ...(held ? { attributedBy: held.how } : {}),
      }
      const key = `${event.role}|${event.node}|${event.sessionId}`
      if (key === worker.last) continue
      worker.last = key
      changes.push(event)
    }
    // The old primary steps down before the new one steps up: between two events nobody sees two.
    for (const event of changes.sort((a, b) => Number(a.role === 'primary') - Number(b.role === 'primary')))
      this.emit(event)
  }
}
