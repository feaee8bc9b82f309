import type { SessionComparison, SessionSummary } from '../../../shared/api.js'
import type { Slice } from '../app/store.js'
import type { TaskTimeline } from '../timeline/timeline-model.js'
import type { ReplayMarker } from './replay-index.js'

export type ReportFormat = 'html' | 'json' | 'pdf'
export const REPORT_FORMATS: readonly ReportFormat[] = ['html', 'json', 'pdf']

/** A past session shown read-only in the lab's own panels, at one position of its journal. */
export interface ReplayView {
  dir: string
  name: string
  summary: SessionSummary
  /** Events in the journal. */
  total: number
  /** Events applied: the state shown is the one after the first `position` events. */
  position: number
  /** Seq of the last event applied (0 before the first). */
  seq: number
  /** The instant shown (ms since the epoch). */
  time: number
  startTime: number
  endTime: number
  markers: readonly ReplayMarker[]
  /** Journal lines that could not be read (a torn last line of a killed lab, say). */
  problems: Array<{ line: number; message: string }>
  /** The live view's session when the replay began, and whether it was still open: it cannot be deleted. */
  liveDir?: string
  liveOpen: boolean
}

export interface ExportState {
  busy: boolean
  paths?: Partial<Record<ReportFormat, string>>
  error?: string
}

/** Sessions side by side: the checker's comparison plus each one's leadership lanes. */
export interface ComparisonView {
  dirs: string[]
  loading: boolean
  error?: string
  results?: SessionComparison[]
  /** Per session folder, its tasks' timelines (read-only, built from its journal). */
  timelines?: Record<string, TaskTimeline[]>
}

export interface LibrarySlice {
  /** The folder the lab lists and writes sessions to. */
  sessionsDir?: string
  /** Newest first; undefined until listed. */
  sessions?: SessionSummary[]
  libraryLoading: boolean
  libraryError?: string
  replay?: ReplayView
  /** The folder being read for a replay. */
  replayOpening?: string
  replayError?: string
  /** Live events that arrived while replaying (not applied: Back to live reloads). */
  liveMissed: number
  /** Folders ticked for Compare. */
  compareSelection: string[]
  comparison?: ComparisonView
  libraryView: 'list' | 'compare'
  exportFormats: ReadonlySet<ReportFormat>
  exports: Record<string, ExportState>
  toggleCompare(dir: string): void
  setLibraryView(view: 'list' | 'compare'): void
  toggleExportFormat(format: ReportFormat): void
}

/** Sessions a comparison takes (the API's limit). */
export const MAX_COMPARE = 8

export const createLibrarySlice: Slice<LibrarySlice> = (set) => ({
  libraryLoading: false,
  liveMissed: 0,
  compareSelection: [],
  libraryView: 'list',
  exportFormats: new Set(REPORT_FORMATS),
  exports: {},
  toggleCompare: (dir) =>
    set((s) => {
      if (s.compareSelection.includes(dir)) return { compareSelection: s.compareSelection.filter((d) => d !== dir) }
      if (s.compareSelection.length >= MAX_COMPARE) return {}
      return { compareSelection: [...s.compareSelection, dir] }
    }),
  setLibraryView: (libraryView) => set({ libraryView }),
  toggleExportFormat: (format) =>
    set((s) => {
      const next = new Set(s.exportFormats)
      if (next.has(format)) {
        if (next.size > 1) next.delete(format)
      } else next.add(format)
      return { exportFormats: next }
    }),
})
