import { useEffect, useRef } from 'react'
import { useClock } from '../app/clock'
import { useStore } from '../app/store'
import { buildOption, chartHeight, dataZoomOption, readColors } from './chart-option'
import { echarts, type EChartsType } from './echarts'
import { timelineModel } from './timeline-store'

/**
 * The leadership lanes and lastCommit of one task on one time axis. Follows live time until the user
 * zooms or pans; then the window stays where the user put it.
 */
export function TimelineChart({ task, windowMs }: { task: string; windowMs: number | undefined }) {
  const ref = useRef<HTMLDivElement>(null)
  const chart = useRef<EChartsType | undefined>(undefined)
  const programmatic = useRef(false)
  const version = useStore((s) => s.timelineVersion)
  const theme = useStore((s) => s.theme)
  const follow = useStore((s) => s.timelineFollow)
  const now = useClock()
  const lanes = timelineModel.tasks.get(task)?.workers.length ?? 0

  useEffect(() => {
    const el = ref.current!
    const instance = echarts.init(el, undefined, { renderer: 'canvas' })
    chart.current = instance
    instance.on('datazoom', () => {
      if (!programmatic.current) useStore.getState().setTimelineFollow(false)
    })
    const resize = new ResizeObserver(() => instance.resize())
    resize.observe(el)
    return () => {
      resize.disconnect()
      instance.dispose()
      chart.current = undefined
    }
  }, [])

  // A new task or theme: the whole option, zoom included.
  useEffect(() => {
    const instance = chart.current
    const t = timelineModel.tasks.get(task)
    if (!instance || !t) return
    const colors = readColors(ref.current!)
    programmatic.current = true
    instance.setOption({ ...buildOption(t, Date.now(), colors), dataZoom: dataZoomOption(colors) }, { notMerge: true })
    programmatic.current = false
  }, [task, theme])

  // New events, the clock, or following switched on: data and (when following) the window.
  useEffect(() => {
    const instance = chart.current
    const t = timelineModel.tasks.get(task)
    if (!instance || !t) return
    const colors = readColors(ref.current!)
    const end = Math.max(now, t.lastTime)
    const option: Record<string, unknown> = buildOption(t, end, colors)
    if (follow) {
      const start = windowMs === undefined ? t.firstTime : Math.max(t.firstTime, end - windowMs)
      option.dataZoom = [
        { id: 'inside', startValue: start, endValue: end },
        { id: 'slider', startValue: start, endValue: end },
      ]
    }
    programmatic.current = true
    instance.setOption(option, { replaceMerge: ['series'], lazyUpdate: true })
    programmatic.current = false
  }, [task, version, now, follow, windowMs])

  useEffect(() => {
    chart.current?.resize()
  }, [lanes])

  return <div ref={ref} className="timeline-chart" style={{ height: chartHeight(lanes) }} role="img" aria-label={`Leadership lanes and lastCommit of ${task}`} />
}
