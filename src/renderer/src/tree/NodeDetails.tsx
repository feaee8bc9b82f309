import { formatDateTime, formatSessionId } from '../app/format.js'
import { useStore } from '../app/store.js'
import { ownerOf } from './tree-model.js'

const STAT_FIELDS = [
  'czxid',
  'mzxid',
  'pzxid',
  'ctime',
  'mtime',
  'version',
  'cversion',
  'ephemeralOwner',
  'dataLength',
  'numChildren',
] as const

/** The selected znode: its data and its full Stat, as `stat` in zkCli shows it. */
export function NodeDetails() {
  const path = useStore((s) => s.treeSelected)
  const node = useStore((s) => (s.treeSelected ? s.tree[s.treeSelected] : undefined))
  const owner = useStore((s) => (node ? ownerOf(node, s.workers) : undefined))
  const replaying = useStore((s) => s.replay !== undefined)
  if (!path) {
    return (
      <aside className="pane details-pane" aria-label="Znode details">
        <p className="empty">Select a znode to see its data and Stat.</p>
      </aside>
    )
  }
  return (
    <aside className="pane details-pane" aria-label="Znode details">
      <div className="toolbar">
        <span className="toolbar-title mono truncate" title={path}>
          {path}
        </span>
      </div>
      {!node ? (
        <p className="empty">
          {replaying ? 'This znode does not exist at this moment of the replay.' : 'This znode was deleted.'}
        </p>
      ) : (
        <div className="details-body">
          <h3 className="subhead">Data</h3>
          <pre className="data-block mono">{node.data === '' ? <span className="muted">(empty)</span> : node.data}</pre>
          {node.truncated && (
            <p className="hint">Only the first bytes are mirrored; the node holds {node.stat.dataLength} bytes.</p>
          )}
          {node.stat.ephemeralOwner !== '0' && (
            <p className="owner-line">
              <span className="tag tag-ephemeral">ephemeral</span> owned by{' '}
              <strong className="mono">{owner ? owner.name : 'a session no live worker holds'}</strong>{' '}
              <span className="muted mono">({formatSessionId(node.stat.ephemeralOwner)})</span>
            </p>
          )}
          <h3 className="subhead">Stat</h3>
          <dl className="stat-table mono">
            {STAT_FIELDS.map((field) => (
              <div key={field} className="stat-row">
                <dt>{field}</dt>
                <dd>{formatStat(field, node.stat[field])}</dd>
              </div>
            ))}
          </dl>
        </div>
      )}
    </aside>
  )
}

function formatStat(field: (typeof STAT_FIELDS)[number], value: string | number): string {
  if (field === 'ctime' || field === 'mtime') return `${formatDateTime(Number(value))}  (${value})`
  if (field === 'ephemeralOwner') return value === '0' ? '0x0' : formatSessionId(String(value))
  return String(value)
}
