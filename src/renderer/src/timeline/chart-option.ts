import type { CustomSeriesRenderItemAPI, CustomSeriesRenderItemParams, CustomSeriesRenderItemReturn } from 'echarts'
import { formatDuration, formatTime } from '../app/format'
import { closedIntervals, LANE_STATES, type LaneState, type TaskTimeline } from './timeline-model'

export interface ChartColors {
  text: string
  muted: string
  grid: string
  axis: string
  lanes: Record<LaneState, string>
  fault: string
  gap: string
  gapText: string
  commit: string
  panel: string
}

/** Reads the palette from CSS variables, so the chart follows the theme. */
export function readColors(el: Element): ChartColors {
  const css = getComputedStyle(el)
  const v = (name: string) => css.getPropertyValue(name).trim()
  return {
    text: v('--text'),
    muted: v('--text-muted'),
    grid: v('--border-subtle'),
    axis: v('--border'),
    lanes: { starting: v('--role-starting'), standby: v('--role-standby'), primary: v('--role-primary'), paused: v('--status-paused'), dead: v('--status-dead') },
    fault: v('--status-crashed'),
    gap: v('--gap-fill'),
    gapText: v('--gap-text'),
    commit: v('--accent'),
    panel: v('--panel'),
  }
}

export const LANE_HEIGHT = 30
export const COMMIT_HEIGHT = 120
const GRID_LEFT = 150
const GRID_RIGHT = 24

/** Room above the lanes for the failover labels. */
const LANES_TOP = 30

export function chartHeight(lanes: number): number {
  return LANES_TOP + Math.max(lanes, 2) * LANE_HEIGHT + 36 + COMMIT_HEIGHT + 70
}

const FAULT_SYMBOL: Record<string, string> = { kill: 'triangle', stop: 'diamond', pause: 'rect', resume: 'circle', restart: 'circle', partition: 'pin', heal: 'circle', slow: 'rect', reset: 'triangle' }
/** Faults that can cost a primary its role; the rest (resume, heal, restart) are drawn muted. */
const HARMFUL = new Set(['kill', 'stop', 'pause', 'partition', 'slow', 'reset'])

export interface ChartExtras {
  /** A replay's position: a vertical line across both grids. */
  cursor?: number
  /**
   * Times are ms since some origin (stacked charts comparing sessions, see relativeTimeline): the
   * axis reads +s from 0 to `span`, the same span for every chart of the stack.
   */
  relative?: { span: number }
}

/** "+12.35 s" since the origin of a relative chart. */
const plusSeconds = (ms: number, digits = 2) => `+${(ms / 1000).toFixed(digits)} s`

/** The full option for one task: lanes, fault markers, failover gaps and the lastCommit line. */
export function buildOption(t: TaskTimeline, now: number, colors: ChartColors, extras: ChartExtras = {}) {
  const at = (ms: number) => (extras.relative ? plusSeconds(ms) : formatTime(ms))
  const lanes = t.workers
  const laneIndex = new Map(lanes.map((w, i) => [w, i]))
  const lanesHeight = Math.max(lanes.length, 2) * LANE_HEIGHT
  const commitTop = LANES_TOP + lanesHeight + 36
  const intervals = closedIntervals(t, now).map((iv) => [laneIndex.get(iv.worker) ?? 0, iv.start, iv.end, LANE_STATES.indexOf(iv.state), iv.worker])
  const faults = t.faults.map((f) => ({
    value: [f.time, laneIndex.get(f.worker) ?? 0, f.action, f.worker],
    symbol: FAULT_SYMBOL[f.action] ?? 'pin',
    symbolRotate: f.action === 'kill' ? 180 : 0,
    itemStyle: { color: HARMFUL.has(f.action) && !f.teardown ? colors.fault : colors.muted, borderColor: colors.panel, borderWidth: 1 },
  }))
  const gaps = t.failovers
    .filter((f) => f.firstCommitMs !== undefined)
    .map((f) => [
      { xAxis: f.faultTime, name: `failover ${formatDuration(f.firstCommitMs!)}` },
      { xAxis: f.faultTime + f.firstCommitMs! },
    ])
  const xAxisBase = extras.relative
    ? { type: 'value' as const, min: 0, max: extras.relative.span, axisLine: { lineStyle: { color: colors.axis } } }
    : { type: 'time' as const, min: t.firstTime, max: Math.max(now, t.lastTime), axisLine: { lineStyle: { color: colors.axis } } }
  const timeLabel = extras.relative ? { formatter: (v: number) => plusSeconds(v, 0) } : {}
  const renderLane = (params: CustomSeriesRenderItemParams, api: CustomSeriesRenderItemAPI): CustomSeriesRenderItemReturn => {
    const lane = api.value(0) as number
    const start = api.coord([api.value(1), lane])
    const end = api.coord([api.value(2), lane])
    const height = (api.size?.([0, 1]) as number[])[1] * 0.62
    const coordSys = params.coordSys as unknown as { x: number; y: number; width: number; height: number }
    const x0 = Math.max(start[0], coordSys.x)
    const x1 = Math.min(end[0], coordSys.x + coordSys.width)
    if (x1 <= x0) return null
    const state = LANE_STATES[api.value(3) as number]
    const width = Math.max(1, x1 - x0)
    return {
      type: 'rect',
      shape: { x: x0, y: start[1] - height / 2, width, height, r: 2 },
      style: { fill: colors.lanes[state], opacity: state === 'dead' ? 0.45 : 1 },
      textContent: width > 64 && state !== 'dead' ? { style: { text: state, fill: '#fff', fontSize: 11, fontWeight: 600 } } : undefined,
      textConfig: { position: 'inside' },
    } as CustomSeriesRenderItemReturn
  }
  return {
    animation: false,
    backgroundColor: 'transparent',
    textStyle: { color: colors.text, fontFamily: 'ui-monospace, SFMono-Regular, Menlo, Consolas, "DejaVu Sans Mono", monospace' },
    tooltip: {
      trigger: 'item',
      backgroundColor: colors.panel,
      borderColor: colors.axis,
      textStyle: { color: colors.text, fontSize: 12 },
      formatter: (p: { seriesId?: string; value?: unknown[]; name?: string }) => {
        const v = p.value ?? []
        if (p.seriesId === 'lanes') return `<b>${String(v[4])}</b><br/>${LANE_STATES[v[3] as number]} from ${at(v[1] as number)} for ${formatDuration((v[2] as number) - (v[1] as number))}`
        if (p.seriesId === 'faults') return `<b>${String(v[2])}</b> ${String(v[3])}<br/>at ${at(v[0] as number)}`
        if (p.seriesId === 'commits') return `lastCommit <b>${String(v[1])}</b><br/>at ${at(v[0] as number)}`
        return p.name ?? ''
      },
    },
    grid: [
      { id: 'lanes', top: LANES_TOP, left: GRID_LEFT, right: GRID_RIGHT, height: lanesHeight },
      { id: 'commits', top: commitTop, left: GRID_LEFT, right: GRID_RIGHT, height: COMMIT_HEIGHT },
    ],
    xAxis: [
      { ...xAxisBase, gridIndex: 0, axisLabel: { show: false }, splitLine: { show: true, lineStyle: { color: colors.grid } } },
      { ...xAxisBase, gridIndex: 1, axisLabel: { color: colors.muted, hideOverlap: true, ...timeLabel }, splitLine: { show: true, lineStyle: { color: colors.grid } } },
    ],
    yAxis: [
      {
        type: 'category',
        gridIndex: 0,
        data: lanes,
        inverse: true,
        axisTick: { show: false },
        axisLine: { lineStyle: { color: colors.axis } },
        axisLabel: { color: colors.text, fontSize: 12 },
        splitLine: { show: true, lineStyle: { color: colors.grid } },
      },
      {
        type: 'value',
        gridIndex: 1,
        name: 'lastCommit',
        nameTextStyle: { color: colors.muted, align: 'right' },
        scale: true,
        minInterval: 1,
        axisLabel: { color: colors.muted },
        splitLine: { lineStyle: { color: colors.grid } },
      },
    ],
    series: [
      {
        id: 'lanes',
        type: 'custom',
        xAxisIndex: 0,
        yAxisIndex: 0,
        renderItem: renderLane,
        encode: { x: [1, 2], y: 0 },
        data: intervals,
        clip: true,
      },
      {
        id: 'faults',
        type: 'scatter',
        xAxisIndex: 0,
        yAxisIndex: 0,
        symbolSize: 13,
        z: 5,
        data: faults,
        clip: true,
        markArea: {
          silent: true,
          itemStyle: { color: colors.gap },
          // Stacked comparison charts are small: their gaps are in the table above, not on top of each other.
          label: { show: !extras.relative, position: 'top', distance: 4, color: colors.gapText, fontSize: 11, fontWeight: 600 },
          data: gaps,
        },
      },
      {
        id: 'commits',
        type: 'line',
        xAxisIndex: 1,
        yAxisIndex: 1,
        step: 'end',
        showSymbol: false,
        sampling: 'lttb',
        lineStyle: { color: colors.commit, width: 1.5 },
        itemStyle: { color: colors.commit },
        areaStyle: { color: colors.commit, opacity: 0.08 },
        data: t.commits,
        markArea: { silent: true, itemStyle: { color: colors.gap }, data: gaps.map(([a, b]) => [{ xAxis: a.xAxis }, b]) },
        markLine: {
          silent: true,
          symbol: 'none',
          lineStyle: { color: colors.fault, type: 'dashed', width: 1 },
          label: { show: false },
          data: t.faults.filter((f) => !f.teardown && (f.action === 'kill' || f.action === 'stop')).map((f) => ({ xAxis: f.time })),
        },
      },
      ...cursorSeries(extras.cursor, colors, [xAxisBase.min, xAxisBase.max]),
    ],
  }
}

/**
 * The replay cursor: a line over the lanes and one over lastCommit, as series of their own (ids
 * cursor-lanes, cursor-commits) so a move of the cursor alone is a small merge, not a new option.
 */
export function cursorSeries(cursor: number | undefined, colors: ChartColors, range?: [number, number]) {
  // The time label sits centred on the line, except near an edge, where it would be cut off.
  const share = cursor !== undefined && range && range[1] > range[0] ? (cursor - range[0]) / (range[1] - range[0]) : 0.5
  const align = share > 0.9 ? 'right' : share < 0.1 ? 'left' : 'center'
  const line = (id: string, grid: number, label: boolean) => ({
    id,
    type: 'line' as const,
    xAxisIndex: grid,
    yAxisIndex: grid,
    data: [],
    silent: true,
    z: 10,
    markLine: {
      silent: true,
      symbol: 'none',
      animation: false,
      lineStyle: { color: colors.text, type: 'solid' as const, width: 2 },
      label: label
        ? { show: true, position: 'end' as const, align, formatter: () => (cursor !== undefined ? formatTime(cursor) : ''), color: colors.text, fontSize: 11, fontWeight: 600 }
        : { show: false },
      data: cursor === undefined ? [] : [{ xAxis: cursor }],
    },
  })
  return [line('cursor-lanes', 0, false), line('cursor-commits', 1, true)]
}

/** The zoom component, added once; later updates leave the user's zoom alone unless following. */
export function dataZoomOption(colors: ChartColors, extras: ChartExtras = {}) {
  return [
    { id: 'inside', type: 'inside', xAxisIndex: [0, 1], filterMode: 'weakFilter', zoomOnMouseWheel: true, moveOnMouseMove: true },
    {
      id: 'slider',
      type: 'slider',
      xAxisIndex: [0, 1],
      filterMode: 'weakFilter',
      height: 18,
      bottom: 10,
      left: GRID_LEFT,
      right: GRID_RIGHT,
      borderColor: colors.axis,
      textStyle: { color: colors.muted },
      labelFormatter: (v: number) => (extras.relative ? plusSeconds(v, 1) : formatTime(v).slice(0, 8)),
    },
  ]
}

/** A timeline with its times as ms since `origin`, for charts that line sessions up from their start. */
export function relativeTimeline(t: TaskTimeline, origin: number): TaskTimeline {
  return {
    ...t,
    intervals: t.intervals.map((iv) => ({ ...iv, start: iv.start - origin, ...(iv.end !== undefined ? { end: iv.end - origin } : {}) })),
    faults: t.faults.map((f) => ({ ...f, time: f.time - origin })),
    commits: t.commits.map(([time, id]) => [time - origin, id]),
    failovers: t.failovers.map((f) => ({ ...f, faultTime: f.faultTime - origin })),
    firstTime: t.firstTime - origin,
    lastTime: t.lastTime - origin,
  }
}
