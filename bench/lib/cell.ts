/**
 * One lab session as a bench uses it: a Lab (the same facade every shell drives), a ZooKeeper with
 * short ticks, one task, and every journalled event kept in memory for counting afterwards.
 */
import { Lab } from '../../src/core/lab.js'
import type { AddWorkersInput } from '../../src/shared/api.js'
import { LabEventTypes, type LabEvent } from '../../src/shared/events.js'
import type { WorkerView } from '../../src/shared/lab-state.js'
import { memoryOf, sumMemory } from './proc.js'
import { sleep, waitUntil } from './wait.js'

/** Bytes. PSS splits shared pages among the processes sharing them: what one more worker really costs. */
export interface CellMemory {
  workers: number
  rssTotal: number
  pssTotal: number
  rssPerWorker: number
  pssPerWorker: number
  zkRss: number | null
  labRss: number
}

export interface CellOptions {
  sessionsDir: string
  name: string
  tickTimeMs?: number
}

export class Cell {
  readonly events: LabEvent[] = []
  zkVersion?: string
  private off?: () => void

  constructor(readonly lab: Lab) {}

  static async open(lab: Lab, options: CellOptions): Promise<Cell> {
    const cell = new Cell(lab)
    cell.off = lab.onEvent((e) => {
      cell.events.push(e)
      if (e.type === LabEventTypes.zkReady && typeof e.version === 'string') cell.zkVersion = e.version
    })
    await lab.createSession({ name: options.name, sessionsDir: options.sessionsDir })
    await lab.startZooKeeper({ tickTimeMs: options.tickTimeMs ?? 500 })
    return cell
  }

  get state() {
    return this.lab.state
  }

  /** The seq of the newest event so far: "after this" marks for counting. */
  get mark(): number {
    return this.lab.state.lastSeq
  }

  workers(task: string): WorkerView[] {
    return Object.values(this.lab.state.workers).filter((w) => w.task === task)
  }

  running(task: string): WorkerView[] {
    return this.workers(task).filter((w) => w.status === 'running')
  }

  primaries(task: string): WorkerView[] {
    return this.running(task).filter((w) => w.role === 'primary')
  }

  lastCommit(task: string): number {
    return this.lab.state.tasks[task]?.lastCommit ?? 0
  }

  async addWorkers(input: AddWorkersInput): Promise<string[]> {
    // The API takes at most 50 at a time.
    const names: string[] = []
    let left = input.count ?? 1
    while (left > 0) {
      const count = Math.min(50, left)
      names.push(...(await this.lab.addWorkers({ ...input, count })))
      left -= count
    }
    return names
  }

  /**
   * Steady state: every running worker has a role, exactly one is primary, and lastCommit has moved
   * `commits` times since we started waiting (so the primary is really working). Works for external
   * workers too: their roles are read off ZooKeeper and lastCommit comes from the observer.
   */
  async steady(task: string, expectWorkers: number, timeoutMs: number, commits = 2): Promise<WorkerView | undefined> {
    const deadline = Date.now() + timeoutMs
    const ok = await waitUntil(() => {
      const running = this.running(task)
      return (
        running.length === expectWorkers &&
        running.every((w) => w.role !== 'starting') &&
        this.primaries(task).length === 1
      )
    }, timeoutMs)
    if (!ok) return undefined
    const from = this.lastCommit(task)
    const moved = await waitUntil(
      () => this.lastCommit(task) >= from + commits && this.primaries(task).length === 1,
      Math.max(0, deadline - Date.now()),
    )
    return moved ? this.primaries(task)[0] : undefined
  }

  /** The journal event the lab wrote for an action we just fired (its seq is what the checker calls the fault). */
  findEvent(after: number, match: (e: LabEvent) => boolean): LabEvent | undefined {
    for (let i = this.events.length - 1; i >= 0 && this.events[i].seq > after; i--)
      if (match(this.events[i])) return this.events[i]
    return undefined
  }

  pids(task: string): number[] {
    return this.running(task)
      .map((w) => w.pid)
      .filter((p): p is number => typeof p === 'number')
  }

  zkPids(): number[] {
    return this.lab.state.zookeeper.servers.map((s) => s.pid).filter((p): p is number => typeof p === 'number')
  }

  /** What a task's running workers, the (first) ZooKeeper server and this process hold, now. */
  memory(task: string): CellMemory {
    const m = sumMemory(this.pids(task))
    const zk = this.zkPids().map(memoryOf)[0]
    return {
      workers: m.count,
      rssTotal: m.rss,
      pssTotal: m.pss,
      rssPerWorker: m.count ? m.rss / m.count : 0,
      pssPerWorker: m.count ? m.pss / m.count : 0,
      zkRss: zk?.rss ?? null,
      labRss: process.memoryUsage().rss,
    }
  }

  async close(): Promise<void> {
    try {
      await this.lab.closeSession()
    } finally {
      this.off?.()
      // Let the kernel reap what the lab just stopped before the next cell starts its own.
      await sleep(200)
    }
  }
}
