import type { SessionComparison } from '../../shared/api.js'
import { summarizeVerdict } from '../../shared/checker-report.js'
import { checkSessionDir } from '../checker/index.js'
import { librarySession, summarizeSession } from './session-library.js'

/** Percentile by nearest rank, of values already known to be finite. */
function percentile(sorted: number[], p: number): number | null {
  if (sorted.length === 0) return null
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]
}

function stats(values: Array<number | null>): {
  count: number
  p50: number | null
  p95: number | null
  max: number | null
} {
  const sorted = values.filter((v): v is number => v !== null && Number.isFinite(v)).sort((a, b) => a - b)
  return { count: sorted.length, p50: percentile(sorted, 50), p95: percentile(sorted, 95), max: sorted.at(-1) ?? null }
}

/**
 * Two or more sessions side by side (the same scenario with seed and with recipe, say): each one's
 * verdicts and its failover gaps as percentiles, graded by the same checker.
 */
export function compareSessions(sessionsDir: string, dirs: string[]): SessionComparison[] {
  // Every folder is checked before any is graded: one outside the library refuses the whole call.
  const sessions = dirs.map((dir) => librarySession(sessionsDir, dir))
  return sessions.map(({ real, listed }) => {
    const report = checkSessionDir(real)
    return {
      summary: summarizeSession(real, listed),
      ok: report.ok,
      verdicts: report.verdicts.map(summarizeVerdict),
      failovers: report.failovers.length,
      newPrimaryMs: stats(report.failovers.map((f) => f.steps.newPrimary)),
      firstCommitMs: stats(report.failovers.map((f) => f.steps.firstCommit)),
    }
  })
}
