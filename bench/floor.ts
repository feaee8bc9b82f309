/**
 * The floor of a clean hand-over on this machine: the lab's ZooKeeper client (the `zookeeper` addon,
 * through the workers' own wrapper) against a real standalone ZooKeeper, with nothing else running:
 * no lab, no proxy, no observer, no other worker. Two sessions in this process: A holds an ephemeral
 * node, B has an exists-watch on it. A closes its session; B, on the watch, lists the parent and reads
 * lastCommit and status in one pipelined burst (what the recipe does), then sets lastCommit with the
 * version it read. What the lab's failover rows add on top of these figures is the lab around them.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { join } from 'node:path'
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

export interface FloorResult {
  config: Omit<FloorConfig, 'log' | 'sessionsDir'>
  reps: FloorRep[]
  summary: Record<keyof FloorRep, Summary>
}

const ROOT = '/floor'

export async function runFloor(config: FloorConfig): Promise<FloorResult> {
  const sessionDir = mkdtempSync(join(config.sessionsDir, 'floor-'))
  const supervisor = new Supervisor({ logDir: join(sessionDir, 'logs'), emit: () => {} })
  const server = new StandaloneZooKeeper({ sessionDir, supervisor, emit: () => {} }, { tickTime: config.tickTimeMs })
  const open: ZkClient[] = []
  const connect = async () => {
    const client = await connectZk(
      { connect: server.connectString(), sessionTimeoutMs: config.sessionTimeoutMs },
      30_000,
    )
    open.push(client)
    return client
  }
  const reps: FloorRep[] = []
  try {
    await server.start()
    const admin = await connect()
    for (const path of [ROOT, `${ROOT}/instance`, `${ROOT}/lastCommit`, `${ROOT}/status`]) {
      await admin.create(path, '0').catch(() => {}) // left from a previous rep of this run: fine
    }
    // A fresh JVM interprets before it compiles: warm the server's request path first.
    for (let i = 0; i < 500; i++) await admin.get(`${ROOT}/status`)
    for (let i = 0; i < config.reps; i++) {
      const a = await connect()
      const b = await connect()
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
      reps.push({
        closeToWatch: watchedAt - closedAt,
        watchToList: listedAt - watchedAt,
        listToCommit: committedAt - listedAt,
        total: committedAt - closedAt,
        idleGet,
      })
      b.close()
    }
    config.log(`  [floor] ${reps.length} hand-overs`)
  } finally {
    for (const client of open) if (!client.isClosed) client.close()
    await supervisor.stopAll(3000)
    rmSync(sessionDir, { recursive: true, force: true })
  }
  const keys = ['closeToWatch', 'watchToList', 'listToCommit', 'total', 'idleGet'] as const
  const summary = Object.fromEntries(keys.map((k) => [k, summarize(reps.map((r) => r[k]))])) as FloorResult['summary']
  const { log: _log, sessionsDir: _dir, ...rest } = config
  return { config: rest, reps, summary }
}

export function floorTables(r: FloorResult): string {
  const rows: [string, keyof FloorRep][] = [
    ['close → watch at the successor', 'closeToWatch'],
    ['watch → list (and reads) answered', 'watchToList'],
    ['list → conditional set answered (first commit)', 'listToCommit'],
    ['close → first commit', 'total'],
    ['one get, idle', 'idleGet'],
  ]
  const caption = `Hand-over floor: the lab's ZooKeeper client and a standalone ZooKeeper, nothing else running (tickTime ${r.config.tickTimeMs} ms, ${r.reps.length} hand-overs; ms on the client's clock)`
  return `${caption}\n\n${table(
    ['step', 'p50', 'p95', 'max'],
    rows.map(([name, k]) => [name, fmtMs(r.summary[k].p50, 2), fmtMs(r.summary[k].p95, 2), fmtMs(r.summary[k].max, 2)]),
  )}`
}
