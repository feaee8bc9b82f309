/** Text helpers for the HTML report: escaping and the lab's way of writing times. */
import { seconds, sinceStart } from '../../../shared/format.js'

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }

export function esc(value: string | number | boolean | null | undefined): string {
  return String(value ?? '').replace(/[&<>"']/g, (c) => ENTITIES[c])
}

/** Seconds since the session began, as the CLI and the checker's messages write them. */
export const rel = sinceStart

export function ms(value: number | null | undefined): string {
  if (value === null || value === undefined) return '—'
  return value >= 10_000 ? `${(value / 1000).toFixed(1)} s` : `${Math.round(value)} ms`
}

export function duration(value: number): string {
  if (value < 60_000) return seconds(value)
  const m = Math.floor(value / 60_000)
  const s = Math.round((value % 60_000) / 1000)
  return `${m} min ${s} s`
}

/** Wall-clock time in UTC, to the millisecond: unambiguous months later on any machine. */
export function utc(time: number): string {
  return new Date(time).toISOString().replace('T', ' ').replace('Z', ' UTC')
}

export function clock(time: number): string {
  return new Date(time).toISOString().slice(11, 23)
}

/** Numbers in SVG attributes, short. */
export function n(value: number): string {
  return (Math.round(value * 10) / 10).toString()
}

/** Ids as a short list: 3, 4, 5, 9 → "3–5, 9", worded as the checker words them. */
export { idList } from '../../checker/journal-model.js'
