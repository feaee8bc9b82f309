/**
 * The floor of a clean hand-over on this machine: the lab's ZooKeeper client (the `zookeeper` addon,
 * through the workers' own wrapper) against a real standalone ZooKeeper, with nothing else running:
 * no lab, no proxy, no observer, no other worker. Two sessions in this process: A holds an ephemeral
 * node, B has an exists-watch on it. A closes its session; B, on the watch, lists the parent and reads
 * lastCommit and status in one pipelined burst (what the recipe does), then sets lastCommit with the
 * version it read. Twice: straight to ZooKeeper, and through the lab's proxies on the lab's network
 * thread (one network per session, as every worker has). The proxies cannot run on this thread: the
 * addon's close() waits for the server's answer synchronously, and would wait for a proxy it blocks. What the lab's failover rows add on top of
 * these figures is the lab around them.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { NetworkThread } from '../src/core/faults/network-thread.js'
import { Supervisor } from '../src/core/workers/supervisor.js'
import { StandaloneZooKeeper } from '../src/core/zookeeper/index.js'
import { connectZk, CreateMode, type ZkClient } from '../src/worker/common/zk.js'
import { summarize, type Summary } from './lib/stats.js'
import { fmtMs, table } from './lib/table.js'

export interface FloorConfig {
  sessionsDir: string
  reps: number
  tickTimeMs: number
  sessionTimeoutMs: number
  log: (line: string) => void
}

/** One hand-over, ms on this process's monotonic clock. */
export interface FloorRep {
  /** A's close() → B's watch callback: the server's closeSession, its node's deletion, the notification. */
  closeToWatch: number
  /** B's watch → the reply to its list (the reads behind it arrive with it). */
  watchToList: number
  /** The list's reply → the reply to the conditional set of lastCommit: the first commit. */
  listToCommit: number
  total: number
  /** A plain get, idle: one round trip of this client to this server. */
  idleGet: number
}

export const FLOOR_PATHS = ['direct', 'proxy'] as const
export type FloorPath = (typeof FLOOR_PATHS)[number]

export interface FloorResult {
  config: Omit<FloorConfig, 'log' | 'sessionsDir'>
  reps: Record<FloorPath, FloorRep[]>
  summary: Record<FloorPath, Record<keyof FloorRep, Summary>>
}

const ROOT = '/floor'

export async function runFloor(config: FloorConfig): Promise<FloorResult> {
  const sessionDir = mkdtempSync(join(config.sessionsDir, 'floor-'))
  const supervisor = new Supervisor({ logDir: join(sessionDir, 'logs'), emit: () => {} })
  const server = new StandaloneZooKeeper({ sessionDir, supervisor, emit: () => {} }, { tickTime: config.tickTimeMs })
  const open: ZkClient[] = []
  const thread = new NetworkThread()
  const connect = async (connectString: string) => {
    const client = await connectZk({ connect: connectString, sessionTimeoutMs: config.sessionTimeoutMs }, 30_000)
    open.push(client)
    return client
  }
  const reps: Record<FloorPath, FloorRep[]> = { direct: [], proxy: [] }
  try {
    await server.start()
    const direct = server.connectString()
    const admin = await connect(direct)
    for (const path of [ROOT, `${ROOT}/instance`, `${ROOT}/lastCommit`, `${ROOT}/status`]) {
      await admin.create(path, '0').catch(() => {}) // left from a previous rep of this run: fine
    }
    // A fresh JVM interprets before it compiles: warm the server's request path first.
    for (let i = 0; i < 500; i++) await admin.get(`${ROOT}/status`)
    const [host, port] = [direct.slice(0, direct.lastIndexOf(':')), Number(direct.slice(direct.lastIndexOf(':') + 1))]
    const ports: number[] = []
    for (const name of ['floor-a', 'floor-b']) ports.push(...(await thread.open(name, [{ host, port }])).ports)
    const routes: Record<FloorPath, [string, string]> = {
      direct: [direct, direct],
      proxy: [`127.0.0.1:${ports[0]}`, `127.0.0.1:${ports[1]}`],
    }
    for (let i = 0; i < config.reps; i++) {
      for (const path of FLOOR_PATHS) reps[path].push(await handOver(connect, routes[path], i))
    }
    config.log(`  [floor] ${config.reps} hand-overs each way`)
  } finally {
    for (const client of open) if (!client.isClosed) client.close()
    await thread.stop()
    await supervisor.stopAll(3000)
    rmSync(sessionDir, { recursive: true, force: true })
  }
  const keys = ['closeToWatch', 'watchToList', 'listToCommit', 'total', 'idleGet'] as const
  const summarizePath = (path: FloorPath) =>
    Object.fromEntries(keys.map((k) => [k, summarize(reps[path].map((r) => r[k]))])) as Record<keyof FloorRep, Summary>
  const { log: _log, sessionsDir: _dir, ...rest } = config
  return { config: rest, reps, summary: { direct: summarizePath('direct'), proxy: summarizePath('proxy') } }
}

/** One hand-over from A (connected through routes[0]) to B (through routes[1]). */
async function handOver(
  connect: (connectString: string) => Promise<ZkClient>,
  routes: [string, string],
  i: number,
): Promise<FloorRep> {
  const a = await connect(routes[0])
  const b = await connect(routes[1])
  const node = await a.create(`${ROOT}/instance/n_`, '', CreateMode.EPHEMERAL_SEQUENTIAL)
  await b.create(`${ROOT}/instance/n_`, '', CreateMode.EPHEMERAL_SEQUENTIAL)
  let watchedAt = 0
  const deleted = new Promise<void>(
    (resolve) =>
      void b.exists(node, () => {
        watchedAt = performance.now()
        resolve()
      }),
  )
  const idle0 = performance.now()
  await b.get(`${ROOT}/status`)
  const idleGet = performance.now() - idle0
  // Close outside the addon's callbacks, as the recipe does (see src/worker/README.md).
  await new Promise((resolve) => setTimeout(resolve, 20))
  const closedAt = performance.now()
  a.close()
  await deleted
  const list = b.getChildren(`${ROOT}/instance`)
  const commit = b.get(`${ROOT}/lastCommit`)
  const status = b.get(`${ROOT}/status`)
  await list
  const listedAt = performance.now()
  const read = await commit
  await status
  await b.set(`${ROOT}/lastCommit`, String(i + 1), read.stat.version)
  const committedAt = performance.now()
  b.close()
  return {
    closeToWatch: watchedAt - closedAt,
    watchToList: listedAt - watchedAt,
    listToCommit: committedAt - listedAt,
    total: committedAt - closedAt,
    idleGet,
  }
}

export function floorTables(r: FloorResult): string {
  const rows: [string, keyof FloorRep][] = [
    ['close → watch at the successor', 'closeToWatch'],
    ['watch → list (and reads) answered', 'watchToList'],
    ['list → conditional set answered (first commit)', 'listToCommit'],
    ['close → first commit', 'total'],
    ['one get, idle', 'idleGet'],
  ]
  const caption = `Hand-over floor: the lab's ZooKeeper client and a standalone ZooKeeper, nothing else running (tickTime ${r.config.tickTimeMs} ms, ${r.config.reps} hand-overs each way; ms on the client's clock; "proxy": each session through the lab's proxy on its network thread)`
  const cells = (path: FloorPath, k: keyof FloorRep) =>
    [r.summary[path][k].p50, r.summary[path][k].p95, r.summary[path][k].max].map((v) => fmtMs(v, 2))
  return `${caption}\n\n${table(
    ['step', 'direct p50', 'p95', 'max', 'proxy p50', 'p95', 'max'],
    rows.map(([name, k]) => [name, ...cells('direct', k), ...cells('proxy', k)]),
  )}`
}
