import { emptyLabState, type LabState } from '../../../shared/lab-state.js'
import type { Slice } from '../app/store.js'

/** Where ingest (lab/ingest.ts) keeps its place in the event stream. */
export interface IngestSlice {
  /**
   * The renderer's copy of the lab state, mutated in place by the shared reducer. No panel reads it:
   * they read the copies ingest makes of what changed (cluster, tree, experiments).
   */
  labMirror: LabState
  /** Highest sequence number applied: batches are deduplicated against it. */
  lastSeq: number
}

/** Before the first event: what a new session, a reload and a test start from. */
export function emptyIngest(): IngestSlice {
  return { labMirror: emptyLabState(), lastSeq: 0 }
}

export const createIngestSlice: Slice<IngestSlice> = () => emptyIngest()
