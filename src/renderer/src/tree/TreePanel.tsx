import { useVirtualizer } from '@tanstack/react-virtual'
import { useMemo, useRef, type KeyboardEvent } from 'react'
import { useStore } from '../app/store.js'
import { NodeDetails } from './NodeDetails.js'
import { flattenTree, isExpandedWith, ownerOf, parentOf, type TreeRow } from './tree-model.js'

const ROW_HEIGHT = 26
/** How long a changed node stays highlighted. */
const FLASH_MS = 1500

export function TreePanel() {
  const treeIndex = useStore((s) => s.treeIndex)
  const toggled = useStore((s) => s.treeToggled)
  const selected = useStore((s) => s.treeSelected)
  const count = useStore((s) => Object.keys(s.tree).length)
  const rows = useMemo(
    () => flattenTree(treeIndex.index, treeIndex.roots, isExpandedWith(toggled)),
    [treeIndex, toggled],
  )
  const scrollRef = useRef<HTMLDivElement>(null)
  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 12,
  })

  const onKey = (e: KeyboardEvent) => {
    const { selectNode, toggleNode } = useStore.getState()
    const i = rows.findIndex((r) => r.path === selected)
    const row = rows[i]
    const move = (to: number) => {
      const target = rows[Math.max(0, Math.min(rows.length - 1, to))]
      if (!target) return
      selectNode(target.path)
      virtualizer.scrollToIndex(rows.indexOf(target))
      e.preventDefault()
    }
    if (e.key === 'ArrowDown') move(i + 1)
    else if (e.key === 'ArrowUp') move(i - 1)
    else if (e.key === 'Home') move(0)
    else if (e.key === 'End') move(rows.length - 1)
    else if (row && e.key === 'ArrowRight' && row.childCount > 0 && !row.expanded) toggleNode(row.path)
    else if (row && e.key === 'ArrowLeft') {
      if (row.expanded) toggleNode(row.path)
      else move(rows.findIndex((r) => r.path === parentOf(row.path)))
    }
  }

  const expandAll = () => useStore.getState().setExpanded(treeIndex.index.keys(), true)
  const collapseAll = () => useStore.getState().setExpanded(treeIndex.index.keys(), false)

  return (
    <div className="tree-layout">
      <div className="pane tree-pane">
        <div className="toolbar">
          <span className="toolbar-title">/customBackUp</span>
          <span className="muted small" data-testid="znode-count">
            {count.toLocaleString('en')} znodes
          </span>
          <span className="spacer" />
          <button type="button" className="btn btn-small btn-ghost" onClick={expandAll}>
            Expand all
          </button>
          <button type="button" className="btn btn-small btn-ghost" onClick={collapseAll}>
            Collapse all
          </button>
        </div>
        {rows.length === 0 ? (
          <p className="empty">No znodes yet. The observer mirrors /customBackUp once ZooKeeper runs.</p>
        ) : (
          <div
            ref={scrollRef}
            className="scroller tree-scroller"
            role="tree"
            aria-label="Znode tree"
            tabIndex={0}
            onKeyDown={onKey}
          >
            <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
              {virtualizer.getVirtualItems().map((item) => (
                <TreeRowView
                  key={rows[item.index].path}
                  row={rows[item.index]}
                  top={item.start}
                  selected={rows[item.index].path === selected}
                />
              ))}
            </div>
          </div>
        )}
      </div>
      <NodeDetails />
    </div>
  )
}

function TreeRowView({ row, top, selected }: { row: TreeRow; top: number; selected: boolean }) {
  const node = useStore((s) => s.tree[row.path])
  const changedAt = useStore((s) => s.treeChanged.get(row.path))
  const owner = useStore((s) => (node ? ownerOf(node, s.workers) : undefined))
  const ownerDown = owner !== undefined && owner.status !== 'running' && owner.status !== 'paused'
  const ephemeral = node !== undefined && node.stat.ephemeralOwner !== '0' && node.stat.ephemeralOwner !== ''
  // Read when the row renders: a change re-renders it (and its keyed span replays the flash); a row
  // scrolled into view later must not flash for an old change.
  // eslint-disable-next-line react-hooks/purity -- the clock is the point: recent means recent as of this render
  const recent = changedAt !== undefined && Date.now() - changedAt < FLASH_MS
  const { selectNode, toggleNode } = useStore.getState()
  const preview = node && node.data !== '' && row.childCount === 0 ? node.data : undefined
  return (
    <div
      role="treeitem"
      aria-level={row.depth + 1}
      aria-expanded={row.childCount > 0 ? row.expanded : undefined}
      aria-selected={selected}
      data-path={row.path}
      data-parent={parentOf(row.path)}
      data-ephemeral={ephemeral || undefined}
      className={`tree-row ${selected ? 'is-selected' : ''}`}
      style={{ transform: `translateY(${top}px)`, height: ROW_HEIGHT, paddingLeft: 8 + row.depth * 16 }}
      onClick={() => selectNode(row.path)}
    >
      {/* Keyed by the node's version: a change remounts it and replays the highlight. */}
      <span
        key={node ? `${node.stat.mzxid}:${node.stat.cversion}` : 'none'}
        className={`tree-row-inner ${recent ? 'flash' : ''}`}
      >
        <button
          type="button"
          className="caret"
          tabIndex={-1}
          aria-label={row.childCount > 0 ? `${row.expanded ? 'Collapse' : 'Expand'} ${row.path}` : undefined}
          aria-hidden={row.childCount === 0 || undefined}
          disabled={row.childCount === 0}
          onClick={(e) => {
            e.stopPropagation()
            toggleNode(row.path)
          }}
        >
          {row.childCount > 0 ? (row.expanded ? '▾' : '▸') : ''}
        </button>
        <span className="mono node-name">{row.name}</span>
        {row.childCount > 0 && <span className="muted small mono">({row.childCount})</span>}
        {preview !== undefined && (
          <span className="mono node-data" title={preview}>
            = {preview}
          </span>
        )}
        {ephemeral && (
          <span
            className={`tag tag-ephemeral ${owner && !ownerDown ? '' : 'tag-orphan'}`}
            title={`ephemeralOwner 0x${node.stat.ephemeralOwner}${ownerDown ? ': its worker is down; the node stays until the session expires' : ''}`}
          >
            ephemeral · {owner ? owner.name : `0x${node.stat.ephemeralOwner}`}
            {ownerDown ? ` (${owner.status})` : ''}
          </span>
        )}
      </span>
    </div>
  )
}
