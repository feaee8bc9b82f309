import { TimelineModel } from './timeline-model.js'

/** The session's leadership timeline, outside React; the timeline slice's version says when it moved. */
export const timelineModel = new TimelineModel()
