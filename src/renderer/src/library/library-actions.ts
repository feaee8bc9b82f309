/** The library's calls to the Lab API, and what each leaves in the store. */
import { useStore } from '../app/store.js'
import { errorText } from '../lab/actions.js'
import { lab } from '../lab/connection.js'
import { TimelineModel, type TaskTimeline } from '../timeline/timeline-model.js'
import { openReplay } from './replay.js'

let listToken = 0

export async function refreshLibrary(): Promise<void> {
  const token = ++listToken
  useStore.setState({ libraryLoading: true })
  try {
    const { sessionsDir, sessions } = await lab().listSessions()
    if (token !== listToken) return
    const present = new Set(sessions.map((s) => s.dir))
    useStore.setState((s) => ({
      sessionsDir,
      sessions,
      libraryError: undefined,
      // Ticks of folders that are gone (deleted, another sessions folder) would compare nothing.
      compareSelection: s.compareSelection.filter((d) => present.has(d)),
    }))
  } catch (err) {
    if (token === listToken) useStore.setState({ libraryError: `Could not list the sessions: ${errorText(err)}` })
  } finally {
    if (token === listToken) useStore.setState({ libraryLoading: false })
  }
}

/**
 * The shell's folder dialog (Electron): the chosen folder becomes the library; a session folder chosen
 * makes its parent the library and is replayed. False when the user cancelled.
 */
export async function chooseSessionsFolder(): Promise<boolean> {
  const chosen = await lab().chooseSessionsFolder()
  if (!chosen) return false
  useStore.setState({ compareSelection: [], sessions: undefined })
  await refreshLibrary()
  if (chosen.session) await replaySession(chosen.session)
  return true
}

export async function renameSession(dir: string, name: string): Promise<void> {
  const summary = await lab().renameSession({ dir, name })
  useStore.setState((s) => ({
    sessions: s.sessions?.map((x) => (x.dir === dir ? summary : x)),
    // The banner names the replayed session too.
    ...(s.replay?.dir === dir ? { replay: { ...s.replay, name: summary.name, summary } } : {}),
  }))
}

export async function deleteSession(dir: string): Promise<void> {
  await lab().deleteSession({ dir })
  useStore.setState((s) => {
    const { [dir]: _gone, ...exports } = s.exports
    return {
      sessions: s.sessions?.filter((x) => x.dir !== dir),
      compareSelection: s.compareSelection.filter((d) => d !== dir),
      exports,
    }
  })
}

export async function exportSessionReport(dir: string): Promise<void> {
  const formats = [...useStore.getState().exportFormats]
  const set = (state: { busy: boolean; paths?: Partial<Record<'html' | 'json' | 'pdf', string>>; error?: string }) =>
    useStore.setState((s) => ({ exports: { ...s.exports, [dir]: state } }))
  set({ busy: true })
  try {
    set({ busy: false, paths: await lab().exportReport({ dir, formats }) })
  } catch (err) {
    set({ busy: false, error: errorText(err) })
  }
}

/** Opens a session folder of the library read-only; the view moves to the timeline. */
export async function replaySession(dir: string): Promise<boolean> {
  const opened = await openReplay(dir, (d) => lab().readSession({ dir: d }))
  const s = useStore.getState()
  if (opened) s.setMainTab('timeline')
  else if (s.replayError) s.pushToast({ kind: 'error', title: 'Replay', message: s.replayError, time: Date.now() })
  return opened
}

let compareToken = 0

/** The checker's comparison and, from each journal, its tasks' lanes for the stacked charts. */
export async function compareSelected(): Promise<void> {
  const dirs = [...useStore.getState().compareSelection]
  if (dirs.length < 2) return
  const token = ++compareToken
  useStore.setState({ comparison: { dirs, loading: true }, libraryView: 'compare' })
  try {
    const [results, ...journals] = await Promise.all([
      lab().compareSessions({ dirs }),
      ...dirs.map((dir) => lab().readSession({ dir })),
    ])
    if (token !== compareToken) return
    const timelines: Record<string, TaskTimeline[]> = {}
    dirs.forEach((dir, i) => {
      const model = new TimelineModel()
      model.applyAll(journals[i].events)
      timelines[dir] = [...model.tasks.values()].sort((a, b) => a.task.localeCompare(b.task))
    })
    useStore.setState({ comparison: { dirs, loading: false, results, timelines } })
  } catch (err) {
    if (token === compareToken) useStore.setState({ comparison: { dirs, loading: false, error: errorText(err) } })
  }
}
