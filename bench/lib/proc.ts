/** What /proc says about processes and the machine: memory, CPU time, load, and our leftovers. */
import { readdirSync, readFileSync } from 'node:fs'
import { loadavg } from 'node:os'

/** Every process the bench starts inherits this (the lab passes its env on), so leftovers are findable as ours. */
export const BENCH_MARKER = 'ZKLAB_BENCH_RUN'

export interface Memory {
  /** Resident set size: counts shared pages (the node binary, libraries) in every process. */
  rss: number
  /** Proportional set size: shared pages split between the processes sharing them; sums honestly. */
  pss: number
}

export function memoryOf(pid: number): Memory | undefined {
  try {
    const rollup = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8')
    const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(rollup)?.[1] ?? NaN) * 1024
    return { rss: kb('Rss'), pss: kb('Pss') }
  } catch {
    return undefined
  }
}

export function sumMemory(pids: readonly number[]): Memory & { count: number } {
  let rss = 0
  let pss = 0
  let count = 0
  for (const pid of pids) {
    const m = memoryOf(pid)
    if (!m || !Number.isFinite(m.rss)) continue
    rss += m.rss
    pss += m.pss
    count++
  }
  return { rss, pss, count }
}

const TICK_HZ = 100

/** User + system CPU time of a process, in ms. */
export function cpuMsOf(pid: number): number | undefined {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ')
    // After "pid (comm) ": state is field 0, utime field 11, stime field 12.
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICK_HZ
  } catch {
    return undefined
  }
}

/** Machine-wide CPU counters, to tell a busy or stolen-from machine during a measurement. */
export interface CpuSample {
  total: number
  idle: number
  steal: number
}

export function cpuSample(): CpuSample {
  const [, ...f] = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/)
  const n = f.map(Number)
  // user nice system idle iowait irq softirq steal
  return { total: n.slice(0, 8).reduce((a, b) => a + b, 0), idle: n[3] + n[4], steal: n[7] ?? 0 }
}

export function cpuBusyBetween(a: CpuSample, b: CpuSample): { busyPct: number; stealPct: number } {
  const total = b.total - a.total || 1
  return { busyPct: (100 * (total - (b.idle - a.idle))) / total, stealPct: (100 * (b.steal - a.steal)) / total }
}

export function load1(): number {
  return loadavg()[0]
}

/** Processes carrying this run's marker (ours: ZooKeeper's Java, workers, zklab serve, Chromium). */
export function processesMarked(id: string): Map<number, string> {
  const found = new Map<number, string>()
  const needle = `${BENCH_MARKER}=${id}`
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry)
    if (!Number.isInteger(pid) || pid === process.pid) continue
    try {
      const state = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.[0]
      if (state === 'Z') continue
      if (!readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').includes(needle)) continue
      found.set(pid, readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').slice(0, 200))
    } catch {
      // Gone while we looked, or not ours to read.
    }
  }
  return found
}

/** Other processes' load: Java, lab workers, Chromium and MariaDB servers that are not this run's (someone else's tests). */
export function foreignLabProcesses(id: string): number {
  const ours = processesMarked(id)
  let count = 0
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry)
    if (!Number.isInteger(pid) || ours.has(pid) || pid === process.pid) continue
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8')
      if (/src\/worker\/|ZooKeeperServerMain|QuorumPeerMain|chromium|mariadbd/.test(cmd)) count++
    } catch {
      // Gone.
    }
  }
  return count
}

export interface CpuWindow {
  /** % of one core over the window (200 % = both cores of this machine). */
  workersPct: number
  zkPct: number
  labPct: number
  /** The whole machine, % of all cores, and what the hypervisor took. */
  machineBusyPct: number
  stealPct: number
}

/** CPU used by these processes (and by this one, the lab) over a window of ms. */
export async function cpuWindow(
  workerPids: readonly number[],
  zkPids: readonly number[],
  ms: number,
): Promise<CpuWindow> {
  const sum = (pids: readonly number[]) => pids.reduce((a, p) => a + (cpuMsOf(p) ?? 0), 0)
  const w0 = sum(workerPids)
  const z0 = sum(zkPids)
  const l0 = process.cpuUsage()
  const m0 = cpuSample()
  const t0 = Date.now()
  await new Promise((r) => setTimeout(r, ms))
  const elapsed = Date.now() - t0
  const l1 = process.cpuUsage(l0)
  const machine = cpuBusyBetween(m0, cpuSample())
  return {
    workersPct: (100 * (sum(workerPids) - w0)) / elapsed,
    zkPct: (100 * (sum(zkPids) - z0)) / elapsed,
    labPct: (100 * ((l1.user + l1.system) / 1000)) / elapsed,
    machineBusyPct: machine.busyPct,
    stealPct: machine.stealPct,
  }
}

/** Every live process below this one, with its command name. */
export function descendants(root: number): { pid: number; comm: string }[] {
  const children = new Map<number, { pid: number; comm: string }[]>()
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry)
    if (!Number.isInteger(pid)) continue
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
      const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'))
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1])
      if (!children.has(ppid)) children.set(ppid, [])
      children.get(ppid)!.push({ pid, comm })
    } catch {
      // Gone.
    }
  }
  const out: { pid: number; comm: string }[] = []
  const queue = [root]
  while (queue.length) {
    for (const c of children.get(queue.shift()!) ?? []) {
      out.push(c)
      queue.push(c.pid)
    }
  }
  return out
}
