/** Percentiles by nearest rank: with n = 3, p95 is the max; no interpolation invents values. */
export function percentile(values: readonly number[], p: number): number | null {
  if (values.length === 0) return null
  const sorted = [...values].sort((a, b) => a - b)
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length))
  return sorted[Math.min(sorted.length, rank) - 1]
}

export interface Summary {
  n: number
  p50: number | null
  p95: number | null
  p99: number | null
  max: number | null
  mean: number | null
}

export function summarize(values: readonly (number | null | undefined)[]): Summary {
  const v = values.filter((x): x is number => typeof x === 'number' && Number.isFinite(x))
  // Sorted once; no spread into Math.max, which overflows the stack at ~100,000 log lines.
  const sorted = v.sort((a, b) => a - b)
  const at = (p: number) =>
    sorted.length ? sorted[Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length))) - 1] : null
  return {
    n: sorted.length,
    p50: at(50),
    p95: at(95),
    p99: at(99),
    max: sorted.length ? sorted[sorted.length - 1] : null,
    mean: sorted.length ? sorted.reduce((a, b) => a + b, 0) / sorted.length : null,
  }
}

export function median(values: readonly (number | null | undefined)[]): number | null {
  return summarize(values).p50
}

/** A ratio of two measurements of the same run, or null when either is missing. */
export function ratio(a: number | null | undefined, b: number | null | undefined): number | null {
  if (typeof a !== 'number' || typeof b !== 'number' || b === 0) return null
  return a / b
}
