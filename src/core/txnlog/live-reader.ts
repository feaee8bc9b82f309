import { readSessionTxnLogs, type TxnLogRead } from './read-txn-logs.js'

/**
 * The session's transaction logs for a live check, read again at most every `minIntervalMs`: the
 * servers keep appending (flushed per commit; a record caught half-written ends the read there and
 * is read whole next time).
 */
export function throttledTxnLogReader(
  sessionDir: string,
  minIntervalMs = 2000,
  now: () => number = Date.now,
): () => TxnLogRead | undefined {
  let last: TxnLogRead | undefined
  let readAt = -Infinity
  return () => {
    if (now() - readAt >= minIntervalMs) {
      readAt = now()
      try {
        last = readSessionTxnLogs(sessionDir)
      } catch {
        // A log being rolled or removed under us: keep the previous read, try again next time.
      }
    }
    return last
  }
}
