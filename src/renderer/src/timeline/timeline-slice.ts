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

/** What the user looks at, back to the start in another session (kept when a replay rewinds the same one). */
export function timelineViewStart(): Pick<TimelineSlice, 'timelineTask' | 'timelineFollow'> {
  return { timelineTask: undefined, timelineFollow: true }
}

export const createTimelineSlice: Slice<TimelineSlice> = (set) => ({
  timelineVersion: 0,
  ...timelineViewStart(),
  setTimelineTask: (timelineTask) => set({ timelineTask }),
  setTimelineFollow: (timelineFollow) => set({ timelineFollow }),
})
