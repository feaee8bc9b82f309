/**
 * The znode tree as the observer last saw it (the shared reducer's replay of the journal), with
 * every ephemeral node's owner named: the worker whose ZooKeeper session holds it, matched by
 * session id against what each process reported about its connection.
 */
import type { LabEvent } from '../../shared/events.js'
import type { LabState } from '../../shared/lab-state.js'
import type { ReportTree, TreeNode } from './types.js'

/** Session ids as ZooKeeper prints them in different places: with or without 0x and leading zeros. */
function sessionKey(id: string): string {
  return id
    .toLowerCase()
    .replace(/^0x/, '')
    .replace(/^0+(?=.)/, '')
}

export function finalTree(events: readonly LabEvent[], state: LabState): ReportTree {
  const owners = new Map<string, string>()
  let asOf: number | null = null
  for (const e of events) {
    if ('sessionId' in e && typeof e.sessionId === 'string' && /\.(connected|connection)$/.test(e.type))
      owners.set(sessionKey(e.sessionId), e.source)
    if (e.type.startsWith('znode.')) asOf = Math.max(asOf ?? 0, e.time)
  }
  const nodes: TreeNode[] = Object.values(state.tree)
    .sort((a, b) => comparePaths(a.path, b.path))
    .map((node) => {
      const ephemeral = !!node.stat && node.stat.ephemeralOwner !== '0' && node.stat.ephemeralOwner !== ''
      const owner = ephemeral ? (owners.get(sessionKey(node.stat.ephemeralOwner)) ?? null) : null
      const process = owner ? state.processes[owner] : undefined
      return {
        path: node.path,
        data: node.data,
        truncated: node.truncated === true,
        stat: node.stat,
        ephemeral,
        owner,
        ownerAlive: owner ? (process ? process.status === 'running' || process.status === 'paused' : null) : null,
      }
    })
  return { asOf, nodes }
}

/** Depth-first order: a node, then its children, siblings by name (sequence numbers sort as text). */
function comparePaths(a: string, b: string): number {
  const pa = a.split('/')
  const pb = b.split('/')
  for (let i = 0; i < Math.min(pa.length, pb.length); i++) {
    if (pa[i] !== pb[i]) return pa[i] < pb[i] ? -1 : 1
  }
  return pa.length - pb.length
}
