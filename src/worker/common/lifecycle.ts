/** How a child program learns it should stop: a signal, or the lab going away. */
import { fstatSync } from 'node:fs'

/**
 * Calls handler once when stdin is a pipe and reaches its end: the lab keeps our stdin open for as long
 * as it lives, so EOF means it died and we must not stay behind as an orphan. A terminal or /dev/null
 * stdin is left alone.
 */
export function onParentGone(handler: () => void): void {
  let isPipe: boolean
  try {
    const st = fstatSync(0)
    isPipe = st.isFIFO() || st.isSocket()
  } catch {
    return
  }
  if (!isPipe) return
  let fired = false
  const fire = () => {
    if (fired) return
    fired = true
    handler()
  }
  process.stdin.on('end', fire)
  process.stdin.on('close', fire)
  process.stdin.on('error', fire)
  process.stdin.on('data', () => {}) // read and drop; flowing mode is what lets us see the end
}

/** Calls handler for SIGTERM and SIGINT (replacing Node's default of dying on the spot). */
export function onStopSignals(handler: (signal: NodeJS.Signals) => void): void {
  for (const signal of ['SIGTERM', 'SIGINT'] as const) process.on(signal, () => handler(signal))
}
