/**
 * Roles of external workers, derived from ZooKeeper: they report nothing themselves, so the lab
 * reads their role off the tree the observer mirrors. An instance node named `server_<workerId>_<seq>`
 * (the seed's naming, which external workers are expected to follow) is that worker's registration;
 * the smallest live one is the primary. Each change becomes an `external.role` event, marked as
 * derived, so views show external workers like the lab's own and nobody mistakes it for a claim.
 *
 * Live and best effort: the observer may miss a node that lived between two notifications. The
 * ground truth after a run is ZooKeeper's transaction log (see the zombie-write check).
 */
import { LabEventTypes, ObserverEventTypes, type LabEvent, type ZnodeStat } from '../../shared/events.js'
import type { ExternalRole } from '../../shared/events/lab-events.js'
import { bySequence } from '../../shared/sequential.js'
import { normalizeSessionId } from '../txnlog/txn-log-file.js'

export type ExternalRoleEvent = { type: typeof LabEventTypes.externalRole } & ExternalRole

interface Tracked {
  name: string
  task: string
  workerId: string
  spawnedAt: number
  last?: string
  registered: boolean
}

/** An instance node the observer saw: its owner's session and when it was created. */
interface LiveNode {
  owner: string
  ctime: number
}

export class ExternalRoles {
  private readonly workers = new Map<string, Tracked>()
  /** Live instance nodes per task: name → owner session and creation time. */
  private readonly nodes = new Map<string, Map<string, LiveNode>>()

  constructor(
    private readonly root: string,
    private readonly emit: (event: ExternalRoleEvent) => void,
  ) {}

  onEvent(e: LabEvent): void {
    if (e.type === LabEventTypes.processSpawned) {
      const labels = e.labels ?? {}
      if (e.kind !== 'external' || labels.task === undefined) return
      const task = String(labels.task)
      // A (re)started process is `starting` already (the reducer says so): nothing to announce until it registers.
      this.workers.set(e.name, {
        name: e.name,
        task,
        workerId: String(labels.workerId),
        spawnedAt: e.time,
        registered: false,
        last: 'starting|null|null',
      })
      this.recompute(task)
      return
    }
    if (e.type !== ObserverEventTypes.created && e.type !== ObserverEventTypes.deleted) return
    const path = typeof e.path === 'string' ? e.path : ''
    const prefix = `${this.root}/tasks/`
    if (!path.startsWith(prefix)) return
    const [task, child, node, ...rest] = path.slice(prefix.length).split('/')
    if (rest.length > 0) return
    if (
      e.type === ObserverEventTypes.deleted &&
      (child === undefined || (child === 'instance' && node === undefined))
    ) {
      this.nodes.delete(task)
    } else if (child === 'instance' && node) {
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

  private recompute(task: string): void {
    const live = [...(this.nodes.get(task) ?? new Map<string, LiveNode>())].sort((a, b) => bySequence(a[0], b[0]))
    const smallest = live[0]?.[0] ?? null
    const changes: ExternalRoleEvent[] = []
    for (const worker of this.workers.values()) {
      if (worker.task !== task) continue
      // Its latest registration since it was (re)started: an older node belongs to its previous process.
      const mine = live
        .filter(([name, n]) => name.startsWith(`server_${worker.workerId}_`) && n.ctime >= worker.spawnedAt)
        .at(-1)
      if (mine) worker.registered = true
      const role = mine ? (mine[0] === smallest ? 'primary' : 'standby') : worker.registered ? 'standby' : 'starting'
      const event: ExternalRoleEvent = {
        type: LabEventTypes.externalRole,
        name: worker.name,
        task,
        role,
        node: mine?.[0] ?? null,
        smallest,
        sessionId: mine ? mine[1].owner : null,
        derivedFrom: 'zookeeper',
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
