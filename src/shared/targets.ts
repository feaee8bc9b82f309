/**
 * Which worker, ZooKeeper server or MariaDB source a fault hits, resolved against the lab's state: one rule set for
 * scenario steps, the CLI and the app.
 */
import { primariesOf, type LabState, type WorkerView, type ZkServerView } from './lab-state.js'

/** `primary` | `standby` | `random` | worker number N of the task | a worker's name. */
export type WorkerTargetSpec = number | string

export function isServerTarget(target: WorkerTargetSpec): target is string {
  return typeof target === 'string' && (target === 'zk-leader' || target === 'zk-follower' || /^zk-\d+$/.test(target))
}

/** The binlog workload's MariaDB source, as a fault's target. */
export const SOURCE_TARGET = 'mariadb'

export function isSourceTarget(target: WorkerTargetSpec): target is typeof SOURCE_TARGET {
  return target === SOURCE_TARGET
}

/** The worker a target names, or undefined when none fits right now. */
export function pickWorker(
  state: LabState,
  task: string,
  target: WorkerTargetSpec,
  random = Math.random,
): WorkerView | undefined {
  const live = Object.values(state.workers).filter((w) => w.task === task && w.status === 'running')
  if (target === 'primary') {
    // Several may claim it (a zombie): the rightful one holds the smallest instance node.
    return primariesOf(state, task).sort((a, b) =>
      (a.node ?? '').slice(-10).localeCompare((b.node ?? '').slice(-10)),
    )[0]
  }
  if (target === 'standby') return live.find((w) => w.role === 'standby')
  if (target === 'random') return live[Math.floor(random() * live.length)]
  if (typeof target === 'number') return state.workers[`worker-${task}-${target}`]
  return state.workers[target]
}

/** The server a target names (`zk-2`, `zk-leader`, `zk-follower`), from the modes `srvr` last reported. */
export function pickServer(state: LabState, target: string): ZkServerView | undefined {
  const servers = state.zookeeper.servers
  if (target === 'zk-leader')
    return servers.find((s) => s.mode === 'leader') ?? (servers.length === 1 ? servers[0] : undefined)
  if (target === 'zk-follower') return servers.find((s) => s.mode === 'follower' && s.state === 'running')
  return servers.find((s) => s.name === target)
}
