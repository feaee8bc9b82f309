/** The checker: invariants over a session's journal and sinks, after a run or live. */
export { checkSession, checkSessionDir, loadSession, readSinks } from './check-session.js'
export { INVARIANT_CHECKS, judgeSession, type Evidence, type InvariantCheck, type JudgeInput } from './invariants.js'
export { LiveChecker, violationKey, type LiveCheckerOptions } from './live-checker.js'
export { analyzeSink, readSink, type SinkAnalysis, type SinkRecord } from './sink.js'
export * from './types.js'
