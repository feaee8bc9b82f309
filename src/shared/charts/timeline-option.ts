/**
 * The leadership timeline as an ECharts option: worker lanes, fault markers, failover gaps and the
 * lastCommit line. One definition for every place that draws it: the app's canvas chart and the
 * report's inline SVG (ECharts' server-side renderer). Pure: no DOM, no React; colours and the
 * wording of times come from the caller.
 */
import { HARMFUL_NETWORK_FAULTS } from '../network-faults.js'
import type { EnsembleMark, LinkCutBand } from '../zk-ensemble.js'
import type { CustomSeriesRenderItemAPI, CustomSeriesRenderItemParams, CustomSeriesRenderItemReturn } from 'echarts'

/** What a worker's lane shows at any instant. */
export type LaneState = 'starting' | 'standby' | 'primary' | 'paused' | 'dead'
export const LANE_STATES: readonly LaneState[] = ['starting', 'standby', 'primary', 'paused', 'dead']

/** What a lane can show: a worker's states, and `running` for a lane of a ZooKeeper server. */
export type ChartLaneState = LaneState | 'running'
const DRAWN_STATES: readonly ChartLaneState[] = [...LANE_STATES, 'running']

export interface Interval {
  worker: string
  state: LaneState
  start: number
  /** Open while the state lasts. */
  end?: number
}

/** A fault or action the lab fired at a worker (process.action). */
export interface FaultMark {
  time: number
  worker: string
  action: string
  /** Whether the worker was primary when it was hit. */
  wasPrimary: boolean
  /** Fired by the lab while closing the session: teardown, not an experiment (no takeover follows). */
  teardown?: boolean
  /** Written above the marker (the report numbers faults as its fault table does). */
  label?: string
  /** The fault in full for the tooltip, where its kind alone does not say it ("loss 20 % ↑"). */
  detail?: string
}

/** What the chart draws of one task; the app's TaskTimeline is one. */
export interface TimelineChartData {
  /** Lane order, top to bottom. */
  workers: string[]
  intervals: Array<Omit<Interval, 'state'> & { state: ChartLaneState }>
  faults: FaultMark[]
  /** [time, id] of every commit, in time order. */
  commits: Array<[number, number]>
  /** Each measured takeover: the gap runs from the fault to the new primary's first commit. */
  failovers: Array<{ faultTime: number; firstCommitMs?: number; herd?: HerdMarks }>
  firstTime: number
  lastTime: number
  /** When the checker saw each worker work, drawn as a thin strip under its lane (the report's evidence for single-primary). */
  working?: Array<{ worker: string; start: number; end: number }>
  /** The ZooKeeper ensemble's side: links cut between servers (bands), leaders and quorum changes (markers). */
  ensemble?: EnsembleChartData
}

/**
 * The herd of one failover (the checker's FailoverHerd): the workers a watch on the election woke, each
 * drawn as a dot on its lane when its watch fired, the count written on the failover's label.
 */
export interface HerdMarks {
  woken: number
  workers: ReadonlyArray<{
    worker: string
    /** ms after the fault; negative when not seen (a program's herd read off the watch graph). */
    watchAt: number
    path?: string
    reactedMs?: number
    /** What it did next: its new role, or `watching` (a new predecessor). */
    did?: string
  }>
}

export interface EnsembleChartData {
  bands: ReadonlyArray<Pick<LinkCutBand, 'start' | 'end' | 'description'>>
  marks: ReadonlyArray<Pick<EnsembleMark, 'time' | 'kind' | 'label'>>
}

/** A marker's words on the chart, short enough to stand along its line; the tooltip has the full label. */
function shortMark(m: Pick<EnsembleMark, 'kind' | 'label'>): string {
  if (m.kind === 'quorum-lost') return 'quorum lost'
  if (m.kind === 'quorum-regained') return 'quorum back'
  return m.label.replace(/ \(epoch (\d+)\)$/, ' e$1')
}

/**
 * The ensemble's events over the lanes: a faint band while links between servers are cut (its
 * description in the tooltip), a dashed line per new leader and per quorum lost or regained.
 */
function ensembleSeries(
  ensemble: EnsembleChartData | undefined,
  now: number,
  colors: ChartColors,
  at: (ms: number) => string,
) {
  if (!ensemble || (ensemble.bands.length === 0 && ensemble.marks.length === 0)) return []
  const markColor = (kind: EnsembleMark['kind']) =>
    kind === 'quorum-lost'
      ? colors.fault
      : kind === 'quorum-regained'
        ? (colors.lanes.primary ?? colors.text)
        : colors.text
  return [
    {
      id: 'zk-ensemble',
      type: 'line' as const,
      xAxisIndex: 0,
      yAxisIndex: 0,
      data: [],
      z: 1,
      markArea: {
        silent: false,
        itemStyle: { color: colors.fault, opacity: 0.1 },
        label: {
          show: true,
          position: 'insideTopLeft' as const,
          color: colors.fault,
          fontSize: 10,
          formatter: 'links cut',
        },
        data: ensemble.bands.map((b) => [
          { xAxis: b.start, name: `links cut: ${b.description}` },
          { xAxis: b.end ?? Math.max(b.start, now) },
        ]),
      },
      markLine: {
        silent: false,
        symbol: 'none',
        animation: false,
        data: ensemble.marks.map((m) => ({
          xAxis: m.time,
          name: `${m.label} at ${at(m.time)}`,
          lineStyle: { color: markColor(m.kind), type: 'dashed' as const, width: 1 },
          label: {
            show: true,
            position: 'insideEndTop' as const,
            formatter: shortMark(m),
            color: markColor(m.kind),
            fontSize: 10,
          },
        })),
      },
    },
  ]
}

export interface ChartColors {
  text: string
  muted: string
  grid: string
  axis: string
  /** A worker's states; `running` (a ZooKeeper server's lane) falls back to `muted`. */
  lanes: Record<LaneState, string> & { running?: string }
  fault: string
  gap: string
  gapText: string
  commit: string
  panel: string
  /** A woken worker's dot (the herd); the watch graph's child-watch colour. */
  herd: string
}

/** How the caller writes an instant (absolute charts) and a duration. */
export interface ChartFormat {
  time: (ms: number) => string
  duration: (ms: number) => string
}

export const LANE_HEIGHT = 30
export const COMMIT_HEIGHT = 120
export const GRID_LEFT = 150
export const GRID_RIGHT = 24

/** Room above the lanes for the failover labels. */
const LANES_TOP = 30

export function chartHeight(lanes: number): number {
  return LANES_TOP + Math.max(lanes, 2) * LANE_HEIGHT + 36 + COMMIT_HEIGHT + 70
}

/** The zoom slider's room, which a static chart does not have. */
export const NO_SLIDER_PX = 40

const FAULT_SYMBOL: Record<string, string> = {
  kill: 'triangle',
  stop: 'diamond',
  pause: 'rect',
  resume: 'circle',
  restart: 'circle',
  partition: 'pin',
  loss: 'pin',
  bandwidth: 'pin',
  slicer: 'pin',
  'slow-close': 'pin',
  heal: 'circle',
  slow: 'rect',
  reset: 'triangle',
}
/** Faults that can cost a primary its role; the rest (resume, heal, restart) are drawn muted. */
const HARMFUL = new Set(['kill', 'stop', 'pause', ...HARMFUL_NETWORK_FAULTS])

/** A fault marker's colour: harmful faults in the fault colour, recoveries and teardown muted. */
export function faultMarkColor(
  f: Pick<FaultMark, 'action' | 'teardown'>,
  colors: Pick<ChartColors, 'fault' | 'muted'>,
): string {
  return HARMFUL.has(f.action) && !f.teardown ? colors.fault : colors.muted
}

export interface ChartExtras {
  /** A replay's position: a vertical line across both grids. */
  cursor?: number
  /**
   * Times are ms since some origin (stacked charts comparing sessions, see relativeTimeline): the
   * axis reads +s from 0 to `span`, the same span for every chart of the stack.
   */
  relative?: { span: number }
  /** Write each failover's gap above it; by default only absolute charts do (stacked ones are small). */
  gapLabels?: boolean
}

/** "+12.35 s" since the origin of a relative chart. */
export const plusSeconds = (ms: number, digits = 2) => `+${(ms / 1000).toFixed(digits)} s`

/** Intervals with open ones closed at `now`: what a chart draws. */
export function closedIntervals<I extends { start: number; end?: number }>(
  timeline: { intervals: I[] },
  now: number,
): Array<I & { end: number }> {
  return timeline.intervals.map((iv) => ({ ...iv, end: iv.end ?? Math.max(iv.start, now) }))
}

/** The full option for one task: lanes, fault markers, failover gaps and the lastCommit line. */
export function timelineOption(
  t: TimelineChartData,
  now: number,
  colors: ChartColors,
  format: ChartFormat,
  extras: ChartExtras = {},
) {
  const at = (ms: number) => (extras.relative ? plusSeconds(ms) : format.time(ms))
  const lanes = t.workers
  const laneIndex = new Map(lanes.map((w, i) => [w, i]))
  const lanesHeight = Math.max(lanes.length, 2) * LANE_HEIGHT
  const commitTop = LANES_TOP + lanesHeight + 36
  const intervals = closedIntervals(t, now).map((iv) => [
    laneIndex.get(iv.worker) ?? 0,
    iv.start,
    iv.end,
    DRAWN_STATES.indexOf(iv.state),
    iv.worker,
  ])
  const faults = t.faults.map((f) => ({
    value: [f.time, laneIndex.get(f.worker) ?? 0, f.action, f.worker, f.detail ?? f.action],
    symbol: FAULT_SYMBOL[f.action] ?? 'pin',
    symbolRotate: f.action === 'kill' ? 180 : 0,
    itemStyle: { color: faultMarkColor(f, colors), borderColor: colors.panel, borderWidth: 1 },
    ...(f.label !== undefined
      ? {
          label: {
            show: true,
            position: 'top' as const,
            distance: 2,
            formatter: f.label,
            color: faultMarkColor(f, colors),
            fontSize: 10,
            fontWeight: 600,
          },
        }
      : {}),
  }))
  const gaps = t.failovers
    .filter((f) => f.firstCommitMs !== undefined)
    .map((f) => [
      {
        xAxis: f.faultTime,
        name: `failover ${format.duration(f.firstCommitMs!)}${f.herd ? ` · woke ${f.herd.woken}` : ''}`,
      },
      { xAxis: f.faultTime + f.firstCommitMs! },
    ])
  const xAxisBase = extras.relative
    ? { type: 'value' as const, min: 0, max: extras.relative.span, axisLine: { lineStyle: { color: colors.axis } } }
    : {
        type: 'time' as const,
        min: t.firstTime,
        max: Math.max(now, t.lastTime),
        axisLine: { lineStyle: { color: colors.axis } },
      }
  const timeLabel = extras.relative ? { formatter: (v: number) => plusSeconds(v, 0) } : {}
  const working = (t.working ?? []).map((w) => [laneIndex.get(w.worker) ?? 0, w.start, w.end])
  const renderWorking = (
    params: CustomSeriesRenderItemParams,
    api: CustomSeriesRenderItemAPI,
  ): CustomSeriesRenderItemReturn => {
    const lane = api.value(0) as number
    const start = api.coord([api.value(1), lane])
    const end = api.coord([api.value(2), lane])
    const band = (api.size?.([0, 1]) as number[])[1]
    const coordSys = params.coordSys as unknown as { x: number; width: number }
    const x0 = Math.max(start[0], coordSys.x)
    const x1 = Math.min(end[0], coordSys.x + coordSys.width)
    if (x1 < x0) return null
    return {
      type: 'rect',
      shape: { x: x0, y: start[1] + band * 0.31 + 1, width: Math.max(2, x1 - x0), height: 4 },
      style: { fill: colors.text },
    }
  }
  const renderLane = (
    params: CustomSeriesRenderItemParams,
    api: CustomSeriesRenderItemAPI,
  ): CustomSeriesRenderItemReturn => {
    const lane = api.value(0) as number
    const start = api.coord([api.value(1), lane])
    const end = api.coord([api.value(2), lane])
    const height = (api.size?.([0, 1]) as number[])[1] * 0.62
    const coordSys = params.coordSys as unknown as { x: number; y: number; width: number; height: number }
    const x0 = Math.max(start[0], coordSys.x)
    const x1 = Math.min(end[0], coordSys.x + coordSys.width)
    if (x1 <= x0) return null
    const state = DRAWN_STATES[api.value(3) as number]
    const width = Math.max(1, x1 - x0)
    return {
      type: 'rect',
      shape: { x: x0, y: start[1] - height / 2, width, height, r: 2 },
      style: {
        fill: state === 'running' ? (colors.lanes.running ?? colors.muted) : colors.lanes[state],
        opacity: state === 'dead' ? 0.45 : 1,
      },
      textContent:
        width > 64 && state !== 'dead'
          ? { style: { text: state, fill: '#fff', fontSize: 11, fontWeight: 600 } }
          : undefined,
      textConfig: { position: 'inside' },
    } as CustomSeriesRenderItemReturn
  }
  return {
    animation: false,
    backgroundColor: 'transparent',
    textStyle: {
      color: colors.text,
      fontFamily: 'ui-monospace, SFMono-Regular, Menlo, Consolas, "DejaVu Sans Mono", monospace',
    },
    tooltip: {
      trigger: 'item',
      backgroundColor: colors.panel,
      borderColor: colors.axis,
      textStyle: { color: colors.text, fontSize: 12 },
      formatter: (p: { seriesId?: string; value?: unknown[]; name?: string }) => {
        const v = p.value ?? []
        if (p.seriesId === 'lanes')
          return `<b>${String(v[4])}</b><br/>${DRAWN_STATES[v[3] as number]} from ${at(v[1] as number)} for ${format.duration((v[2] as number) - (v[1] as number))}`
        if (p.seriesId === 'faults') return `<b>${String(v[4])}</b> ${String(v[3])}<br/>at ${at(v[0] as number)}`
        if (p.seriesId === 'commits') return `lastCommit <b>${String(v[1])}</b><br/>at ${at(v[0] as number)}`
        if (p.seriesId === 'herd') return String(v[2])
        return p.name ?? ''
      },
    },
    grid: [
      {
        id: 'lanes',
        top: LANES_TOP,
        left: GRID_LEFT,
        right: GRID_RIGHT,
        height: lanesHeight,
        outerBoundsMode: 'none' as const,
      },
      {
        id: 'commits',
        top: commitTop,
        left: GRID_LEFT,
        right: GRID_RIGHT,
        height: COMMIT_HEIGHT,
        outerBoundsMode: 'none' as const,
      },
    ],
    xAxis: [
      {
        ...xAxisBase,
        gridIndex: 0,
        axisLabel: { show: false },
        splitLine: { show: true, lineStyle: { color: colors.grid } },
      },
      {
        ...xAxisBase,
        gridIndex: 1,
        axisLabel: { color: colors.muted, hideOverlap: true, ...timeLabel },
        splitLine: { show: true, lineStyle: { color: colors.grid } },
      },
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
      ...(working.length
        ? [
            {
              id: 'working',
              type: 'custom' as const,
              xAxisIndex: 0,
              yAxisIndex: 0,
              silent: true,
              renderItem: renderWorking,
              encode: { x: [1, 2], y: 0 },
              data: working,
              clip: true,
            },
          ]
        : []),
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
          label: {
            show: extras.gapLabels ?? !extras.relative,
            position: 'top',
            distance: 4,
            color: colors.gapText,
            fontSize: 11,
            fontWeight: 600,
          },
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
        markArea: {
          silent: true,
          itemStyle: { color: colors.gap },
          data: gaps.map(([a, b]) => [{ xAxis: a.xAxis }, b]),
        },
        markLine: {
          silent: true,
          symbol: 'none',
          lineStyle: { color: colors.fault, type: 'dashed', width: 1 },
          label: { show: false },
          data: t.faults
            .filter((f) => !f.teardown && (f.action === 'kill' || f.action === 'stop'))
            .map((f) => ({ xAxis: f.time })),
        },
      },
      ...herdSeries(t, laneIndex, colors, format),
      ...ensembleSeries(t.ensemble, now, colors, at),
      ...cursorSeries(extras.cursor, colors, format, [xAxisBase.min, xAxisBase.max]),
    ],
  }
}

/**
 * Each failover's herd over the lanes: a dot per woken worker on its lane when its watch fired, filled
 * with the primary's colour for the one that took over, the herd's for the rest; what each did and how
 * fast in the tooltip. A seed failover draws a column of dots down every standby's lane, a recipe's one.
 */
function herdSeries(
  t: TimelineChartData,
  laneIndex: ReadonlyMap<string, number>,
  colors: ChartColors,
  format: ChartFormat,
) {
  const dots = t.failovers.flatMap((f) =>
    (f.herd?.workers ?? [])
      .filter((w) => w.watchAt >= 0 && laneIndex.has(w.worker))
      .map((w) => ({
        value: [f.faultTime + w.watchAt, laneIndex.get(w.worker)!, herdText(f.herd!, w, format)],
        itemStyle: { color: w.did === 'primary' ? colors.lanes.primary : colors.herd },
      })),
  )
  if (dots.length === 0) return []
  return [
    {
      id: 'herd',
      type: 'scatter' as const,
      xAxisIndex: 0,
      yAxisIndex: 0,
      symbol: 'circle',
      symbolSize: 9,
      z: 6,
      clip: true,
      itemStyle: { borderColor: colors.panel, borderWidth: 1.5 },
      data: dots,
    },
  ]
}

/** One woken worker, in words: when its watch fired, on what, how fast it reacted and with what. */
function herdText(herd: HerdMarks, w: HerdMarks['workers'][number], format: Pick<ChartFormat, 'duration'>) {
  const reaction =
    w.reactedMs !== undefined ? `, reacted in ${format.duration(w.reactedMs)}${w.did ? ` → ${w.did}` : ''}` : ''
  return `${w.worker}: woken ${format.duration(w.watchAt)} after the fault (1 of ${herd.woken})${w.path ? ` by its watch on ${w.path}` : ''}${reaction}`
}

/**
 * The replay cursor: a line over the lanes and one over lastCommit, as series of their own (ids
 * cursor-lanes, cursor-commits) so a move of the cursor alone is a small merge, not a new option.
 */
export function cursorSeries(
  cursor: number | undefined,
  colors: ChartColors,
  format: ChartFormat,
  range?: [number, number],
) {
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
        ? {
            show: true,
            position: 'end' as const,
            align,
            formatter: () => (cursor !== undefined ? format.time(cursor) : ''),
            color: colors.text,
            fontSize: 11,
            fontWeight: 600,
          }
        : { show: false },
      data: cursor === undefined ? [] : [{ xAxis: cursor }],
    },
  })
  return [line('cursor-lanes', 0, false), line('cursor-commits', 1, true)]
}

/** The zoom component, added once; later updates leave the user's zoom alone unless following. */
export function dataZoomOption(colors: ChartColors, format: ChartFormat, extras: ChartExtras = {}) {
  return [
    {
      id: 'inside',
      type: 'inside',
      xAxisIndex: [0, 1],
      filterMode: 'weakFilter',
      zoomOnMouseWheel: true,
      moveOnMouseMove: true,
    },
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
      labelFormatter: (v: number) => (extras.relative ? plusSeconds(v, 1) : format.time(v).slice(0, 8)),
    },
  ]
}

/** A timeline with its times as ms since `origin`, for charts that line sessions up from their start. */
export function relativeTimeline<T extends TimelineChartData>(t: T, origin: number): T {
  return {
    ...t,
    intervals: t.intervals.map((iv) => ({
      ...iv,
      start: iv.start - origin,
      ...(iv.end !== undefined ? { end: iv.end - origin } : {}),
    })),
    faults: t.faults.map((f) => ({ ...f, time: f.time - origin })),
    commits: t.commits.map(([time, id]) => [time - origin, id]),
    failovers: t.failovers.map((f) => ({ ...f, faultTime: f.faultTime - origin })),
    ...(t.ensemble
      ? {
          ensemble: {
            bands: t.ensemble.bands.map((b) => ({
              ...b,
              start: b.start - origin,
              ...(b.end !== undefined ? { end: b.end - origin } : {}),
            })),
            marks: t.ensemble.marks.map((m) => ({ ...m, time: m.time - origin })),
          },
        }
      : {}),
    firstTime: t.firstTime - origin,
    lastTime: t.lastTime - origin,
  }
}
