/**
 * What ZooKeeper's tickTime does to a worker's session, shared by the scenario format, the Lab API
 * and the app so all three give the same answer.
 *
 * ZooKeeper grants a session timeout between 2 and 20 ticks (its stock minSessionTimeout and
 * maxSessionTimeout) and changes any other request silently. The lab's own servers allow up to 60 s,
 * for its helpers' 10 s sessions under short ticks; workers are held to the stock range, so a setting
 * means the same on any ZooKeeper (docs/decisions.md). It expires sessions in tick-sized
 * buckets: a session whose client went silent is closed after its timeout, rounded up to the next
 * tick, so a killed primary is noticed between T and T + one tick after its last word to ZooKeeper.
 */

export const TICK_TIME_DEFAULT_MS = 500
/** The tickTime the lab accepts (ZooKeeperOptions.tickTimeMs). */
export const TICK_TIME_MIN_MS = 100
export const TICK_TIME_MAX_MS = 10_000
/** The session timeouts the lab accepts at all, whatever the tick (WorkerSettings, ScenarioTask). */
export const SESSION_TIMEOUT_MIN_MS = 1000
export const SESSION_TIMEOUT_MAX_MS = 120_000
export const MIN_SESSION_TICKS = 2
export const MAX_SESSION_TICKS = 20

export interface MsRange {
  fromMs: number
  toMs: number
}

/** The session timeouts ZooKeeper grants with this tickTime. */
export function grantedSessionTimeouts(tickTimeMs: number): MsRange {
  return { fromMs: MIN_SESSION_TICKS * tickTimeMs, toMs: MAX_SESSION_TICKS * tickTimeMs }
}

/** How long after a crashed client's last word ZooKeeper expires its session (T to T + one tick). */
export function expiryWindow(sessionTimeoutMs: number, tickTimeMs: number): MsRange {
  return { fromMs: sessionTimeoutMs, toMs: sessionTimeoutMs + tickTimeMs }
}

/**
 * Why ZooKeeper would not grant this session timeout with this tickTime, naming the range and the
 * fix; undefined when it would.
 */
export function sessionTimeoutProblem(sessionTimeoutMs: number, tickTimeMs: number): string | undefined {
  const granted = grantedSessionTimeouts(tickTimeMs)
  if (sessionTimeoutMs >= granted.fromMs && sessionTimeoutMs <= granted.toMs) return undefined
  const ticks = ticksThatGrant(sessionTimeoutMs)
  const otherTick = ticks ? `, or a tickTime of ${ticks.fromMs}–${ticks.toMs} ms` : ''
  return (
    `session timeout ${sessionTimeoutMs} ms is outside what ZooKeeper grants with tickTime ${tickTimeMs} ms ` +
    `(${granted.fromMs}–${granted.toMs} ms, ${MIN_SESSION_TICKS}–${MAX_SESSION_TICKS} ticks), and ZooKeeper ` +
    `changes a timeout it does not grant without saying so: choose a timeout in that range${otherTick}`
  )
}

/** The tickTimes (within the lab's limits) with which ZooKeeper grants this timeout, if any. */
export function ticksThatGrant(sessionTimeoutMs: number): MsRange | undefined {
  const fromMs = Math.max(TICK_TIME_MIN_MS, Math.ceil(sessionTimeoutMs / MAX_SESSION_TICKS))
  const toMs = Math.min(TICK_TIME_MAX_MS, Math.floor(sessionTimeoutMs / MIN_SESSION_TICKS))
  return fromMs <= toMs ? { fromMs, toMs } : undefined
}

/** Why a tickTime typed by the user would be refused, naming the range; undefined when it is fine. */
export function tickTimeProblem(tickTimeMs: number): string | undefined {
  if (Number.isInteger(tickTimeMs) && tickTimeMs >= TICK_TIME_MIN_MS && tickTimeMs <= TICK_TIME_MAX_MS) return undefined
  return `tickTime must be a whole number of ms from ${TICK_TIME_MIN_MS} to ${TICK_TIME_MAX_MS}`
}

/** The granted timeout nearest to the one wanted: what a one-click start asks for under any tickTime. */
export function nearestGrantedTimeout(sessionTimeoutMs: number, tickTimeMs: number): number {
  const granted = grantedSessionTimeouts(tickTimeMs)
  return Math.min(granted.toMs, Math.max(granted.fromMs, sessionTimeoutMs))
}
