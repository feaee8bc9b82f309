import type { ZnodeView, WorkerView } from '../../../shared/lab-state.js'

/** parent path → its children's full paths, in display order. */
export type ChildIndex = Map<string, string[]>

export interface TreeRow {
  path: string
  name: string
  depth: number
  childCount: number
  expanded: boolean
}

export function parentOf(path: string): string {
  const at = path.lastIndexOf('/')
  return at <= 0 ? '/' : path.slice(0, at)
}

export function nameOf(path: string): string {
  return path === '/' ? '/' : path.slice(path.lastIndexOf('/') + 1)
}

const SEQUENTIAL = /\d{10}$/
const natural = new Intl.Collator('en', { numeric: true }).compare

/**
 * Sequential siblings sort by their 10-digit sequence (the order ZooKeeper gave them, so the smallest,
 * the would-be primary, comes first); others sort naturally (task2 before task10).
 */
export function compareSiblings(a: string, b: string): number {
  const na = nameOf(a)
  const nb = nameOf(b)
  if (SEQUENTIAL.test(na) && SEQUENTIAL.test(nb)) {
    const bySeq = na.slice(-10).localeCompare(nb.slice(-10))
    if (bySeq !== 0) return bySeq
  }
  return natural(na, nb)
}

/** Builds the child index of a flat path → znode map. Nodes whose parent is absent become roots. */
export function buildChildIndex(paths: Iterable<string>): { index: ChildIndex; roots: string[] } {
  const all = new Set(paths)
  const index: ChildIndex = new Map()
  const roots: string[] = []
  for (const path of all) {
    const parent = parentOf(path)
    if (path !== '/' && all.has(parent)) {
      let siblings = index.get(parent)
      if (!siblings) index.set(parent, (siblings = []))
      siblings.push(path)
    } else {
      roots.push(path)
    }
  }
  for (const siblings of index.values()) siblings.sort(compareSiblings)
  roots.sort(compareSiblings)
  return { index, roots }
}

/** The visible rows of the tree: depth-first, descending only into expanded nodes. */
export function flattenTree(
  index: ChildIndex,
  roots: readonly string[],
  isExpanded: (path: string) => boolean,
): TreeRow[] {
  const rows: TreeRow[] = []
  // An explicit stack: a deep tree must not overflow the call stack.
  const stack: Array<{ path: string; depth: number }> = []
  for (let i = roots.length - 1; i >= 0; i--) stack.push({ path: roots[i], depth: 0 })
  while (stack.length > 0) {
    const { path, depth } = stack.pop()!
    const children = index.get(path)
    const isOpen = children !== undefined && isExpanded(path)
    rows.push({ path, name: nameOf(path), depth, childCount: children?.length ?? 0, expanded: isOpen })
    if (isOpen && children)
      for (let i = children.length - 1; i >= 0; i--) stack.push({ path: children[i], depth: depth + 1 })
  }
  return rows
}

const SEED_LAYOUT = /^\/customBackUp(\/tasks(\/[^/]+(\/instance)?)?)?$/

/** Open by default: the seed's layout down to each task's instance list, where the election happens. */
export function expandedByDefault(path: string): boolean {
  return SEED_LAYOUT.test(path)
}

/** Expanded = open by default, unless the user toggled it (and the other way round). */
export function isExpandedWith(toggled: ReadonlySet<string>): (path: string) => boolean {
  return (path) => expandedByDefault(path) !== toggled.has(path)
}

/** Every ancestor of a path, so a selected node can be revealed. */
export function ancestorsOf(path: string): string[] {
  const out: string[] = []
  for (let p = parentOf(path); p !== '/'; p = parentOf(p)) out.push(p)
  return out
}

/** The worker whose ZooKeeper session owns an ephemeral node, matched by session id. */
export function ownerOf(node: ZnodeView, workers: Readonly<Record<string, WorkerView>>): WorkerView | undefined {
  const owner = normalizeSessionId(node.stat.ephemeralOwner)
  if (!owner) return undefined
  let match: WorkerView | undefined
  for (const w of Object.values(workers)) {
    // A restarted worker has a new session: prefer the live one if an old one had the same id.
    if (
      w.sessionId &&
      normalizeSessionId(w.sessionId) === owner &&
      (!match || (w.startedAt ?? 0) > (match.startedAt ?? 0))
    )
      match = w
  }
  return match
}

/** Session ids arrive as bare hex or 0x-prefixed, with or without leading zeros. */
export function normalizeSessionId(id: string | undefined): string | undefined {
  if (!id) return undefined
  const hex = id.toLowerCase().replace(/^0x/, '').replace(/^0+/, '')
  return hex === '' ? undefined : hex
}

export function isEphemeral(node: ZnodeView): boolean {
  return normalizeSessionId(node.stat.ephemeralOwner) !== undefined
}
