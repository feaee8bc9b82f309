/**
 * A failover's herd as a small strip, one per failover on a scale every strip shares: a thin row per
 * woken worker, a dot when its watch fired and a line on to its reaction (its next role or predecessor
 * watch), the one that took over in the primary's colour. Times run from the herd's first watch (the
 * moment the node went), not from the fault: a killed primary's session timeout would squash the
 * herd's own few ms into a point. Nine rows for a seed's failover, one for a recipe's: the herd is
 * its height. The app draws the rows as styled HTML (the failover table), the report with
 * `herdStripOption` through ECharts' SVG renderer; one geometry for both.
 */
import type { CustomSeriesRenderItemAPI, CustomSeriesRenderItemReturn } from 'echarts'
import { niceCeil } from './failover-breakdown.js'
import type { HerdMarks } from './timeline-option.js'

/** Height of one woken worker's row, px. */
export const HERD_ROW_PX = 6

export interface HerdStripRow {
  worker: string
  /** Where its watch fired after the herd's first, percent of the scale; null when not seen. */
  watch: number | null
  /** Where it reacted, percent of the scale; null when it did not (or its program reports nothing). */
  reacted: number | null
  tookOver: boolean
}

/** When the herd's first watch fired, ms after the fault (0 when none was seen). */
function firstWatch(herd: HerdMarks): number {
  const seen = herd.workers.filter((w) => w.watchAt >= 0).map((w) => w.watchAt)
  return seen.length ? Math.min(...seen) : 0
}

/** One scale for every strip: the latest reaction (or watch) of any herd after its first watch, rounded up. */
export function herdScale(herds: ReadonlyArray<HerdMarks | undefined>): number {
  let max = 0
  for (const h of herds) {
    if (!h) continue
    const first = firstWatch(h)
    for (const w of h.workers) if (w.watchAt >= 0) max = Math.max(max, w.watchAt - first + (w.reactedMs ?? 0))
  }
  return niceCeil(max)
}

export function herdStripRows(herd: HerdMarks, scale: number): HerdStripRow[] {
  const first = firstWatch(herd)
  const pct = (ms: number) => Math.max(0, Math.min(100, ((ms - first) / scale) * 100))
  return herd.workers.map((w) => ({
    worker: w.worker,
    watch: w.watchAt >= 0 ? pct(w.watchAt) : null,
    reacted: w.watchAt >= 0 && w.reactedMs !== undefined ? pct(w.watchAt + w.reactedMs) : null,
    tookOver: w.did === 'primary',
  }))
}

export interface HerdStripColors {
  track: string
  /** A woken worker's watch and reaction. */
  herd: string
  /** The one that took over. */
  primary: string
}

/** The strip's height for a herd: a row per woken worker, at least one. */
export function herdStripHeight(herd: HerdMarks): number {
  return Math.max(herd.workers.length, 1) * HERD_ROW_PX + 2
}

/** One herd's strip as an ECharts option filling its canvas (x: percent of the scale, y: a row per worker). */
export function herdStripOption(herd: HerdMarks, scale: number, colors: HerdStripColors) {
  const rows = herdStripRows(herd, scale)
  const color = (r: HerdStripRow) => (r.tookOver ? colors.primary : colors.herd)
  return {
    animation: false,
    backgroundColor: colors.track,
    grid: { left: 3, right: 3, top: 1, bottom: 1 },
    xAxis: { type: 'value' as const, min: 0, max: 100, show: false },
    yAxis: { type: 'category' as const, data: rows.map((r) => r.worker), show: false, inverse: true },
    series: [
      {
        id: 'herd-reactions',
        type: 'custom' as const,
        silent: true,
        data: rows.flatMap((r, i) =>
          r.watch !== null && r.reacted !== null ? [[r.watch, i, r.reacted, color(r)]] : [],
        ),
        renderItem: (_params: unknown, api: CustomSeriesRenderItemAPI): CustomSeriesRenderItemReturn => {
          const from = api.coord([api.value(0), api.value(1)])
          const to = api.coord([api.value(2), api.value(1)])
          return {
            type: 'line',
            shape: { x1: from[0], y1: from[1], x2: Math.max(to[0], from[0] + 1), y2: to[1] },
            style: { stroke: String(api.value(3)), lineWidth: 1.5 },
          }
        },
      },
      {
        id: 'herd-watches',
        type: 'scatter' as const,
        silent: true,
        symbolSize: HERD_ROW_PX - 1,
        data: rows.flatMap((r, i) =>
          r.watch !== null ? [{ value: [r.watch, i], itemStyle: { color: color(r) } }] : [],
        ),
      },
    ],
  }
}
