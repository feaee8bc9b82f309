/**
 * The report's charts: the app's own chart definitions (src/shared/charts) rendered to inline SVG by
 * ECharts' server-side renderer at export time. No script and nothing to load when the page is
 * opened, and they print as crisply as text.
 */
import { BarChart, CustomChart, LineChart, ScatterChart } from 'echarts/charts'
import { GridComponent, MarkAreaComponent, MarkLineComponent } from 'echarts/components'
import * as echarts from 'echarts/core'
import { SVGRenderer } from 'echarts/renderers'
import type { FailoverHerd, FailoverSteps, LagSeries } from '../../../shared/checker-report.js'
import { backupLagOption, LAG_CHART_HEIGHT, lagPoints } from '../../../shared/charts/backup-lag.js'
import { breakdownOption, type BreakdownColors } from '../../../shared/charts/failover-breakdown.js'
import { herdStripHeight, herdStripOption, type HerdStripColors } from '../../../shared/charts/herd-strip.js'
import {
  chartHeight,
  NO_SLIDER_PX,
  timelineOption,
  type ChartColors,
  type TimelineChartData,
} from '../../../shared/charts/timeline-option.js'
import type { ReportFailover, ReportFault, ReportTimeline, TimelineTask } from '../types.js'
import { esc, ms, rel } from './format.js'

// Only what the charts draw, as in the app (src/renderer/src/timeline/echarts.ts), with the SVG renderer.
echarts.use([
  CustomChart,
  LineChart,
  ScatterChart,
  BarChart,
  GridComponent,
  MarkAreaComponent,
  MarkLineComponent,
  SVGRenderer,
])

/** The app's light theme (src/renderer/src/styles/base.css), so a report looks like the lab it came from. */
export const REPORT_COLORS: ChartColors = {
  text: '#1b1f24',
  muted: '#5d6672',
  grid: '#e9ecf1',
  axis: '#d5d9e0',
  lanes: {
    starting: '#8a94a3',
    standby: '#3a6fb0',
    primary: '#1a7f37',
    paused: '#c98a00',
    dead: '#9aa3ae',
    running: '#b6bec9',
  },
  fault: '#c4262e',
  gap: 'rgba(196, 38, 46, 0.12)',
  gapText: '#a1161e',
  commit: '#0b63ce',
  panel: '#ffffff',
  herd: '#9a6300',
}

/** The breakdown's steps in the app's colours (.step-* in base.css). */
export const BREAKDOWN_COLORS: BreakdownColors = {
  track: '#f1f3f6',
  steps: {
    sessionEnded: '#6e7781',
    nodeDeleted: '#c98a00',
    watchFired: '#3a6fb0',
    newPrimary: '#1a7f37',
    firstCommit: '#a1161e',
  },
  noTakeover: 'rgba(196, 38, 46, 0.12)',
  noTakeoverBorder: '#c4262e',
}

/** Where a violation of an invariant lasted, shaded across the lanes. */
const VIOLATION_FILL = 'rgba(196, 38, 46, 0.16)'
/** The lab's own stop-all at the end: teardown, not an experiment. */
const TEARDOWN_FILL = 'rgba(93, 102, 114, 0.12)'

const TIMELINE_WIDTH = 1120
const BREAKDOWN_WIDTH = 260
const BREAKDOWN_HEIGHT = 14

const SERVER_STATE = { starting: 'starting', running: 'running', paused: 'paused', stopped: 'dead' } as const

/**
 * An option drawn once to an SVG string, the chart disposed straight after. `attributes` go on the
 * root <svg> (class, data-*, role, aria-label), already escaped.
 */
function renderSvg(option: object, width: number, height: number, attributes: string): string {
  const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width, height })
  try {
    // A static picture has no tooltip to show.
    const { tooltip: _tooltip, ...drawn } = option as { tooltip?: unknown }
    chart.setOption(drawn)
    return chart.renderToSVGString({ useViewBox: true }).replace(/^<svg /, `<svg ${attributes} `)
  } finally {
    chart.dispose()
  }
}

/** One task on the session's time axis (ms since its start): server lanes, then each worker. */
export function timelineChartData(
  timeline: ReportTimeline,
  task: TimelineTask,
  faults: readonly ReportFault[],
  failovers: readonly ReportFailover[],
): TimelineChartData {
  const start = timeline.startMs
  const span = Math.max(timeline.endMs - start, 1)
  return {
    workers: [...timeline.servers.map((s) => s.name), ...task.lanes.map((l) => l.worker)],
    intervals: [
      ...timeline.servers.flatMap((s) =>
        s.intervals.map((i) => ({
          worker: s.name,
          state: SERVER_STATE[i.state],
          start: i.start - start,
          end: i.end - start,
        })),
      ),
      ...task.lanes.flatMap((l) =>
        l.intervals.map((i) => ({ worker: l.worker, state: i.state, start: i.start - start, end: i.end - start })),
      ),
    ],
    faults: faults
      .filter((f) => f.task === task.task || f.task === null)
      .map((f) => ({
        time: f.time - start,
        worker: f.target,
        action: f.kind,
        ...(f.detail ? { detail: f.detail } : {}),
        wasPrimary: f.hitPrimary,
        label: String(f.index),
      })),
    commits: task.lastCommit.map((c) => [c.time - start, c.value]),
    failovers: failovers
      .filter((f) => f.task === task.task)
      .map((f) => ({
        faultTime: f.faultTime - start,
        ...(f.gapMs !== null ? { firstCommitMs: f.gapMs } : {}),
        ...(f.herd ? { herd: f.herd } : {}),
      })),
    firstTime: 0,
    lastTime: span,
    working: task.lanes.flatMap((l) =>
      l.working.map((w) => ({ worker: l.worker, start: w.start - start, end: w.end - start })),
    ),
    ensemble: {
      bands: timeline.ensemble.links.map((b) => ({
        start: b.start - start,
        end: b.end - start,
        description: b.description,
      })),
      marks: timeline.ensemble.marks.map((m) => ({ time: m.time - start, kind: m.kind, label: m.label })),
    },
  }
}

/** One task's leadership timeline and lastCommit, as the app draws them, with violations and teardown shaded. */
export function timelineSvg(
  timeline: ReportTimeline,
  task: TimelineTask,
  faults: readonly ReportFault[],
  failovers: readonly ReportFailover[],
): string {
  const data = timelineChartData(timeline, task, faults, failovers)
  const start = timeline.startMs
  const span = data.lastTime
  const option = timelineOption(
    data,
    span,
    REPORT_COLORS,
    { time: (t) => rel(t, 0), duration: (d) => ms(d) },
    { relative: { span }, gapLabels: true },
  )
  // An instant (a write backwards) still gets a visible band: 0.3 % of the axis.
  const minWidth = span * 0.003
  const bands = [
    ...task.violations.map((v) => [
      { xAxis: v.start - start, itemStyle: { color: VIOLATION_FILL } },
      { xAxis: Math.max(v.end - start, v.start - start + minWidth) },
    ]),
    ...(timeline.teardownAt !== null && timeline.teardownAt < timeline.endMs
      ? [[{ xAxis: timeline.teardownAt - start, itemStyle: { color: TEARDOWN_FILL } }, { xAxis: span }]]
      : []),
  ]
  const marks = {
    id: 'report-bands',
    type: 'line',
    xAxisIndex: 0,
    yAxisIndex: 0,
    data: [],
    silent: true,
    // Behind the lanes; which invariant and when is in the verdicts above, where there is room to say it.
    z: 0,
    markArea: { silent: true, label: { show: false }, data: bands },
  }
  const drawn = { ...option, series: [...option.series, marks] }
  const attributes = `class="chart timeline" data-task="${esc(task.task)}" role="img" aria-label="Leadership timeline and lastCommit of ${esc(task.task)}"`
  return renderSvg(drawn, TIMELINE_WIDTH, chartHeight(data.workers.length) - NO_SLIDER_PX, attributes)
}

/** A binlog task's backup lag over the run, on its timeline's axis, failovers shaded and primaries' faults marked. */
export function backupLagSvg(
  timeline: ReportTimeline,
  task: TimelineTask,
  faults: readonly ReportFault[],
  failovers: readonly ReportFailover[],
  series: LagSeries,
): string {
  const data = timelineChartData(timeline, task, faults, failovers)
  const span = data.lastTime
  const option = backupLagOption(
    { ...data, points: lagPoints(series, timeline.startMs) },
    span,
    REPORT_COLORS,
    { time: (t) => rel(t, 0), duration: (d) => ms(d) },
    { relative: { span } },
  )
  const attributes = `class="chart backup-lag" data-task="${esc(task.task)}" role="img" aria-label="Backup lag over the run of ${esc(task.task)}"`
  return renderSvg(option, TIMELINE_WIDTH, LAG_CHART_HEIGHT, attributes)
}

/** One failover's bar on the scale every row shares. */
export function breakdownSvg(f: Pick<ReportFailover, 'index'> & { steps: FailoverSteps }, scale: number): string {
  const attributes = `class="breakdown" data-failover="${f.index}" preserveAspectRatio="none" role="img" aria-label="failover ${f.index}: first commit ${esc(ms(f.steps.firstCommit))} after the fault"`
  return renderSvg(breakdownOption(f.steps, scale, BREAKDOWN_COLORS), BREAKDOWN_WIDTH, BREAKDOWN_HEIGHT, attributes)
}

/** The herd strips in the app's colours: a woken worker in the child-watch colour, the new primary green. */
export const HERD_COLORS: HerdStripColors = {
  track: '#f1f3f6',
  herd: REPORT_COLORS.herd,
  primary: REPORT_COLORS.lanes.primary,
}

/** One failover's herd as a strip on the scale every strip shares: a row per woken worker. */
export function herdStripSvg(f: Pick<ReportFailover, 'index'> & { herd: FailoverHerd }, scale: number): string {
  const height = herdStripHeight(f.herd)
  const attributes = `class="herd-strip" data-failover="${f.index}" data-woken="${f.herd.woken}" style="height: ${height}px" preserveAspectRatio="none" role="img" aria-label="failover ${f.index}: ${f.herd.woken} woken"`
  return renderSvg(herdStripOption(f.herd, scale, HERD_COLORS), BREAKDOWN_WIDTH, height, attributes)
}

export function legendSwatch(color: string, label: string, cls = ''): string {
  return `<span class="swatch ${cls}"><svg width="14" height="10" xmlns="http://www.w3.org/2000/svg"><rect width="14" height="10" fill="${color}"/></svg>${esc(label)}</span>`
}
