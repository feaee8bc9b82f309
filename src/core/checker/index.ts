/** The checker: invariants over a session's journal and sinks, after a run or live. */
export { checkSession, checkSessionDir, loadSession } from './check-session.js'
export { INVARIANT_CHECKS, judgeSession, type Evidence, type InvariantCheck, type JudgeInput } from './invariants.js'
export { LiveChecker, violationKey, type LiveCheckerOptions } from './live-checker.js'
export { analyzeSink, type SinkAnalysis } from './sink.js'
/** What a sink holds is the session folder's to say; the checker's input is made of it. */
export type { SinkRecord } from '../session-folder/index.js'
export * from './types.js'
