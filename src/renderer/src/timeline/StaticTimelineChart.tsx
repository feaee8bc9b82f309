import { useEffect } from 'react'
import { useStore } from '../app/store.js'
import { buildOption, chartHeight, NO_SLIDER_PX, readColors } from './chart-option.js'
import { useChart } from './use-chart.js'
import type { TaskTimeline } from './timeline-model.js'

/**
 * One task's lanes and lastCommit, read-only, with times as ms since the task's first worker started
 * and an axis `span` ms long: charts stacked with the same span line sessions up on one scale.
 */
export function StaticTimelineChart({
  timeline,
  span,
  label,
}: {
  timeline: TaskTimeline
  span: number
  label: string
}) {
  const { ref, chart } = useChart()
  const theme = useStore((s) => s.theme)

  useEffect(() => {
    const instance = chart.current
    if (!instance) return
    const colors = readColors(ref.current!)
    instance.setOption(buildOption(timeline, timeline.lastTime, colors, { relative: { span } }), { notMerge: true })
  }, [chart, ref, timeline, span, theme])

  return (
    <div
      ref={ref}
      className="timeline-chart"
      style={{ height: chartHeight(timeline.workers.length) - NO_SLIDER_PX }}
      role="img"
      aria-label={label}
    />
  )
}
