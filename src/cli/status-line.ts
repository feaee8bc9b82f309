/**
 * `zklab run` on a terminal: one status line on stderr (current step, elapsed time, failovers so
 * far), rewritten in place and cleared before each progress line and at the end. Without a terminal
 * the run prints its plain lines only: a CI log gets no carriage returns.
 */
import { LabEventTypes, type LabEvent } from '../shared/events.js'

/** What the line shows. */
export interface RunStatus {
  /** The step running: its place and what it does (`steps[2] kill primary`). */
  step?: string
  failovers: number
  elapsedMs: number
}

/** The line, cut to the terminal's width so it never wraps (a wrapped line cannot be rewritten with \r). */
export function formatStatusLine(status: RunStatus, columns = 80): string {
  const parts = [
    `${(status.elapsedMs / 1000).toFixed(1)}s`,
    status.step ?? 'starting',
    `${status.failovers} failover${status.failovers === 1 ? '' : 's'}`,
  ]
  const line = `… ${parts.join('  ·  ')}`
  return line.length < columns ? line : `${line.slice(0, Math.max(0, columns - 2))}…`
}

/** A step in a few words: its kind and target (`kill primary`, `sleep 2000`, `parallel 2`). */
export function describeStep(path: string, step: object): string {
  const [kind, value] = Object.entries(step as Record<string, unknown>)[0] ?? ['step', undefined]
  const what = Array.isArray(value)
    ? value.join(',')
    : typeof value === 'string' || typeof value === 'number'
      ? String(value)
      : ''
  return `${path} ${kind}${what ? ` ${what}` : ''}`
}

const CLEAR = '\r\x1b[K'

export class StatusLine {
  private readonly status: RunStatus = { failovers: 0, elapsedMs: 0 }
  private readonly started = Date.now()
  private readonly timer: NodeJS.Timeout
  private shown = false

  constructor(private readonly out: NodeJS.WriteStream = process.stderr) {
    // The elapsed time moves on between events; unref'd so it never keeps the process alive.
    this.timer = setInterval(() => this.render(), 500)
    this.timer.unref()
  }

  /** The run's events: steps and failovers. */
  onEvent(e: LabEvent): void {
    if (e.type === LabEventTypes.scenarioStep) this.status.step = describeStep(e.path, e.step)
    else if (e.type === LabEventTypes.failover && !e.noTakeover) this.status.failovers++
    else return
    this.render()
  }

  /** A printer that clears the status line, prints the progress line, and shows the status again under it. */
  around(print: (line: string) => void): (line: string) => void {
    return (line) => {
      this.clear()
      print(line)
      this.render()
    }
  }

  /** Clears the line for good (before the summary). */
  stop(): void {
    clearInterval(this.timer)
    this.clear()
  }

  private render(): void {
    this.status.elapsedMs = Date.now() - this.started
    // A pseudo-terminal without a size reports 0 columns.
    this.out.write(`${CLEAR}${formatStatusLine(this.status, this.out.columns || 80)}`)
    this.shown = true
  }

  private clear(): void {
    if (this.shown) this.out.write(CLEAR)
    this.shown = false
  }
}
