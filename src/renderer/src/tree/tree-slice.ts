import type { ZnodeView } from '../../../shared/lab-state.js'
import type { Slice } from '../app/store.js'
import { ancestorsOf, expandedByDefault, type ChildIndex } from './tree-model.js'

export interface TreeSlice {
  tree: Record<string, ZnodeView>
  /** Rebuilt only when nodes are created or deleted, not on data changes. */
  treeIndex: { index: ChildIndex; roots: string[] }
  /** path → when it last changed (ms), for the brief highlight. */
  treeChanged: ReadonlyMap<string, number>
  /** Nodes the user opened or closed against their default (see expandedByDefault). */
  treeToggled: ReadonlySet<string>
  treeSelected?: string
  toggleNode(path: string): void
  setExpanded(paths: Iterable<string>, expanded: boolean): void
  selectNode(path: string | undefined): void
}

/** A new session's tree: no nodes, nothing changed. */
export function emptySessionTree(): Pick<TreeSlice, 'tree' | 'treeIndex' | 'treeChanged'> {
  return { tree: {}, treeIndex: { index: new Map(), roots: [] }, treeChanged: new Map() }
}

/** What the user looks at, back to the start in another session (kept when a replay rewinds the same one). */
export function treeViewStart(): Pick<TreeSlice, 'treeSelected'> {
  return { treeSelected: undefined }
}

export const createTreeSlice: Slice<TreeSlice> = (set) => ({
  ...emptySessionTree(),
  ...treeViewStart(),
  treeToggled: new Set(),
  toggleNode: (path) =>
    set((s) => {
      const next = new Set(s.treeToggled)
      if (next.has(path)) next.delete(path)
      else next.add(path)
      return { treeToggled: next }
    }),
  setExpanded: (paths, expanded) =>
    set((s) => {
      const next = new Set(s.treeToggled)
      for (const p of paths) {
        if (expandedByDefault(p) === expanded) next.delete(p)
        else next.add(p)
      }
      return { treeToggled: next }
    }),
  selectNode: (path) =>
    set((s) => {
      if (!path) return { treeSelected: undefined }
      const closed = ancestorsOf(path).filter((p) => expandedByDefault(p) === s.treeToggled.has(p))
      if (closed.length === 0) return { treeSelected: path }
      const next = new Set(s.treeToggled)
      for (const p of closed) {
        if (next.has(p)) next.delete(p)
        else next.add(p)
      }
      return { treeSelected: path, treeToggled: next }
    }),
})
