import { formatDuration, formatTime } from '../app/format.js'
import { backupLagOption, type BackupLagChartData } from '../../../shared/charts/backup-lag.js'
import {
  cursorSeries as sharedCursorSeries,
  dataZoomOption as sharedDataZoomOption,
  timelineOption,
  type ChartColors,
  type ChartExtras,
  type TimelineChartData,
} from '../../../shared/charts/timeline-option.js'

// The option itself is shared with the HTML report (src/shared/charts); the app adds its theme and clock.
export {
  chartHeight,
  COMMIT_HEIGHT,
  LANE_HEIGHT,
  NO_SLIDER_PX,
  relativeTimeline,
  type ChartColors,
  type ChartExtras,
} from '../../../shared/charts/timeline-option.js'

/** The app writes instants as the wall clock, to the millisecond. */
const APP_FORMAT = { time: formatTime, duration: formatDuration }

/** Reads the palette from CSS variables, so the chart follows the theme. */
export function readColors(el: Element): ChartColors {
  const css = getComputedStyle(el)
  const v = (name: string) => css.getPropertyValue(name).trim()
  return {
    text: v('--text'),
    muted: v('--text-muted'),
    grid: v('--border-subtle'),
    axis: v('--border'),
    lanes: {
      starting: v('--role-starting'),
      standby: v('--role-standby'),
      primary: v('--role-primary'),
      paused: v('--status-paused'),
      dead: v('--status-dead'),
    },
    fault: v('--status-crashed'),
    gap: v('--gap-fill'),
    gapText: v('--gap-text'),
    commit: v('--accent'),
    panel: v('--panel'),
    herd: v('--warn'),
  }
}

/** The full option for one task: lanes, fault markers, failover gaps and the lastCommit line. */
export function buildOption(t: TimelineChartData, now: number, colors: ChartColors, extras: ChartExtras = {}) {
  return timelineOption(t, now, colors, APP_FORMAT, extras)
}

export function cursorSeries(cursor: number | undefined, colors: ChartColors, range?: [number, number]) {
  return sharedCursorSeries(cursor, colors, APP_FORMAT, range)
}

export function dataZoomOption(colors: ChartColors, extras: ChartExtras = {}) {
  return sharedDataZoomOption(colors, APP_FORMAT, extras)
}

/** A binlog task's backup lag on the timeline's time axis (the report draws the same option). */
export function buildLagOption(t: BackupLagChartData, now: number, colors: ChartColors) {
  return backupLagOption(t, now, colors, APP_FORMAT)
}
