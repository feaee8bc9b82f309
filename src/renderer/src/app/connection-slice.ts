import type { Slice } from './store.js'

export type ConnectionState = 'connecting' | 'open' | 'closed'

export interface ConnectionSlice {
  shell?: 'electron' | 'browser'
  connection: ConnectionState
  /** History has been loaded; before that panels show a loading state, not an empty lab. */
  loaded: boolean
  loadError?: string
}

export const createConnectionSlice: Slice<ConnectionSlice> = () => ({
  connection: 'connecting',
  loaded: false,
})
