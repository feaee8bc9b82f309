import type { Slice } from '../app/store.js'

export interface TimelineSlice {
  /** Moves once per frame in which the timeline model changed. */
  timelineVersion: number
  timelineTask?: string
  /** The chart's window follows live time until the user zooms or pans. */
  timelineFollow: boolean
  setTimelineTask(task: string): void
  setTimelineFollow(follow: boolean): void
}

export const createTimelineSlice: Slice<TimelineSlice> = (set) => ({
  timelineVersion: 0,
  timelineFollow: true,
  setTimelineTask: (timelineTask) => set({ timelineTask }),
  setTimelineFollow: (timelineFollow) => set({ timelineFollow }),
})
