/**
 * A binlog task's backup lag over the run (the backup-lag verdict's series) as an ECharts option:
 * drawn under the task's leadership timeline, on the same time axis and margins, with each
 * failover's gap shaded and each kill or stop of a primary marked, so a lag peak lines up with the
 * takeover that caused it. One definition for the app's canvas and the report's inline SVG.
 */
import type { LagSeries } from '../checker-report.js'
import {
  GRID_LEFT,
  GRID_RIGHT,
  plusSeconds,
  type ChartColors,
  type ChartExtras,
  type ChartFormat,
  type TimelineChartData,
} from './timeline-option.js'

/** What the lag chart draws: the series (times on the timeline's axis) and the timeline's failovers and faults. */
export interface BackupLagChartData {
  /** [time, worst lag in ms, transactions] per bucket of source commit time. */
  points: Array<[number, number, number]>
  failovers: TimelineChartData['failovers']
  faults: TimelineChartData['faults']
  firstTime: number
  lastTime: number
}

export const LAG_CHART_HEIGHT = 150

/** The series with its times moved to the timeline's origin (the report's and a stacked chart's ms since the start). */
export function lagPoints(series: LagSeries, origin = 0): BackupLagChartData['points'] {
  return series.points.map((p) => [p.time - origin, p.maxMs, p.transactions])
}

export function backupLagOption(
  t: BackupLagChartData,
  now: number,
  colors: ChartColors,
  format: ChartFormat,
  extras: Pick<ChartExtras, 'relative'> = {},
) {
  const at = (ms: number) => (extras.relative ? plusSeconds(ms) : format.time(ms))
  const xAxis = extras.relative
    ? { type: 'value' as const, min: 0, max: extras.relative.span }
    : { type: 'time' as const, min: t.firstTime, max: Math.max(now, t.lastTime) }
  const gaps = t.failovers
    .filter((f) => f.firstCommitMs !== undefined)
    .map((f) => [{ xAxis: f.faultTime }, { xAxis: f.faultTime + f.firstCommitMs! }])
  return {
    animation: false,
    backgroundColor: 'transparent',
    textStyle: { color: colors.text },
    tooltip: {
      trigger: 'item' as const,
      formatter: (p: { value?: unknown[] }) => {
        const v = p.value ?? []
        return `backup lag up to <b>${format.duration(v[1] as number)}</b><br/>${String(v[2])} transaction(s) committed from ${at(v[0] as number)}`
      },
    },
    grid: [{ top: 30, left: GRID_LEFT, right: GRID_RIGHT, bottom: 28, outerBoundsMode: 'none' as const }],
    xAxis: [
      {
        ...xAxis,
        axisLine: { lineStyle: { color: colors.axis } },
        axisLabel: {
          color: colors.muted,
          hideOverlap: true,
          ...(extras.relative ? { formatter: (v: number) => plusSeconds(v, 0) } : {}),
        },
        splitLine: { show: true, lineStyle: { color: colors.grid } },
      },
    ],
    yAxis: [
      {
        type: 'value' as const,
        name: 'backup lag',
        nameTextStyle: { color: colors.muted, align: 'right' as const },
        min: 0,
        axisLabel: { color: colors.muted, formatter: (v: number) => format.duration(v) },
        splitLine: { lineStyle: { color: colors.grid } },
      },
    ],
    series: [
      {
        id: 'backup-lag',
        type: 'line' as const,
        step: 'end' as const,
        showSymbol: t.points.length < 60,
        symbolSize: 4,
        sampling: 'lttb' as const,
        lineStyle: { color: colors.commit, width: 1.5 },
        itemStyle: { color: colors.commit },
        areaStyle: { color: colors.commit, opacity: 0.08 },
        data: t.points,
        markArea: { silent: true, itemStyle: { color: colors.gap }, data: gaps },
        markLine: {
          silent: true,
          symbol: 'none',
          lineStyle: { color: colors.fault, type: 'dashed' as const, width: 1 },
          label: { show: false },
          data: t.faults
            .filter((f) => !f.teardown && f.wasPrimary && f.action !== 'resume' && f.action !== 'heal')
            .map((f) => ({ xAxis: f.time })),
        },
      },
    ],
  }
}
