/**
 * The seed's monitor: watches every task under <root>/tasks (including tasks published later) and
 * raises alerts while something is wrong with one:
 * - status-stopped: its status node says "0";
 * - no-instance: no worker is registered under its instance node;
 * - commit-stalled: lastCommit has not changed for stall-intervals × commit-interval ms while the task
 *   should be making progress (status "1" or a worker registered).
 * An alert is raised once when its condition starts and cleared once when it ends.
 *
 *   node --import tsx src/worker/monitor.ts --connect 127.0.0.1:2181 [--root /customBackUp]
 *     [--commit-interval 1000] [--stall-intervals 3] [--session-timeout 4000] [--connect-timeout 15000]
 */
import { MonitorEventTypes as E, type AlertKind } from '../shared/events.js'
import { settingsOrExit } from './common/args.js'
import { createEmitter } from './common/emitter.js'
import { followChildren, followData, type Follower } from './common/follow.js'
import { taskPaths, tasksPath, type TaskPaths } from './common/paths.js'
import { runService } from './common/service.js'
import type { Session } from './common/session.js'
import type { ZkClient } from './common/zk.js'

const options = settingsOrExit('monitor')
const stallLimitMs = options.commitIntervalMs * options.stallIntervals

const { emit } = createEmitter()

interface TaskState {
  name: string
  paths: TaskPaths
  followers: Follower[]
  /** null: not known yet, or the node is missing */
  status: string | null
  instances: number | null
  lastCommit: string | null
  /** when lastCommit last changed, or when we started watching */
  lastProgressAt: number
  /** when the task started to be expected to make progress */
  activeSince: number | null
  alerts: Set<AlertKind>
}

const tasks = new Map<string, TaskState>()
let tasksFollower: Follower | undefined
/** The session each task's watches live on. */
const followedOn = new Map<string, ZkClient>()

const reportError = (err: unknown) =>
  emit(E.error, { message: err instanceof Error ? err.message : String(err) }, 'error')

function setAlert(task: TaskState, kind: AlertKind, on: boolean, message: () => string): void {
  if (on && !task.alerts.has(kind)) {
    task.alerts.add(kind)
    emit(E.alert, { task: task.name, kind, message: message() }, 'warn')
  } else if (!on && task.alerts.has(kind)) {
    task.alerts.delete(kind)
    emit(E.cleared, { task: task.name, kind })
  }
}

function evaluate(task: TaskState, now = Date.now()): void {
  const active = task.status === '1' || (task.instances ?? 0) > 0
  if (active && task.activeSince === null) task.activeSince = now
  if (!active) task.activeSince = null
  setAlert(task, 'status-stopped', task.status === '0', () => `task ${task.name}: status is "0" (stopped)`)
  setAlert(task, 'no-instance', task.instances === 0, () => `task ${task.name}: no worker registered under instance`)
  const quietFor = now - Math.max(task.lastProgressAt, task.activeSince ?? now)
  setAlert(
    task,
    'commit-stalled',
    active && quietFor >= stallLimitMs,
    () =>
      `task ${task.name}: lastCommit unchanged at ${JSON.stringify(task.lastCommit)} for ${quietFor} ms ` +
      `(limit ${options.stallIntervals} × ${options.commitIntervalMs} ms)`,
  )
}

function watchTask(session: Session, client: ZkClient, name: string): void {
  let task = tasks.get(name)
  if (!task) {
    task = {
      name,
      paths: taskPaths(options.root, name),
      followers: [],
      status: null,
      instances: null,
      lastCommit: null,
      lastProgressAt: Date.now(),
      activeSince: null,
      alerts: new Set(),
    }
    tasks.set(name, task)
    emit(E.watching, { task: name })
  }
  const t = task
  for (const f of t.followers) f.stop()
  const follow = { whenMissing: 'watch-creation', onError: reportError } as const
  t.followers = [
    followData(
      session,
      client,
      t.paths.status,
      (value) => {
        const status = value ? value.data.toString('utf8') : null
        if (status !== null && status !== t.status) emit(E.status, { task: name, value: status })
        t.status = status
        evaluate(t)
      },
      follow,
    ),
    followChildren(
      session,
      client,
      t.paths.instance,
      (value) => {
        t.instances = value ? value.children.length : null
        evaluate(t)
      },
      follow,
    ),
    followData(
      session,
      client,
      t.paths.lastCommit,
      (value) => {
        const commit = value ? value.data.toString('utf8') : null
        if (commit !== t.lastCommit) t.lastProgressAt = Date.now()
        t.lastCommit = commit
        evaluate(t)
      },
      follow,
    ),
  ]
}

function unwatchTask(name: string): void {
  const task = tasks.get(name)
  if (!task) return
  for (const f of task.followers) f.stop()
  for (const kind of task.alerts) emit(E.cleared, { task: name, kind, reason: 'task-deleted' })
  tasks.delete(name)
  followedOn.delete(name)
  emit(E.unwatched, { task: name })
}

function onSession(session: Session, client: ZkClient): void {
  // A new session has none of the old watches: follow everything again. Alert state is kept, so a
  // condition that lasts across the expiry is not reported twice.
  tasksFollower?.stop()
  tasksFollower = followChildren(
    session,
    client,
    tasksPath(options.root),
    (value) => {
      const names = new Set(value?.children ?? [])
      for (const name of [...tasks.keys()]) if (!names.has(name)) unwatchTask(name)
      for (const name of names) {
        const known = tasks.get(name)
        // Already followed on this session: its own watches keep it up to date.
        if (known && known.followers.length > 0 && followedOn.get(name) === client) continue
        followedOn.set(name, client)
        watchTask(session, client, name)
      }
    },
    { whenMissing: 'watch-creation', onError: reportError },
  )
}
await runService({
  emit,
  connectionType: E.connection,
  errorType: E.error,
  connect: options.connect,
  sessionTimeoutMs: options.sessionTimeoutMs,
  connectTimeoutMs: options.connectTimeoutMs,
  onSession,
})

// The stall check needs a clock: nothing in ZooKeeper changes while a task is stuck.
setInterval(
  () => {
    const now = Date.now()
    for (const task of tasks.values()) evaluate(task, now)
  },
  Math.max(50, Math.min(1000, Math.floor(options.commitIntervalMs / 2))),
)
