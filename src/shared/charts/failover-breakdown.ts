/**
 * A failover's breakdown as a bar: where the time from the fault to the new primary's first commit
 * went, step by step, on a scale shared by every row. The app draws the segments as styled HTML;
 * the report draws them with `breakdownOption` through ECharts' SVG renderer. One definition of the
 * steps, their order, the scale and the segments for both.
 */
import type { FailoverSteps, ServerFailoverSteps } from '../checker-report.js'

export const FAILOVER_STEPS: ReadonlyArray<{ key: keyof FailoverSteps; label: string }> = [
  { key: 'sessionEnded', label: 'session ended' },
  { key: 'nodeDeleted', label: 'node deleted' },
  { key: 'watchFired', label: 'watch fired' },
  { key: 'newPrimary', label: 'new primary' },
  { key: 'firstCommit', label: 'first commit' },
]

/** The transaction log's steps as a bar's: the log holds no watch and no worker's word on its role. */
export function serverBarSteps(s: ServerFailoverSteps): FailoverSteps {
  return {
    sessionEnded: s.sessionEnded,
    nodeDeleted: s.nodeDeleted,
    watchFired: null,
    newPrimary: null,
    firstCommit: s.firstCommit,
  }
}

/**
 * The old session's end to the first commit, both server-side: after an expiry, the handover proper
 * (what the session timeout does not account for).
 */
export function afterSessionEnd(s: ServerFailoverSteps): number | null {
  return s.sessionEnded === null || s.firstCommit === null ? null : s.firstCommit - s.sessionEnded
}

/**
 * A shared scale for the breakdown's bars: the largest step of any row, rounded up to a readable
 * value, so rows can be compared by eye (a seed's 6 s wait next to a recipe's 20 ms handover).
 */
export function breakdownScale(
  failovers: readonly { steps: FailoverSteps; server?: { steps: ServerFailoverSteps } }[],
): number {
  let max = 0
  for (const f of failovers) {
    const server = f.server ? serverBarSteps(f.server.steps) : undefined
    for (const { key } of FAILOVER_STEPS) max = Math.max(max, f.steps[key] ?? 0, server?.[key] ?? 0)
  }
  return niceCeil(max)
}

/** The next 1, 2, 2.5, 5 or 7.5 × 10ⁿ at or above the value (at least 10 ms). */
export function niceCeil(value: number): number {
  if (!(value > 10)) return 10
  const power = 10 ** Math.floor(Math.log10(value))
  for (const m of [1, 2, 2.5, 5, 7.5, 10]) if (m * power >= value) return m * power
  return 10 * power
}

/**
 * The bar of one failover as consecutive segments in the steps' logical order (session ended, node
 * deleted, watch fired, new primary, first commit), each coloured by the step that ends it: where
 * the time went. A step seen before an earlier one (a watch noticed a few ms before the observer saw
 * the node go) adds nothing; steps that did not happen are skipped.
 */
export function barSegments(
  steps: FailoverSteps,
  scale: number,
): Array<{ key: keyof FailoverSteps; from: number; to: number }> {
  const out: Array<{ key: keyof FailoverSteps; from: number; to: number }> = []
  let from = 0
  for (const { key } of FAILOVER_STEPS) {
    const to = barPercent(steps[key], scale)
    if (to === null) continue
    if (to > from) out.push({ key, from, to })
    from = Math.max(from, to)
  }
  return out
}

/** Where a step sits on a bar of the given scale, in percent (clamped to 0..100). */
export function barPercent(ms: number | null, scale: number): number | null {
  if (ms === null || !(scale > 0)) return null
  return Math.max(0, Math.min(100, (ms / scale) * 100))
}

export interface BreakdownColors {
  /** The bar's background: the scale's full width. */
  track: string
  steps: Record<keyof FailoverSteps, string>
  /** After the last step, when no new primary ever committed. */
  noTakeover: string
  noTakeoverBorder: string
}

/**
 * One failover's bar as an ECharts option filling its whole canvas: a segment per step (percent of
 * the scale) and, without a first commit, the rest of the bar marked as no takeover.
 */
export function breakdownOption(steps: FailoverSteps, scale: number, colors: BreakdownColors) {
  const segments = barSegments(steps, scale)
  const reached = segments.at(-1)?.to ?? 0
  const bar = (id: string, from: number, to: number, color: string, border?: string) => ({
    id,
    type: 'bar' as const,
    stack: 'steps',
    barWidth: '100%',
    silent: true,
    data: [to - from],
    itemStyle: { color, ...(border ? { borderColor: border, borderWidth: 1 } : {}) },
  })
  return {
    animation: false,
    backgroundColor: colors.track,
    grid: { left: 0, right: 0, top: 0, bottom: 0 },
    xAxis: { type: 'value' as const, min: 0, max: 100, show: false },
    yAxis: { type: 'category' as const, data: ['steps'], show: false },
    series: [
      ...segments.map((s) => bar(`step-${s.key}`, s.from, s.to, colors.steps[s.key])),
      ...(steps.firstCommit === null
        ? [bar('no-takeover', reached, 100, colors.noTakeover, colors.noTakeoverBorder)]
        : []),
    ],
  }
}
