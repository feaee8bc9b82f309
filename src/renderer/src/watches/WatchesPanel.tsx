import { useMemo, useState } from 'react'
import { formatDuration, formatSessionId, formatTime } from '../app/format.js'
import { useStore } from '../app/store.js'
import { Table, type Column } from '../ui/Table.js'
import {
  edgePath,
  GRAPH_WIDTH,
  PATH_X,
  sessionRows,
  shortPath,
  watchGraph,
  WORKER_WIDTH,
  type SessionRow,
  type TaskGraph,
} from './watch-model.js'

/**
 * Who watches what, per task, from the lab's watch graph (polled once a second): the seed's standbys
 * all on `instance` (a herd on every change), the recipe's standbys each on its predecessor (a chain).
 * Below it, the sessions every server holds.
 */
export function WatchesPanel() {
  const watches = useStore((s) => s.zkWatches)
  const sessions = useStore((s) => s.zkSessions)
  const workers = useStore((s) => s.workers)
  const [others, setOthers] = useState(false)
  const graphs = useMemo(() => watchGraph(watches, workers, { others }), [watches, workers, others])
  const tree = useStore((s) => s.tree)
  const rows = useMemo(() => sessionRows(sessions, watches, tree), [sessions, watches, tree])
  return (
    <div className="pane">
      <div className="toolbar">
        <span className="toolbar-title">Watches</span>
        {watches && (
          <span className="muted small mono" data-testid="watches-polled">
            polled {formatTime(watches.time)}
            {watches.totals.map((t) => ` · ${t.server}: ${t.watches} data watches on ${t.paths} paths`).join('')}
            {watches.omitted ? ` · ${watches.omitted} edges left out` : ''}
          </span>
        )}
        <span className="spacer" />
        <label
          className="small"
          title="The lab's observer and monitor watch every node: shown, they bury the workers' pattern"
        >
          <input type="checkbox" checked={others} onChange={(e) => setOthers(e.target.checked)} /> show other clients
        </label>
      </div>
      <div className="toolbar">
        <WatchLegend />
      </div>
      <div className="pane-body">
        {graphs.length === 0 ? (
          <p className="empty">
            No watches yet. The lab polls every server once a second once ZooKeeper and workers run.
          </p>
        ) : (
          <div className="watch-graphs">
            {graphs.map((g) => (
              <TaskWatchGraph key={g.task} graph={g} />
            ))}
          </div>
        )}
        <section className="card" aria-labelledby="zk-sessions-title">
          <header className="card-head">
            <h3 className="subhead" id="zk-sessions-title">
              Sessions
            </h3>
            <span className="muted small">every server&apos;s client connections (cons)</span>
          </header>
          <Table
            label="ZooKeeper sessions"
            className="mono"
            columns={SESSION_COLUMNS}
            rows={rows}
            rowKey={(r) => r.key}
            rowAttributes={(r) => ({ 'data-session': r.session, 'data-worker': r.worker })}
            empty="No sessions polled yet."
          />
        </section>
      </div>
    </div>
  )
}

function WatchLegend() {
  return (
    <ul className="legend small" aria-label="Legend">
      <li>
        <svg width="28" height="10" aria-hidden="true">
          <line x1="0" y1="5" x2="28" y2="5" className="watch-edge watch-child" />
        </svg>
        child watch (getChildren)
      </li>
      <li>
        <svg width="28" height="10" aria-hidden="true">
          <line x1="0" y1="5" x2="28" y2="5" className="watch-edge watch-data" />
        </svg>
        data/exists watch
      </li>
      <li>
        <svg width="28" height="10" aria-hidden="true">
          <line x1="0" y1="5" x2="28" y2="5" className="watch-edge watch-data watch-own" />
        </svg>
        on its own node
      </li>
      <li>
        <svg width="28" height="10" aria-hidden="true">
          <line x1="0" y1="5" x2="28" y2="5" className="watch-edge watch-child watch-inferred" />
        </svg>
        dashed: child watches inferred from roles: ZooKeeper does not list them
      </li>
    </ul>
  )
}

function TaskWatchGraph({ graph }: { graph: TaskGraph }) {
  const strategies = useStore((s) =>
    [
      ...new Set(
        Object.values(s.workers)
          .filter((w) => w.task === graph.task)
          .map((w) => w.strategy),
      ),
    ].join(' + '),
  )
  const height = graph.height + 8
  return (
    <section className="card watch-graph" aria-label={`Watches of ${graph.task}`} data-task-graph={graph.task}>
      <header className="card-head">
        <h3 className="subhead">{graph.task}</h3>
        <span className="muted small mono">
          {strategies && `${strategies} · `}
          {graph.edges.length} watches
          {graph.hidden > 0 && ` · ${graph.hidden} by other clients hidden`}
        </span>
      </header>
      <svg
        viewBox={`0 -4 ${GRAPH_WIDTH} ${height}`}
        width="100%"
        style={{ maxWidth: GRAPH_WIDTH }}
        role="img"
        aria-label={`${graph.task}: ${graph.edges.length} watches by ${graph.workers.length} workers on ${graph.paths.length} znodes`}
      >
        {graph.edges.map((e, i) => (
          <path
            key={i}
            d={edgePath(e)}
            className={`watch-edge watch-${e.kind} ${e.inferred ? 'watch-inferred' : ''} ${e.own ? 'watch-own' : ''}`}
            data-watch-edge={e.kind}
            data-worker={e.worker}
            data-path={e.path}
            data-inferred={e.inferred || undefined}
            data-own={e.own || undefined}
          >
            <title>
              {`${e.worker} → ${e.path}: ${e.kind === 'child' ? 'child' : 'data/exists'} watch${e.inferred ? ' (inferred)' : ''}` +
                `${e.server ? ` on ${e.server}` : ''}${e.session ? `, session ${formatSessionId(e.session)}` : ''}`}
            </title>
          </path>
        ))}
        {graph.workers.map((w) => (
          <g key={w.name} data-watch-worker={w.name} transform={`translate(0 ${w.y})`}>
            <rect
              x="0"
              y={-11}
              width={WORKER_WIDTH}
              height="22"
              rx="4"
              className={`watch-node role-${w.role ?? 'none'}`}
            />
            <text x="8" y="4" className="watch-label">
              {w.name}
            </text>
            {w.role && (
              <text x={WORKER_WIDTH - 8} y="4" textAnchor="end" className="watch-label watch-muted">
                {w.role}
              </text>
            )}
          </g>
        ))}
        {graph.paths.map((p) => (
          <g key={p.path} data-watch-path={p.path} data-count={p.count} transform={`translate(${PATH_X} ${p.y})`}>
            <title>{`${p.path}: ${p.total} watches${p.total > p.count ? ` (${p.total - p.count} by other clients)` : ''}`}</title>
            <rect x="0" y={-11} width={GRAPH_WIDTH - PATH_X} height="22" rx="4" className="watch-node" />
            <text x="8" y="4" className="watch-label">
              {p.label}
              {p.owner && <tspan className="watch-muted"> · {p.owner}</tspan>}
            </text>
            <text x={GRAPH_WIDTH - PATH_X - 8} y="4" textAnchor="end" className="watch-label watch-count">
              {p.count}
            </text>
          </g>
        ))}
      </svg>
    </section>
  )
}

const SESSION_COLUMNS: Column<SessionRow>[] = [
  { header: 'session', cell: (r) => formatSessionId(r.session) },
  { header: 'worker', cell: (r) => r.worker ?? '—' },
  { header: 'server', cell: (r) => r.server },
  { header: 'client', cell: (r) => r.client },
  { header: 'established', cell: (r) => (r.establishedAt !== undefined ? formatTime(r.establishedAt) : '—') },
  {
    header: 'timeout',
    numeric: true,
    cell: (r) => (r.timeoutMs !== undefined ? formatDuration(r.timeoutMs) : '—'),
  },
  { header: 'queued', numeric: true, hint: 'Requests not yet answered at the poll', cell: (r) => r.queued },
  { header: 'last op', hint: 'The last operation the server saw on it, at the poll', cell: (r) => r.lastOp ?? '—' },
  {
    header: 'watches',
    numeric: true,
    hint: 'Its watches in the watch graph (child watches inferred)',
    cell: (r) => r.watches,
  },
  {
    header: 'ephemeral nodes',
    hint: "Ephemeral nodes its session owns, in the observer's tree",
    // The node's own name is what tells them apart; the full path is in its title.
    cell: (r) =>
      r.ephemeral.length
        ? r.ephemeral.map((p) => (
            <span key={p} title={p} className="ephemeral-node">
              {shortPath(p).split('/').at(-1)}
            </span>
          ))
        : '—',
  },
]
