/**
 * Measurement 5: what the lab's watch polling (`wchc`, `wchs`, `cons` on every server once a second)
 * costs ZooKeeper. The same steady lab (N recipe workers, one committing) is measured twice, polling
 * off then on: the server JVM's CPU (user + system from /proc/<pid>/stat) over a window, as % of one core.
 */
import { Lab } from '../src/core/lab.js'
import { Cell } from './lib/cell.js'
import { cpuWindow, load1, type CpuWindow } from './lib/proc.js'
import { fmtNum, table } from './lib/table.js'

export interface WatchesConfig {
  sessionsDir: string
  workers: number
  windowMs: number
  sessionTimeoutMs: number
  commitIntervalMs: number
  log: (line: string) => void
}

export interface WatchesRow {
  polling: boolean
  workers: number
  /** Null when the lab did not reach a steady state in time. */
  cpu: CpuWindow | null
  /** zookeeper.watches events recorded during the window (0 with polling off). */
  graphEvents: number
  load1: number
}

export interface WatchesResult {
  config: Omit<WatchesConfig, 'log' | 'sessionsDir'>
  rows: WatchesRow[]
}

const TASK = 'task01'

export async function runWatches(config: WatchesConfig): Promise<WatchesResult> {
  const rows: WatchesRow[] = []
  for (const polling of [false, true]) {
    const lab = new Lab({ watchPolling: polling })
    try {
      rows.push(await runRow(lab, config, polling))
    } finally {
      await lab.dispose()
    }
  }
  const { log: _l, sessionsDir: _d, ...rest } = config
  return { config: rest, rows }
}

async function runRow(lab: Lab, config: WatchesConfig, polling: boolean): Promise<WatchesRow> {
  const cell = await Cell.open(lab, {
    sessionsDir: config.sessionsDir,
    name: `bench-watches-${polling ? 'on' : 'off'}`,
  })
  try {
    await lab.publishTask({ task: TASK })
    await cell.addWorkers({
      task: TASK,
      count: config.workers,
      strategy: 'recipe',
      commitIntervalMs: config.commitIntervalMs,
      sessionTimeoutMs: config.sessionTimeoutMs,
    })
    const load = load1()
    if (!(await cell.steady(TASK, config.workers, 120_000))) {
      config.log(`  [watches ${polling ? 'on' : 'off'}] no steady state within 120 s`)
      return { polling, workers: config.workers, cpu: null, graphEvents: 0, load1: load }
    }
    const mark = cell.mark
    const cpu = await cpuWindow(cell.pids(TASK), cell.zkPids(), config.windowMs)
    const graphEvents = cell.events.filter((e) => e.seq > mark && e.type === 'zookeeper.watches').length
    config.log(`  [watches ${polling ? 'on' : 'off'}] ZooKeeper ${fmtNum(cpu.zkPct)} % of a core`)
    return { polling, workers: config.workers, cpu, graphEvents, load1: load }
  } finally {
    await cell.close()
  }
}

export function watchesTables(result: WatchesResult): string {
  return table(
    ['polling', 'workers', 'ZooKeeper CPU % of a core', 'lab CPU %', 'machine busy %', 'graph events', 'load1'],
    result.rows.map((r) => [
      r.polling ? 'on' : 'off',
      r.workers,
      fmtNum(r.cpu?.zkPct),
      fmtNum(r.cpu?.labPct),
      fmtNum(r.cpu?.machineBusyPct),
      r.graphEvents,
      fmtNum(r.load1),
    ]),
  )
}
