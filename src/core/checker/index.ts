/** The checker: invariants over a session's journal and sinks, after a run or live. */
export { checkSession, checkSessionDir, loadSession, readSinks } from './check-session.js'
export { LiveChecker, violationKey, type LiveCheckerOptions } from './live-checker.js'
export { analyzeSink, readSink, type SinkAnalysis, type SinkRecord } from './sink.js'
export * from './types.js'
