import { create } from 'zustand'
import { useStore } from './store.js'

/** One shared 1 s tick for uptimes and live chart edges, instead of a timer per row. */
export const useClock = create<number>(() => Date.now())

let timer: ReturnType<typeof setInterval> | undefined

export function startClock(): () => void {
  timer ??= setInterval(() => useClock.setState(Date.now(), true), 1000)
  return () => {
    if (timer) clearInterval(timer)
    timer = undefined
  }
}

/** "Now" as the views count uptimes and elapsed times: the clock, or in a replay the moment replayed. */
export function useNow(): number {
  const clock = useClock()
  const replayed = useStore((s) => s.replay?.time)
  return replayed ?? clock
}
