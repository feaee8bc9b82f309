/**
 * How the lab writes numbers for people, the same in the app, the CLI, the checker's messages and the
 * reports: a failover measured in one place reads the same in all of them.
 */

/** A duration in seconds with two decimals (`4.32 s`); `—` when it was not measured. */
export function seconds(ms: number | null | undefined, digits = 2): string {
  if (ms === null || ms === undefined) return '—'
  return `${(ms / 1000).toFixed(digits)} s`
}

/** A moment as seconds since the session began: `+12.35 s`, and `−0.20 s` before it. */
export function sinceStart(time: number, start: number, digits = 2): string {
  const s = (time - start) / 1000
  return `${s < 0 ? '−' : '+'}${Math.abs(s).toFixed(digits)} s`
}

/** The value if it is a finite number, else undefined (a field read back from a journal or a report). */
export function finiteNumber(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined
}
