/**
 * Markdown tables, padded so they read on a terminal too: what the bench prints is what
 * docs/benchmarks.md quotes.
 */
export type Cell = string | number | null | undefined

export function fmtMs(v: number | null | undefined, digits = 0): string {
  return typeof v === 'number' && Number.isFinite(v) ? v.toFixed(digits) : '—'
}

export function fmtNum(v: number | null | undefined, digits = 1): string {
  return typeof v === 'number' && Number.isFinite(v) ? v.toFixed(digits) : '—'
}

export function fmtMb(bytes: number | null | undefined): string {
  return typeof bytes === 'number' && Number.isFinite(bytes) ? (bytes / 1024 / 1024).toFixed(0) : '—'
}

export function table(headers: string[], rows: Cell[][], align?: ('l' | 'r')[]): string {
  const text = rows.map((r) => r.map((c) => (c === null || c === undefined ? '—' : String(c))))
  const widths = headers.map((h, i) => Math.max(h.length, ...text.map((r) => (r[i] ?? '').length)))
  const al = align ?? headers.map((_, i) => (i === 0 ? 'l' : 'r'))
  const pad = (s: string, i: number) => (al[i] === 'r' ? s.padStart(widths[i]) : s.padEnd(widths[i]))
  const line = (cells: string[]) => `| ${cells.map(pad).join(' | ')} |`
  const rule = `|${widths.map((w, i) => (al[i] === 'r' ? '-'.repeat(w + 1) + ':' : ':' + '-'.repeat(w + 1))).join('|')}|`
  return [line(headers), rule, ...text.map(line)].join('\n')
}
