/**
 * The herd of each failover in the report: a row per failover with its count, a strip (a thin row per
 * woken worker, on one scale for all) and each woken worker's watch time, reaction and what it did.
 * The seed's failover wakes every standby; the recipe's, one.
 */
import { herdScale } from '../../../shared/charts/herd-strip.js'
import type { ReportFailover } from '../types.js'
import { HERD_COLORS, herdStripSvg, legendSwatch } from './charts.js'
import { esc, ms } from './format.js'

export function herdTable(failovers: readonly ReportFailover[]): string {
  const withHerd = failovers.filter((f) => f.herd)
  if (withHerd.length === 0) return ''
  const scale = herdScale(withHerd.map((f) => f.herd))
  const legend = `<div class="legend">${legendSwatch(HERD_COLORS.herd, 'woken: watch fired (dot), then its reaction (line)')}${legendSwatch(HERD_COLORS.primary, 'the one that took over')}<span class="muted">a row per woken worker, from the herd's first watch (the node gone), one scale for all (full width ${esc(ms(scale))}); also drawn as dots on the timeline's lanes</span></div>`
  const rows = withHerd.map((f) => {
    const herd = f.herd!
    const how = herd.source === 'graph' ? 'read off the watch graph before the fault' : 'as the workers reported'
    const workers = herd.workers.length
      ? herd.workers
          .map(
            (w) =>
              `<code>${esc(w.worker)}</code> <span class="small">watch fired ${w.watchAt < 0 ? '(not seen)' : `+${esc(ms(w.watchAt))}`}${w.reactedMs !== undefined ? `, reacted in ${esc(ms(w.reactedMs))}` : ''}${w.did ? ` → <b>${esc(w.did)}</b>` : ''}</span>`,
          )
          .join('<br>')
      : '<span class="muted">none</span>'
    return `<tr data-failover="${f.index}" data-woken="${herd.woken}"><td class="num">${f.index}</td><td class="handover"><code>${esc(f.from)}</code> →<br>${f.to ? `<code>${esc(f.to)}</code>` : '<span class="pill bad">nobody</span>'}</td><td class="num"><b>${herd.woken}</b><br><span class="muted small" title="${esc(how)}">${herd.source === 'graph' ? 'graph' : 'reported'}</span></td><td class="bar-cell">${herdStripSvg({ index: f.index, herd }, scale)}</td><td class="herd-workers">${workers}</td></tr>`
  })
  return `<h3>The herd of each failover</h3><p class="small muted">The workers a watch on the task's election woke in each failover: when each watch fired, how long until the worker's next role or predecessor watch, and what that was. A seed task's standbys all watch the whole list, so every failover wakes every one of them; a recipe's standby watches only its predecessor, so one wakes.</p>${legend}<table class="herd"><thead><tr><th class="num">#</th><th>From → to</th><th class="num">woken</th><th>Strip</th><th>Each woken worker (ms after the fault)</th></tr></thead><tbody>${rows.join('')}</tbody></table>`
}
