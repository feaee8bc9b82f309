import { useEffect } from 'react'
import { LAG_CHART_HEIGHT, lagPoints } from '../../../shared/charts/backup-lag.js'
import type { LagSeries } from '../../../shared/checker-report.js'
import { useStore } from '../app/store.js'
import { buildLagOption, readColors } from './chart-option.js'
import { useChart } from './use-chart.js'
import { timelineModel } from './timeline-store.js'

/**
 * A binlog task's backup lag over the session (the backup-lag verdict's series, once the session is
 * graded), under its leadership timeline on the same clock: failover gaps shaded, faults that hit the
 * primary dashed. It spans the whole session; it does not follow the timeline's zoom.
 */
export function BackupLagChart({ task, series, summary }: { task: string; series: LagSeries; summary: string }) {
  const { ref, chart } = useChart()
  const theme = useStore((s) => s.theme)
  const version = useStore((s) => s.timelineVersion)

  useEffect(() => {
    const instance = chart.current
    const timeline = timelineModel.tasks.get(task)
    if (!instance) return
    const points = lagPoints(series)
    const firstTime = Math.min(timeline?.firstTime ?? Infinity, points[0]?.[0] ?? Infinity)
    const lastTime = Math.max(timeline?.lastTime ?? 0, points.at(-1)?.[0] ?? 0)
    const option = buildLagOption(
      {
        points,
        failovers: timeline?.failovers ?? [],
        faults: timeline?.faults ?? [],
        firstTime: Number.isFinite(firstTime) ? firstTime : 0,
        lastTime,
      },
      lastTime,
      readColors(ref.current!),
    )
    instance.setOption(option, { notMerge: true })
  }, [chart, ref, task, series, theme, version])

  return (
    <figure className="backup-lag" data-testid="backup-lag-chart" data-task={task}>
      <div
        ref={ref}
        className="timeline-chart"
        style={{ height: LAG_CHART_HEIGHT }}
        role="img"
        aria-label={`Backup lag of ${task}`}
      />
      <figcaption className="hint small">
        Backup lag: for the source transactions committed in each {series.bucketMs / 1000} s, the worst time from the
        source&apos;s commit to the first backup write. {summary}
      </figcaption>
    </figure>
  )
}
