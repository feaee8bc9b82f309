import type { SessionComparison } from '../../shared/api.js'
import { summarizeVerdict } from '../../shared/checker-report.js'
import { percentile } from '../../shared/percentile.js'
import { checkSessionDir } from '../checker/index.js'
import { librarySession, summarizeSession } from './session-library.js'

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
