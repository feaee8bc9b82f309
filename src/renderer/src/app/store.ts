import { create, type StateCreator } from 'zustand'
import { createConnectionSlice, type ConnectionSlice } from './connection-slice.js'
import { createUiSlice, type UiSlice } from './ui-slice.js'
import { createClusterSlice, type ClusterSlice } from '../cluster/cluster-slice.js'
import { createTreeSlice, type TreeSlice } from '../tree/tree-slice.js'
import { createLogsSlice, type LogsSlice } from '../logs/logs-slice.js'
import { createTimelineSlice, type TimelineSlice } from '../timeline/timeline-slice.js'
import { createAlertsSlice, type AlertsSlice } from '../alerts/alerts-slice.js'
import { createExperimentsSlice, type ExperimentsSlice } from '../experiments/experiments-slice.js'
import { createLibrarySlice, type LibrarySlice } from '../library/library-slice.js'
import { createIngestSlice, type IngestSlice } from '../lab/ingest-slice.js'
import { createSetupSlice, type SetupSlice } from '../setup/setup-slice.js'

/** The renderer's one store: a slice per feature, combined. */
export type Store = ConnectionSlice &
  UiSlice &
  ClusterSlice &
  TreeSlice &
  LogsSlice &
  TimelineSlice &
  AlertsSlice &
  ExperimentsSlice &
  LibrarySlice &
  IngestSlice &
  SetupSlice
export type Slice<T> = StateCreator<Store, [], [], T>

const createStore: StateCreator<Store> = (...a) => ({
  ...createConnectionSlice(...a),
  ...createUiSlice(...a),
  ...createClusterSlice(...a),
  ...createTreeSlice(...a),
  ...createLogsSlice(...a),
  ...createTimelineSlice(...a),
  ...createAlertsSlice(...a),
  ...createExperimentsSlice(...a),
  ...createLibrarySlice(...a),
  ...createIngestSlice(...a),
  ...createSetupSlice(...a),
})

export const useStore = create<Store>()(createStore)

/** Back to a fresh store (tests, and a new session): every slice's initial state, built anew. */
export function resetStore(): void {
  useStore.setState(createStore(useStore.setState, useStore.getState, useStore), true)
}
