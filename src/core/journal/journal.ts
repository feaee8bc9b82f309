import { closeSync, existsSync, openSync, readFileSync, writeSync } from 'node:fs'
import type { LabEvent, UnsequencedEvent } from '../../shared/events.js'

export type EventListener = (event: LabEvent) => void

export interface JournalProblem {
  line: number
  message: string
}

/**
 * The session's `events.jsonl`: every event is numbered and written to disk before anyone hears of
 * it, so the file is the source of truth for the views, the checker and the report, and a lab that
 * is killed mid-run loses at most the line it was writing.
 */
export class Journal {
  private fd: number | undefined
  private seq: number
  private readonly listeners = new Set<EventListener>()

  constructor(readonly path: string) {
    // Reopening a session's journal continues its numbering.
    this.seq = existsSync(path) ? lastSeq(readJournal(path).events) : 0
    this.fd = openSync(path, 'a')
  }

  get lastSeq(): number {
    return this.seq
  }

  get closed(): boolean {
    return this.fd === undefined
  }

  append(event: UnsequencedEvent): LabEvent {
    if (this.fd === undefined) throw new Error(`The journal ${this.path} is closed.`)
    const numbered = { ...event, seq: ++this.seq } as LabEvent
    // One write call per line keeps lines whole even when the lab dies between two events.
    writeSync(this.fd, JSON.stringify(numbered) + '\n')
    for (const listener of this.listeners) {
      try {
        listener(numbered)
      } catch {
        // A failing listener must not stop the journal or the other listeners.
      }
    }
    return numbered
  }

  subscribe(listener: EventListener): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd)
    this.fd = undefined
    this.listeners.clear()
  }
}

/** Reads a journal back. A corrupt or truncated line is reported and skipped, never fatal. */
export function readJournal(path: string): { events: LabEvent[]; problems: JournalProblem[] } {
  const events: LabEvent[] = []
  const problems: JournalProblem[] = []
  const lines = readFileSync(path, 'utf8').split('\n')
  lines.forEach((text, index) => {
    if (text.trim() === '') return
    try {
      const parsed = JSON.parse(text) as LabEvent
      if (typeof parsed.seq !== 'number' || typeof parsed.type !== 'string' || typeof parsed.time !== 'number') {
        problems.push({ line: index + 1, message: 'not a lab event (needs seq, time and type)' })
        return
      }
      events.push(parsed)
    } catch (err) {
      const last = index >= lines.length - 2
      problems.push({
        line: index + 1,
        message: last ? 'truncated last line (the lab stopped while writing it)' : 'not JSON (the line is not one JSON object; its content is not shown)',
      })
    }
  })
  return { events, problems }
}

function lastSeq(events: LabEvent[]): number {
  return events.reduce((max, e) => Math.max(max, e.seq), 0)
}
