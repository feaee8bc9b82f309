import { useEffect, useRef } from 'react'
import { useClock } from '../app/clock.js'
import { useStore } from '../app/store.js'
import { scrubToTime } from '../library/replay.js'
import { buildOption, chartHeight, cursorSeries, dataZoomOption, readColors } from './chart-option.js'
import { useChart } from './use-chart.js'
import { withHerds } from '../experiments/checker-model.js'
import { timelineModel } from './timeline-store.js'

/** A press that moves less than this is a click (move the replay), more is a pan. */
const CLICK_SLOP_PX = 4

/**
 * The leadership lanes and lastCommit of one task on one time axis. Follows live time until the user
 * zooms or pans; then the window stays where the user put it. In a replay it spans the whole past
 * session, with a cursor at the replay's position; a click on it moves the replay there.
 */
export function TimelineChart({ task, windowMs }: { task: string; windowMs: number | undefined }) {
  const programmatic = useRef(false)
  // Handlers read live values through refs and the store, so they are added once, with the chart.
  const { ref, chart } = useChart((instance) => {
    instance.on('datazoom', () => {
      if (!programmatic.current) useStore.getState().setTimelineFollow(false)
    })
    let down: [number, number] | undefined
    const zr = instance.getZr()
    zr.on('mousedown', (e) => {
      down = [e.offsetX, e.offsetY]
    })
    zr.on('click', (e) => {
      const from = down
      down = undefined
      if (!useStore.getState().replay || !from || Math.hypot(e.offsetX - from[0], e.offsetY - from[1]) > CLICK_SLOP_PX)
        return
      const point = [e.offsetX, e.offsetY]
      if (!instance.containPixel({ gridIndex: [0, 1] }, point)) return
      const time = instance.convertFromPixel({ xAxisIndex: 0 }, e.offsetX)
      if (Number.isFinite(time)) scrubToTime(time)
    })
  })
  const version = useStore((s) => s.timelineVersion)
  const theme = useStore((s) => s.theme)
  const follow = useStore((s) => s.timelineFollow)
  const replayEnd = useStore((s) => s.replay?.endTime)
  const cursor = useStore((s) => s.replay?.time)
  // Each failover's herd, drawn once the checker has graded the session.
  const breakdowns = useStore((s) => s.checkFailovers)
  const clock = useClock()
  // A replay's chart ends where the session did; the clock only moves a live one.
  const now = replayEnd ?? clock
  const lanes = timelineModel.tasks.get(task)?.workers.length ?? 0

  // A new task or theme: the whole option, zoom included.
  useEffect(() => {
    const instance = chart.current
    const t = timelineModel.tasks.get(task)
    if (!instance || !t) return
    const colors = readColors(ref.current!)
    programmatic.current = true
    instance.setOption(
      {
        ...buildOption(withHerds(t, useStore.getState().checkFailovers), Date.now(), colors),
        dataZoom: dataZoomOption(colors),
      },
      { notMerge: true },
    )
    programmatic.current = false
  }, [chart, ref, task, theme])

  // New events, the clock, or following switched on: data and (when following) the window.
  useEffect(() => {
    const instance = chart.current
    const t = timelineModel.tasks.get(task)
    if (!instance || !t) return
    const colors = readColors(ref.current!)
    const end = Math.max(now, t.lastTime)
    const option: Record<string, unknown> = buildOption(withHerds(t, breakdowns), end, colors, {
      cursor: useStore.getState().replay?.time,
    })
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
  }, [chart, ref, task, version, now, follow, windowMs, theme, breakdowns])

  // Only the replay cursor moved: merge its two series, leave the rest of the chart alone.
  useEffect(() => {
    const instance = chart.current
    const t = timelineModel.tasks.get(task)
    if (!instance || !ref.current || !t) return
    instance.setOption(
      { series: cursorSeries(cursor, readColors(ref.current), [t.firstTime, Math.max(now, t.lastTime)]) },
      { lazyUpdate: true },
    )
  }, [chart, ref, task, cursor, now])

  useEffect(() => {
    chart.current?.resize()
  }, [chart, lanes])

  return (
    <div
      ref={ref}
      className={`timeline-chart ${cursor !== undefined ? 'is-replay' : ''}`}
      style={{ height: chartHeight(lanes) }}
      role="img"
      aria-label={`Leadership lanes and lastCommit of ${task}`}
      data-cursor={cursor}
    />
  )
}
