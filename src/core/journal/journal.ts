import { closeSync, fsyncSync, ftruncateSync, openSync, readFileSync, writeSync } from 'node:fs'
import type { LabEvent, UnsequencedEvent } from '../../shared/events.js'

export type EventListener = (event: LabEvent) => void

export interface JournalProblem {
  line: number
  message: string
}

/** Writes part or all of `length` bytes of `buffer` from `offset` and says how many it wrote, like fs.writeSync. */
export type JournalWrite = (fd: number, buffer: Uint8Array, offset: number, length: number) => number

/** Why the journal stopped recording. */
export interface JournalFailure {
  /** What went wrong, for a person: the journal's path and the system's reason. */
  reason: string
  /** The system's error code (ENOSPC, EIO, EACCES, …), when there is one. */
  code?: string
  time: number
  /** The last event that is whole in the file; nothing after it was written. */
  lastRecordedSeq: number
}

export interface JournalOptions {
  /** Where bytes go; tests pass one that plays a full or failing disk. */
  write?: JournalWrite
  /**
   * Called once, when the journal stops recording. It runs where the failing append ran (a readline
   * listener, a timer, a child's exit handler), so it must not throw; the journal guards it anyway.
   */
  onFailure?: (failure: JournalFailure) => void
}

const writeToFile: JournalWrite = (fd, buffer, offset, length) => writeSync(fd, buffer, offset, length)

/**
 * The session's `events.jsonl`: every event is numbered and written to disk before anyone hears of
 * it, so the file is the source of truth for the views, the checker and the report, and a lab that
 * is killed mid-run loses at most the line it was writing.
 *
 * A write that fails (a full disk, an I/O error) never throws out of `append`: events arrive in
 * callbacks where a throw would kill the lab. The journal cuts the file back to its last whole line,
 * records nothing more, and calls `onFailure`; events are still numbered and handed to listeners, so
 * the live view goes on in memory while the lab stops the session.
 */
export class Journal {
  private fd: number | undefined
  private seq = 0
  /** Bytes in the file, all of them whole lines: where the next line starts. */
  private size = 0
  private state: 'open' | 'failed' | 'closed' = 'open'
  private failed?: JournalFailure
  private failureTold = false
  private readonly listeners = new Set<EventListener>()
  private readonly write: JournalWrite

  constructor(
    readonly path: string,
    private readonly options: JournalOptions = {},
  ) {
    this.write = options.write ?? writeToFile
    // Exclusive: a session never continues another one's journal, and two labs never share one.
    this.fd = openSync(path, 'wx', 0o600)
  }

  get lastSeq(): number {
    return this.seq
  }

  get closed(): boolean {
    return this.state === 'closed'
  }

  /** Why recording stopped, once it has. */
  get failure(): JournalFailure | undefined {
    return this.failed
  }

  append(event: UnsequencedEvent): LabEvent {
    if (this.state === 'closed') throw new Error(`The journal ${this.path} is closed.`)
    const numbered = { ...event, seq: ++this.seq }
    if (this.state === 'open') this.writeLine(numbered)
    for (const listener of this.listeners) {
      try {
        listener(numbered)
      } catch {
        // A failing listener must not stop the journal or the other listeners.
      }
    }
    // Told after the event that failed went round, so what the lab says next follows it in order.
    if (this.failed && !this.failureTold) this.tellFailure()
    return numbered
  }

  subscribe(listener: EventListener): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  /** Stops recording from outside (the session's other files could not be written); no-op once failed. */
  fail(reason: string, code?: string): void {
    if (this.state !== 'open') return
    this.stopRecording(reason, code)
    this.tellFailure()
  }

  /** Flushes the journal to the disk and closes it; a failed flush is a failure like a failed write. */
  close(): void {
    if (this.state === 'closed') return
    if (this.state === 'open' && this.fd !== undefined) {
      try {
        fsyncSync(this.fd)
      } catch (err) {
        this.fail(`the journal ${this.path} could not be flushed to disk: ${describe(err)}`, codeOf(err))
      }
    }
    this.closeFile()
    this.state = 'closed'
    this.listeners.clear()
  }

  /** One line, written whole or not at all: writes can be short, so loop until every byte is out. */
  private writeLine(event: LabEvent): void {
    const line = Buffer.from(JSON.stringify(event) + '\n')
    let written = 0
    try {
      while (written < line.length) {
        const n = this.write(this.fd!, line, written, line.length - written)
        if (!(n > 0)) throw Object.assign(new Error('the disk took none of the line'), { code: 'EIO' })
        written += n
      }
      this.size += line.length
    } catch (err) {
      // The failed event is the first one missing from the file.
      this.stopRecording(
        `the journal ${this.path} could not be written: ${describe(err)}`,
        codeOf(err),
        event.seq - 1,
        written > 0,
      )
    }
  }

  private stopRecording(reason: string, code: string | undefined, lastRecordedSeq = this.seq, torn = false): void {
    let why = reason
    if (torn) {
      // Cut the part of the line that did go out, so the file ends with a whole line.
      try {
        ftruncateSync(this.fd!, this.size)
      } catch (err) {
        why += `; the last line is torn and could not be cut (${describe(err)})`
      }
    }
    this.closeFile()
    this.state = 'failed'
    this.failed = { reason: why, ...(code ? { code } : {}), time: Date.now(), lastRecordedSeq }
  }

  private tellFailure(): void {
    this.failureTold = true
    try {
      this.options.onFailure?.(this.failed!)
    } catch {
      // The failure is kept in `failure`; a broken handler must not turn it into a crash.
    }
  }

  private closeFile(): void {
    if (this.fd === undefined) return
    try {
      closeSync(this.fd)
    } catch {
      // Closing a descriptor whose disk failed can fail too; there is nothing left to save.
    }
    this.fd = undefined
  }
}

function describe(err: unknown): string {
  const e = err as NodeJS.ErrnoException
  return e?.code && !String(e.message).startsWith(e.code) ? `${e.code}: ${e.message}` : String(e?.message ?? err)
}

function codeOf(err: unknown): string | undefined {
  const code = (err as NodeJS.ErrnoException)?.code
  return typeof code === 'string' ? code : undefined
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
        message: last
          ? 'truncated last line (the lab stopped while writing it)'
          : 'not JSON (the line is not one JSON object; its content is not shown)',
      })
    }
  })
  return { events, problems }
}
