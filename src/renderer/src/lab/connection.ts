import type { LabEvent } from '../../../shared/events.js'
import { connectLab, type LabClient } from '../lab-client.js'
import { useStore } from '../app/store.js'
import { beginNewSession, currentSessionDir, ingest, lastAppliedSeq, loadHistory } from './ingest.js'
import { livePaused, onLiveGate } from './live-gate.js'

/** Events asked for when a view opens: as much as the lab keeps in memory. */
const HISTORY_LIMIT = 50_000
/** rAF does not run in a hidden window; this keeps a background tab's queue from growing. */
const HIDDEN_FLUSH_MS = 250
/** A failed history load is tried again after this long while the connection stays open. */
const RETRY_LOAD_MS = 2000

let client: LabClient | undefined

/** The lab, through whichever shell this renderer runs in. */
export function lab(): LabClient {
  client ??= connectLab()
  return client
}

/**
 * Wires the lab's event stream into the store: history first (snapshot + recent events), then live
 * batches, applied at most once per animation frame in one store update.
 */
export function startLabConnection(): () => void {
  const c = lab()
  useStore.setState({ shell: c.shell })
  const queue: LabEvent[][] = []
  let ready = false
  let frame = 0
  let timer: ReturnType<typeof setTimeout> | undefined
  let loadedOnce = false
  let open = false
  let retry: ReturnType<typeof setTimeout> | undefined
  /** Moves when a replay takes the store or gives it back: a load begun before then is abandoned. */
  let generation = 0

  const flush = () => {
    if (frame) cancelAnimationFrame(frame)
    if (timer) clearTimeout(timer)
    frame = 0
    timer = undefined
    if (livePaused()) queue.length = 0
    if (!ready || queue.length === 0) return
    ingest(queue.splice(0).flat(), { live: true })
  }
  const schedule = () => {
    if (!ready || frame || timer) return
    frame = requestAnimationFrame(flush)
    timer = setTimeout(flush, HIDDEN_FLUSH_MS)
  }

  const load = async () => {
    if (livePaused()) return
    const mine = generation
    ready = false
    try {
      const snapshot = await c.snapshot()
      if (mine !== generation) return
      // The lab moved on to another session while we were away (or the bridge was restarted): start over.
      const other = snapshot.session?.dir !== currentSessionDir()
      if (loadedOnce && other) beginNewSession()
      const recent = await c.recentEvents({ afterSeq: lastAppliedSeq(), limit: HISTORY_LIMIT })
      if (mine !== generation) return
      if (!loadedOnce || other) loadHistory(snapshot, recent)
      else ingest(recent)
      loadedOnce = true
      useStore.setState({ loadError: undefined })
      ready = true
      schedule()
    } catch (err) {
      if (mine !== generation) return
      useStore.setState({ loadError: `Could not load the lab's state: ${(err as Error).message}` })
      retry = setTimeout(() => {
        if (open) void load()
      }, RETRY_LOAD_MS)
    }
  }

  const unsubscribe = c.subscribe((batch) => {
    if (livePaused()) {
      // Not kept: Back to live reloads from the lab. The banner only says the lab moved on.
      useStore.setState((s) => ({ liveMissed: s.liveMissed + batch.length }))
      return
    }
    queue.push(batch)
    schedule()
  })
  const offGate = onLiveGate((paused) => {
    generation++
    queue.length = 0
    ready = false
    if (paused) return
    // Back to live: the store still shows the replay; start over from the lab's state, as a new window would.
    loadedOnce = false
    beginNewSession()
    useStore.setState({ loaded: false, liveMissed: 0 })
    if (open) void load()
  })
  const offConnection = c.onConnection((state) => {
    useStore.setState({ connection: state })
    open = state === 'open'
    // On every (re)connection: catch up on what was missed while the bridge was down.
    if (state === 'open') void load()
  })
  return () => {
    unsubscribe()
    offGate()
    offConnection()
    if (frame) cancelAnimationFrame(frame)
    if (timer) clearTimeout(timer)
    if (retry) clearTimeout(retry)
  }
}
