/** Runs the lab's child programs (src/worker/*.ts) as real processes and collects their JSON events. */
import { spawn, type ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'

export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url))

export interface ChildEvent {
  time: number
  type: string
  level?: string
  [field: string]: unknown
}

export type ProgramName = 'task-worker' | 'publisher' | 'monitor' | 'observer'

const running = new Set<WorkerProcess>()

export class WorkerProcess {
  readonly child: ChildProcess
  readonly events: ChildEvent[] = []
  /** stdout lines that were not JSON events */
  readonly otherLines: string[] = []
  stderr = ''
  exitCode: number | null = null
  exitSignal: NodeJS.Signals | null = null
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>
  private listeners = new Set<() => void>()

  constructor(
    readonly program: ProgramName,
    readonly args: string[],
  ) {
    this.child = spawn(process.execPath, ['--import', 'tsx', `src/worker/${program}.ts`, ...args], {
      cwd: REPO_ROOT,
      stdio: ['pipe', 'pipe', 'pipe'], // stdin stays open: its end tells the program the lab is gone
    })
    running.add(this)
    let buffer = ''
    this.child.stdout!.setEncoding('utf8')
    this.child.stdout!.on('data', (chunk: string) => {
      buffer += chunk
      let nl: number
      while ((nl = buffer.indexOf('\n')) !== -1) {
        const line = buffer.slice(0, nl)
        buffer = buffer.slice(nl + 1)
        this.addLine(line)
      }
    })
    this.child.stderr!.setEncoding('utf8')
    this.child.stderr!.on('data', (chunk: string) => (this.stderr += chunk))
    this.exited = new Promise((resolve) => {
      this.child.on('exit', (code, signal) => {
        this.exitCode = code
        this.exitSignal = signal
        running.delete(this)
        for (const l of this.listeners) l()
        resolve({ code, signal })
      })
    })
  }

  get pid(): number {
    return this.child.pid!
  }

  get alive(): boolean {
    return this.exitCode === null && this.exitSignal === null
  }

  private addLine(line: string): void {
    if (line.trim() === '') return
    try {
      const parsed = JSON.parse(line) as ChildEvent
      if (parsed && typeof parsed.type === 'string') {
        this.events.push(parsed)
        for (const l of this.listeners) l()
        return
      }
    } catch {
      // not an event
    }
    this.otherLines.push(line)
  }

  ofType(type: string): ChildEvent[] {
    return this.events.filter((e) => e.type === type)
  }

  /** Waits for the first event (from index `from`) matching the predicate. */
  waitFor(predicate: (e: ChildEvent) => boolean, what: string, timeoutMs = 30_000, from = 0): Promise<ChildEvent> {
    return new Promise((resolve, reject) => {
      let next = from
      const check = () => {
        let found: ChildEvent | undefined
        for (; next < this.events.length && !found; next++) if (predicate(this.events[next])) found = this.events[next]
        if (found) {
          finish()
          resolve(found)
        } else if (!this.alive) {
          finish()
          reject(
            new Error(
              `${this.program} exited (${this.exitCode ?? this.exitSignal}) before: ${what}\n${this.describe()}`,
            ),
          )
        }
      }
      const timer = setTimeout(() => {
        finish()
        reject(new Error(`timed out after ${timeoutMs} ms waiting for: ${what}\n${this.describe()}`))
      }, timeoutMs)
      const finish = () => {
        clearTimeout(timer)
        this.listeners.delete(check)
      }
      this.listeners.add(check)
      check()
    })
  }

  waitForType(type: string, timeoutMs?: number, from?: number): Promise<ChildEvent> {
    return this.waitFor((e) => e.type === type, type, timeoutMs, from)
  }

  kill(signal: NodeJS.Signals = 'SIGKILL'): void {
    if (this.alive) this.child.kill(signal)
  }

  describe(): string {
    const tail = this.events.slice(-15).map((e) => JSON.stringify(e))
    return [
      `${this.program} ${this.args.join(' ')} (pid ${this.child.pid})`,
      ...tail,
      `stderr: ${this.stderr.slice(-2000)}`,
    ].join('\n')
  }
}

export function startProgram(program: ProgramName, args: string[]): WorkerProcess {
  return new WorkerProcess(program, args)
}

/** Runs a one-shot program to its end. */
export async function runProgram(program: ProgramName, args: string[], timeoutMs = 60_000): Promise<WorkerProcess> {
  const p = new WorkerProcess(program, args)
  const timer = setTimeout(() => p.kill('SIGKILL'), timeoutMs)
  await p.exited
  clearTimeout(timer)
  return p
}

/** SIGKILLs every program still running and waits for them to be gone. */
export async function killAllPrograms(): Promise<void> {
  const all = [...running]
  for (const p of all) p.kill('SIGKILL')
  await Promise.all(all.map((p) => p.exited))
}
