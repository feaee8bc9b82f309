/**
 * The report's "ZooKeeper's view" section: the sessions every server held at the end of the session
 * (cons) and the watch graph's counts per path (wchc), from the lab's last polls before its stop-all.
 */
import { LAB_ROOT } from '../../../shared/lab-state.js'
import type { ReportConnection, ReportWatchedPath, SessionReport } from '../types.js'
import { esc, ms, rel } from './format.js'

export function zookeeperViewSection(report: SessionReport): string {
  const view = report.zookeeperView
  if (!view) return '<p class="muted">The lab did not poll ZooKeeper for its sessions and watches in this session.</p>'
  const start = report.summary.startMs
  return `${sessionsTable(view.sessions, start)}${watchesTable(view.watches, start)}`
}

function sessionsTable(sessions: NonNullable<SessionReport['zookeeperView']>['sessions'], start: number): string {
  if (!sessions) return '<p class="muted">No snapshot of the servers’ sessions was recorded.</p>'
  const intro = `<p class="small muted">Every client connection the servers listed (<code>cons</code>) in the lab's last snapshot before its stop-all (${esc(rel(sessions.time, start))}), the session mapped to a worker, its watches in the watch graph and the ephemeral nodes it owned then. Last operation and queue are as of that snapshot; established is the server's clock.</p>`
  if (sessions.connections.length === 0) return `${intro}<p class="muted">No connection.</p>`
  const rows = sessions.connections.map((c) => connectionRow(c, start)).join('')
  return `${intro}<table class="zk-sessions"><thead><tr><th>Server</th><th>Client</th><th>Session</th><th>Worker</th><th class="num">established</th><th class="num">timeout</th><th>last op</th><th class="num">queued</th><th class="num">watches</th><th>Ephemeral nodes</th></tr></thead><tbody>${rows}</tbody></table>`
}

function connectionRow(c: ReportConnection, start: number): string {
  const nodes = c.ephemeralNodes.length
    ? c.ephemeralNodes.map((p) => `<code title="${esc(p)}">${esc(shortPath(p))}</code>`).join('<br>')
    : '<span class="muted">none</span>'
  return `<tr data-session="${esc(c.session)}"${c.worker ? ` data-worker="${esc(c.worker)}"` : ''}><td>${esc(c.server)}</td><td class="mono">${esc(c.client)}</td><td class="mono">${esc(c.session)}</td><td>${c.worker ? `<code>${esc(c.worker)}</code>` : '<span class="muted">not a worker</span>'}</td><td class="num">${c.establishedAt === null ? '—' : esc(rel(c.establishedAt, start))}</td><td class="num">${esc(ms(c.timeoutMs))}</td><td class="mono">${esc(c.lastOp ?? '—')}</td><td class="num">${c.outstanding}</td><td class="num">${c.watches ?? '—'}</td><td>${nodes}</td></tr>`
}

function watchesTable(watches: NonNullable<SessionReport['zookeeperView']>['watches'], start: number): string {
  if (!watches) return '<p class="muted">No watch graph was recorded.</p>'
  const totals = watches.totals
    .map((t) => `${esc(t.server)}: ${t.watches} data watches on ${t.paths} paths, ${t.connections} connections`)
    .join('; ')
  const intro = `<h3>Watch graph</h3><p class="small muted">Watches per path under <code>${esc(LAB_ROOT)}</code> in the lab's last graph before its stop-all (${esc(rel(watches.time, start))}). ZooKeeper 3.8 lists data and exists watches only: child watches are inferred from the workers' roles. A seed task shows every standby on <code>instance</code> (the herd); a recipe task one watch on each predecessor's node (a chain).${totals ? ` Servers' own totals (<code>wchs</code>): ${totals}.` : ''}${watches.omitted ? ` ${watches.omitted} watches were left out of the graph past the lab's cap.` : ''}</p>`
  if (watches.paths.length === 0) return `${intro}<p class="muted">No watch under the lab's root.</p>`
  return `${intro}<table class="zk-watches"><thead><tr><th>Path</th><th class="num">watches</th><th class="num">data/exists</th><th class="num">child (inferred)</th><th>Workers watching</th></tr></thead><tbody>${watches.paths.map(watchRow).join('')}</tbody></table>`
}

function watchRow(p: ReportWatchedPath): string {
  const child = p.child === 0 ? '0' : `${p.child}${p.inferred ? ` (${p.inferred})` : ''}`
  // The lab's observer and monitor watch every node; they are no worker.
  const others = p.watches > p.workers.length ? '<span class="muted small">other clients</span>' : ''
  const workers = p.workers.map((w) => `<code>${esc(w)}</code>`).join(', ')
  return `<tr data-watch-path="${esc(p.path)}" data-count="${p.watches}"><td><code>${esc(shortPath(p.path))}</code></td><td class="num"><b>${p.watches}</b></td><td class="num">${p.data}</td><td class="num">${child}</td><td>${[workers, others].filter(Boolean).join(' + ')}</td></tr>`
}

/** A path under the lab's tasks as `task/…`, the root left off. */
function shortPath(path: string): string {
  const tasks = `${LAB_ROOT}/tasks/`
  return path.startsWith(tasks) ? path.slice(tasks.length) : path
}
