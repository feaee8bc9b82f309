import { create } from 'zustand'

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
