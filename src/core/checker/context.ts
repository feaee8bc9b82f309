/**
 * The evidence attached to a violation: the journal events around it that concern the workers (and
 * znodes) involved, a few before and a few after, so a reader sees what led to it without the noise.
 */
import { isEvent, LabEventTypes, ObserverEventTypes, type LabEvent } from '../../shared/events.js'

export const CONTEXT_BEFORE = 5
export const CONTEXT_AFTER = 5

export interface ContextScope {
  workers?: readonly string[]
  /** Znode paths (and everything under them) whose observer events count too. */
  paths?: readonly string[]
}

export function concerns(e: LabEvent, scope: ContextScope): boolean {
  // Plain output lines are in the process logs; the journal's typed events tell the story.
  if (e.type === LabEventTypes.log) return false
  const workers = scope.workers ?? []
  if (workers.includes(e.source)) return true
  if (e.source === 'lab' && 'name' in e && workers.includes(e.name)) return true
  if (isEvent(e, ObserverEventTypes.created, ObserverEventTypes.changed, ObserverEventTypes.deleted)) {
    const path = e.path
    return (scope.paths ?? []).some((p) => path === p || path.startsWith(p + '/'))
  }
  return false
}

/** Events of `scope` around the event numbered `anchorSeq` (included when it concerns the scope), in journal order. */
export function contextAround(
  events: readonly LabEvent[],
  anchorSeq: number | undefined,
  scope: ContextScope,
  before = CONTEXT_BEFORE,
  after = CONTEXT_AFTER,
): LabEvent[] {
  if (anchorSeq === undefined || events.length === 0) return []
  const pivot = lowerBound(events, anchorSeq)
  const earlier: LabEvent[] = []
  for (let i = pivot - 1; i >= 0 && earlier.length < before; i--)
    if (concerns(events[i], scope)) earlier.push(events[i])
  const later: LabEvent[] = []
  for (let i = pivot; i < events.length && later.length < after; i++) {
    if (concerns(events[i], scope) || events[i].seq === anchorSeq) later.push(events[i])
  }
  return [...earlier.reverse(), ...later]
}

/** The first index whose seq is at least `seq` (events are in seq order). */
function lowerBound(events: readonly LabEvent[], seq: number): number {
  let lo = 0
  let hi = events.length
  while (lo < hi) {
    const mid = (lo + hi) >> 1
    if (events[mid].seq < seq) lo = mid + 1
    else hi = mid
  }
  return lo
}
