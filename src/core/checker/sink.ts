import { readSink } from '../session-folder/index.js'

export interface SinkAnalysis {
  records: number
  /** Highest id recorded. */
  last: number
  /** Ids between 1 and `last` that no record holds: progress lost. */
  missing: number[]
  /** Ids recorded more than once, with who recorded them: work done twice. */
  duplicates: { id: number; workers: Array<number | string> }[]
  /** Lines that are not records (a torn last line after a crash). */
  unreadable: number
  /** Binlog: a deposed primary's lines written after its successor's claim, void (see SinkClaim). */
  voided?: number
}

/**
 * Ground truth for "nothing lost, nothing done twice": every id from 1 up, each once. A binlog sink
 * (backup lines) holds one line per row of a transaction, and which seqs it owes only the source's
 * history says (backup-integrity): here its duplicates are rows written twice, by transaction seq,
 * and nothing is called missing.
 */
export function analyzeSink(path: string): SinkAnalysis {
  const { records, backups, unreadable, voided } = readSink(path)
  if (backups.length > 0) {
    const byRow = new Map<string, { seq: number; workers: Array<number | string> }>()
    for (const b of backups) {
      const key = `${b.gtid}#${b.index}`
      const row = byRow.get(key) ?? { seq: b.seq, workers: [] }
      byRow.set(key, { ...row, workers: [...row.workers, b.worker] })
    }
    const twice = new Map<number, Array<number | string>>()
    for (const { seq, workers } of byRow.values()) if (workers.length > 1 && !twice.has(seq)) twice.set(seq, workers)
    const last = backups.reduce((max, b) => Math.max(max, b.seq), 0)
    return {
      records: records.length,
      last,
      missing: [],
      duplicates: [...twice].map(([id, workers]) => ({ id, workers })),
      unreadable,
      voided,
    }
  }
  const byId = new Map<number, Array<number | string>>()
  for (const r of records) byId.set(r.id, [...(byId.get(r.id) ?? []), r.worker])
  const last = records.reduce((max, r) => Math.max(max, r.id), 0)
  const missing: number[] = []
  for (let id = 1; id <= last; id++) if (!byId.has(id)) missing.push(id)
  const duplicates = [...byId].filter(([, workers]) => workers.length > 1).map(([id, workers]) => ({ id, workers }))
  return { records: records.length, last, missing, duplicates, unreadable }
}
