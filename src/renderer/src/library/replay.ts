/**
 * Read-only replay of a past session in the lab's own panels. The journal goes through the same
 * ingest path as live events, into the same store, while the live subscription is paused
 * (lab/live-gate.ts); "Back to live" reopens the gate and the connection reloads the live view.
 *
 * Scrubbing: a step forward feeds the events in between through `ingest`, exactly as live batches
 * arrive. A step back, or a long jump, takes the state at the new position from the replay index
 * (nearest kept snapshot + the shared reducer) and loads it with `loadHistory`, as a window opened
 * mid-session would; the log buffers get the lines up to that position. The timeline holds the whole
 * session throughout and only its cursor moves.
 */
import type { SessionSummary } from '../../../shared/api.js'
import type { LabEvent } from '../../../shared/events.js'
import { useStore } from '../app/store.js'
import { beginNewSession, ingest, loadHistory } from '../lab/ingest.js'
import { pauseLive, resumeLive } from '../lab/live-gate.js'
import { timelineModel } from '../timeline/timeline-store.js'
import { ReplayIndex, type MarkerKind } from './replay-index.js'

/**
 * A forward move up to this many events is fed through `ingest` like live batches; beyond it, loading
 * the state from the index is cheaper than reducing every event in between into the store's copies.
 */
export const FORWARD_BY_INGEST = 2000

let index: ReplayIndex | undefined
/** Events the store holds (the position shown). */
let shown = 0
/** Moves on every open and on Back to live: a read that comes back late is dropped. */
let openToken = 0
let pendingScrub: number | undefined
let scrubFrame = 0

/** The index of the replay shown (undefined when live). */
export function replayIndex(): ReplayIndex | undefined {
  return index
}

/**
 * Shows a journal that has been read: pauses live, resets the view, builds the index and the whole
 * timeline, and opens at the end (how the session ended). Transport-free, so tests call it directly.
 */
export function enterReplay(
  summary: SessionSummary,
  events: LabEvent[],
  problems: Array<{ line: number; message: string }> = [],
): void {
  const before = useStore.getState()
  // Replaying one session after another: the live session is still the one from before the first.
  const liveDir = before.replay ? before.replay.liveDir : before.session?.dir
  const liveOpen = before.replay
    ? before.replay.liveOpen
    : before.session !== undefined && before.sessionPhase !== 'closed'
  pauseLive()
  cancelScrub()
  const next = new ReplayIndex(events)
  index = next
  shown = 0
  beginNewSession()
  timelineModel.applyAll(events)
  const s = useStore.getState()
  useStore.setState({
    timelineVersion: s.timelineVersion + 1,
    timelineTask: [...timelineModel.tasks.keys()].sort()[0],
    timelineFollow: true,
    replay: {
      dir: summary.dir,
      name: summary.name,
      summary,
      total: next.length,
      position: 0,
      seq: 0,
      time: next.startTime,
      startTime: next.startTime,
      endTime: next.endTime,
      markers: next.markers,
      problems,
      ...(liveDir ? { liveDir } : {}),
      liveOpen,
    },
    replayError: undefined,
  })
  scrubTo(next.length)
}

/** Shows the session as it was after the first `count` events. */
export function scrubTo(count: number): void {
  const idx = index
  if (!idx) return
  const n = idx.clamp(count)
  if (n !== shown) {
    if (n > shown && n - shown <= FORWARD_BY_INGEST) {
      ingest(idx.events.slice(shown, n), { replay: true })
    } else {
      beginNewSession({ rewind: true })
      loadHistory(idx.stateAt(n), idx.events.slice(0, n), { replay: true })
    }
    shown = n
  }
  const replay = useStore.getState().replay
  if (replay && replay.position !== n) {
    useStore.setState({
      replay: { ...replay, position: n, seq: n > 0 ? idx.events[n - 1].seq : 0, time: idx.timeOf(n) },
    })
  }
}

/** The position at an instant: the slider and clicks on the chart speak time. */
export function scrubToTime(time: number): void {
  if (index) scrubTo(index.countAt(time))
}

/** Coalesces a dragged slider to one scrub per animation frame. */
export function requestScrub(count: number): void {
  pendingScrub = count
  if (scrubFrame) return
  scrubFrame = requestAnimationFrame(() => {
    scrubFrame = 0
    const target = pendingScrub
    pendingScrub = undefined
    if (target !== undefined) scrubTo(target)
  })
}

function cancelScrub(): void {
  if (scrubFrame) cancelAnimationFrame(scrubFrame)
  scrubFrame = 0
  pendingScrub = undefined
}

/** Next (+1) or previous (−1) marker of the given kinds; stays put when there is none. */
export function jumpToMarker(direction: 1 | -1, kinds?: ReadonlySet<MarkerKind>): void {
  if (!index) return
  const marker = direction > 0 ? index.nextMarker(shown, kinds) : index.previousMarker(shown, kinds)
  if (marker) scrubTo(marker.count)
}

/** Leaves the replay: the live gate opens and the connection reloads the live view from the lab. */
export function closeReplay(): void {
  openToken++
  cancelScrub()
  index = undefined
  shown = 0
  useStore.setState({ replay: undefined, replayOpening: undefined })
  beginNewSession()
  resumeLive()
}

/** Reads a session folder through the Lab API and replays it. */
export async function openReplay(
  dir: string,
  read: (
    dir: string,
  ) => Promise<{ summary: SessionSummary; events: LabEvent[]; problems: Array<{ line: number; message: string }> }>,
): Promise<boolean> {
  const token = ++openToken
  useStore.setState({ replayOpening: dir, replayError: undefined })
  try {
    const { summary, events, problems } = await read(dir)
    if (token !== openToken) return false
    enterReplay(summary, events, problems)
    return true
  } catch (err) {
    if (token === openToken)
      useStore.setState({ replayError: (err instanceof Error ? err.message : String(err)).replace(/^Error: /, '') })
    return false
  } finally {
    if (token === openToken) useStore.setState({ replayOpening: undefined })
  }
}
