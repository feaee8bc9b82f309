import type { EventLevel } from '../../../shared/events.js'
import type { Slice } from '../app/store.js'
import { MERGED } from './log-store.js'

export const LEVELS: readonly EventLevel[] = ['debug', 'info', 'warn', 'error']

export interface LogsSlice {
  /** Moves once per frame in which lines arrived; the lines themselves live in logBuffers. */
  logsVersion: number
  logSources: string[]
  logSource: string
  logQuery: string
  logRegex: boolean
  logCaseSensitive: boolean
  logLevels: ReadonlySet<EventLevel>
  /** Processes hidden from the merged view. */
  logHidden: ReadonlySet<string>
  logTimestamps: boolean
  logWrap: boolean
  logFollow: boolean
  setLogSource(source: string): void
  setLogQuery(query: string): void
  setLogOptions(
    options: Partial<Pick<LogsSlice, 'logRegex' | 'logCaseSensitive' | 'logTimestamps' | 'logWrap' | 'logFollow'>>,
  ): void
  toggleLogLevel(level: EventLevel): void
  toggleLogHidden(source: string): void
  bumpLogs(): void
}

/** A new session's logs: no process has written yet (the lines themselves live in logBuffers). */
export function emptySessionLogs(): Pick<LogsSlice, 'logSources'> {
  return { logSources: [] }
}

/** What the user looks at, back to the start in another session (kept when a replay rewinds the same one). */
export function logViewStart(): Pick<LogsSlice, 'logSource' | 'logFollow'> {
  return { logSource: MERGED, logFollow: true }
}

export const createLogsSlice: Slice<LogsSlice> = (set) => ({
  logsVersion: 0,
  ...emptySessionLogs(),
  ...logViewStart(),
  logQuery: '',
  logRegex: false,
  logCaseSensitive: false,
  logLevels: new Set(LEVELS),
  logHidden: new Set(),
  logTimestamps: true,
  logWrap: false,
  setLogSource: (logSource) => set({ logSource, logFollow: true }),
  setLogQuery: (logQuery) => set({ logQuery }),
  setLogOptions: (options) => set(options),
  toggleLogLevel: (level) =>
    set((s) => {
      const next = new Set(s.logLevels)
      if (next.has(level)) next.delete(level)
      else next.add(level)
      return { logLevels: next }
    }),
  toggleLogHidden: (source) =>
    set((s) => {
      const next = new Set(s.logHidden)
      if (next.has(source)) next.delete(source)
      else next.add(source)
      return { logHidden: next }
    }),
  bumpLogs: () => set((s) => ({ logsVersion: s.logsVersion + 1 })),
})
