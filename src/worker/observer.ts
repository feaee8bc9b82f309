/**
 * The observer: mirrors the whole tree under --root and reports every znode as it appears, changes and
 * goes. Every known node has a data watch and a child watch; a child event re-lists the parent and
 * diffs against the mirror, so nodes created between the event and the re-read are not missed.
 * If the root does not exist yet, an exists watch waits for it.
 *
 *   node --import tsx src/worker/observer.ts --connect 127.0.0.1:2181 [--root /customBackUp | /]
 *     [--max-data 256] [--session-timeout 4000] [--connect-timeout 15000]
 *
 * Events: znode.created {path, stat, data, truncated?}, znode.changed {path, stat, data, truncated?,
 * cause: 'data' | 'children'}, znode.deleted {path}, observer.synced {count, resync}.
 * After a session expiry the tree is read again and only the differences are reported.
 */
import { StringDecoder } from 'node:string_decoder'
import type { ZnodeStat } from '../shared/events.js'
import { ObserverEventTypes as E } from '../shared/events.js'
import { bySequence } from '../shared/sequential.js'
import { settingsOrExit } from './common/args.js'
import { createEmitter, errorFields } from './common/emitter.js'
import {
  createGate,
  followChildren,
  followData,
  type Follower,
  type NodeValue,
  type ChildrenValue,
} from './common/follow.js'
import { joinPath } from './common/paths.js'
import { runService } from './common/service.js'
import type { Session } from './common/session.js'
import { toZnodeStat } from './common/stat.js'
import type { ZkClient } from './common/zk.js'

const options = settingsOrExit('observer')
const root = options.root

const { emit } = createEmitter()
const reportError = (err: unknown) => emit(E.error, errorFields(err), 'error')
// Enough requests in flight to read a large tree quickly, few enough to stay gentle on a small machine.
const gate = createGate(256)

class MirrorNode {
  stat!: ZnodeStat
  data = ''
  truncated = false
  children = new Set<string>()
  followers: Follower[] = []
  constructor(readonly path: string) {}
  stop(): void {
    for (const f of this.followers) f.stop()
  }
}

/** One mirror per session: a new session starts a new mirror, diffed against the previous one. */
interface Mirror {
  session: Session
  client: ZkClient
  nodes: Map<string, MirrorNode>
  adding: Set<string>
}

let current: Mirror | undefined
/** During a resync: what the expired session's mirror held and the new one has not seen yet. */
let previous: Map<string, MirrorNode> | undefined
let rootFollower: Follower | undefined

function render(buf: Buffer): { data: string; truncated?: true } {
  if (buf.length <= options.maxData) return { data: buf.toString('utf8') }
  // StringDecoder holds back a multi-byte character cut in half instead of mangling it.
  return { data: new StringDecoder('utf8').write(buf.subarray(0, options.maxData)), truncated: true }
}

const nodeFields = (node: MirrorNode) => ({
  path: node.path,
  stat: node.stat,
  data: node.data,
  ...(node.truncated ? { truncated: true } : {}),
})

function announce(node: MirrorNode): void {
  const before = previous?.get(node.path)
  if (!before) {
    emit(E.created, nodeFields(node))
    return
  }
  previous!.delete(node.path)
  if (before.stat.czxid !== node.stat.czxid) {
    emit(E.deleted, { path: node.path })
    emit(E.created, nodeFields(node))
  } else if (before.stat.mzxid !== node.stat.mzxid) {
    emit(E.changed, { ...nodeFields(node), cause: 'data' })
  } else if (before.stat.cversion !== node.stat.cversion) {
    emit(E.changed, { ...nodeFields(node), cause: 'children' })
  }
}

function removeNode(mirror: Mirror, node: MirrorNode): void {
  if (mirror.nodes.get(node.path) !== node) return
  // ZooKeeper deletes leaves first and tells us in that order; this only matters if we fell behind.
  for (const child of node.children) {
    const c = mirror.nodes.get(joinPath(node.path, child))
    if (c) removeNode(mirror, c)
  }
  node.stop()
  mirror.nodes.delete(node.path)
  if (mirror === current) emit(E.deleted, { path: node.path })
}

async function addNode(mirror: Mirror, path: string): Promise<void> {
  if (mirror.nodes.has(path) || mirror.adding.has(path)) return
  mirror.adding.add(path)
  try {
    const node = new MirrorNode(path)
    const follower = followData(mirror.session, mirror.client, path, (value) => onData(mirror, node, value), {
      whenMissing: 'stop',
      onError: reportError,
      gate,
    })
    node.followers.push(follower)
    await follower.started
  } finally {
    mirror.adding.delete(path)
  }
}

async function onData(mirror: Mirror, node: MirrorNode, value: NodeValue | null): Promise<void> {
  if (mirror !== current) return
  if (value === null) {
    removeNode(mirror, node)
    return
  }
  const stat = toZnodeStat(value.stat)
  const { data, truncated } = render(value.data)
  if (mirror.nodes.get(node.path) !== node) {
    // First read: the node joins the mirror, then its children are read.
    if (mirror.nodes.has(node.path)) {
      node.stop()
      return
    }
    Object.assign(node, { stat, data, truncated: truncated === true })
    mirror.nodes.set(node.path, node)
    announce(node)
    const follower = followChildren(mirror.session, mirror.client, node.path, (v) => onChildren(mirror, node, v), {
      whenMissing: 'stop',
      onError: reportError,
      gate,
    })
    node.followers.push(follower)
    await follower.started
    return
  }
  if (stat.czxid !== node.stat.czxid) {
    // Deleted and created again before we re-read it: report both.
    for (const child of node.children) {
      const c = mirror.nodes.get(joinPath(node.path, child))
      if (c) removeNode(mirror, c)
    }
    node.children = new Set()
    emit(E.deleted, { path: node.path })
    Object.assign(node, { stat, data, truncated: truncated === true })
    emit(E.created, nodeFields(node))
    return
  }
  if (stat.mzxid === node.stat.mzxid) return
  Object.assign(node, { stat, data, truncated: truncated === true })
  emit(E.changed, { ...nodeFields(node), cause: 'data' })
}

async function onChildren(mirror: Mirror, node: MirrorNode, value: ChildrenValue | null): Promise<void> {
  if (mirror !== current || mirror.nodes.get(node.path) !== node) return
  if (value === null) {
    removeNode(mirror, node)
    return
  }
  const stat = toZnodeStat(value.stat)
  // A child list change moves the parent's cversion/pzxid/numChildren; its data watch does not fire
  // for that, so report it here (unless its data changed too: the data watch reports that one).
  if (stat.czxid === node.stat.czxid && stat.mzxid === node.stat.mzxid && stat.cversion !== node.stat.cversion) {
    node.stat = stat
    emit(E.changed, { ...nodeFields(node), cause: 'children' })
  }
  const names = new Set(value.children)
  for (const gone of node.children) {
    if (names.has(gone)) continue
    const c = mirror.nodes.get(joinPath(node.path, gone))
    if (c) removeNode(mirror, c)
  }
  node.children = names
  // Sequential children in creation order: requests are answered in order, so they are announced
  // as ZooKeeper made them (the smallest instance node first), not in the list's hash order.
  const added: Promise<void>[] = []
  for (const name of [...names].sort(bySequence)) {
    const path = joinPath(node.path, name)
    if (!mirror.nodes.has(path)) added.push(addNode(mirror, path))
  }
  await Promise.all(added)
}

function onSession(session: Session, client: ZkClient, replaced: boolean): void {
  if (current) {
    // A new session has none of the old watches: read the tree again and report only the differences.
    for (const node of current.nodes.values()) node.stop()
    previous = new Map([...(previous ?? []), ...current.nodes])
  }
  rootFollower?.stop()
  const mirror: Mirror = { session, client, nodes: new Map(), adding: new Set() }
  current = mirror
  const follower = followData(
    session,
    client,
    root,
    async (value) => {
      // Only the root's existence matters here; its own MirrorNode follows its data.
      if (value && mirror === current && !mirror.nodes.has(root)) await addNode(mirror, root)
    },
    { whenMissing: 'watch-creation', onError: reportError, gate },
  )
  rootFollower = follower
  void follower.started.then(() => {
    if (mirror !== current) return
    if (previous) {
      const gone = [...previous.keys()].filter((p) => !mirror.nodes.has(p))
      gone.sort((a, b) => b.split('/').length - a.split('/').length)
      for (const path of gone) emit(E.deleted, { path })
      previous = undefined
    }
    emit(E.synced, { count: mirror.nodes.size, resync: replaced })
  })
}

await runService({
  emit,
  connectionType: E.connection,
  errorType: E.error,
  connect: options.connect,
  sessionTimeoutMs: options.sessionTimeoutMs,
  connectTimeoutMs: options.connectTimeoutMs,
  onSession,
})
