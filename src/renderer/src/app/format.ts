/** Durations as an engineer reads them: 850 ms, 4.32 s, 3m 05s, 2h 04m. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return '—'
  if (ms < 1000) return `${Math.round(ms)} ms`
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`
  const s = Math.floor(ms / 1000)
  if (s < 3600) return `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, '0')}s`
  return `${Math.floor(s / 3600)}h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`
}

/** Session ids as ZooKeeper prints them (0x…). */
export function formatSessionId(id: string | undefined): string {
  if (!id) return '—'
  return id.startsWith('0x') ? id : `0x${id}`
}

export function formatTime(ms: number): string {
  const d = new Date(ms)
  return d.toLocaleTimeString('en-GB', { hour12: false }) + '.' + String(d.getMilliseconds()).padStart(3, '0')
}

export function formatDateTime(ms: number): string {
  const d = new Date(ms)
  return `${d.toISOString().slice(0, 10)} ${formatTime(ms)}`
}
