import { useEffect, useRef, type RefObject } from 'react'
import { echarts, type EChartsType } from './echarts.js'

/**
 * An ECharts instance on the returned element for the component's life: resized with the element,
 * disposed on unmount. `setup` adds event handlers once, when it is created.
 */
export function useChart(setup?: (instance: EChartsType) => void): {
  ref: RefObject<HTMLDivElement | null>
  chart: RefObject<EChartsType | undefined>
} {
  const ref = useRef<HTMLDivElement>(null)
  const chart = useRef<EChartsType | undefined>(undefined)
  const setupOnce = useRef(setup)
  useEffect(() => {
    const el = ref.current!
    const instance = echarts.init(el, undefined, { renderer: 'canvas' })
    chart.current = instance
    setupOnce.current?.(instance)
    const resize = new ResizeObserver(() => instance.resize())
    resize.observe(el)
    return () => {
      resize.disconnect()
      instance.dispose()
      chart.current = undefined
    }
  }, [])
  return { ref, chart }
}
