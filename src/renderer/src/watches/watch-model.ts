/**
 * The watch graph as the Watches view draws it: per task, its workers on the left, the znodes they
 * watch on the right, one edge per watch, laid out in rows. Pure (no React, no store), so unit-tested.
 */
import type { WatchEdge } from '../../../shared/events.js'
import { LAB_ROOT, type LabState, type WorkerView, type ZnodeView } from '../../../shared/lab-state.js'
import { normalizeSessionId } from '../tree/tree-model.js'

/** Row pitch and column geometry of the drawing, in SVG units. */
export const ROW = 30
export const WORKER_WIDTH = 240
export const PATH_X = 400
export const GRAPH_WIDTH = 760

export interface WorkerNode {
  name: string
  role?: WorkerView['role']
  /** Centre of its row. */
  y: number
}

export interface PathNode {
  path: string
  /** Relative to the task (`instance`, `instance/server_2_…3`): the task is the group's title. */
  label: string
  /** The worker whose instance node this is, when known. */
  owner?: string
  /** Watches drawn on it. */
  count: number
  /** Every watch on it, the hidden clients' too. */
  total: number
  y: number
}

export interface EdgeView {
  worker: string
  path: string
  kind: WatchEdge['kind']
  inferred: boolean
  /** A worker's watch on its own instance node (the recipe keeps one): not part of the election's pattern. */
  own: boolean
  server: string
  session: string
  fromY: number
  toY: number
}

export interface TaskGraph {
  /** The task's name, or the lab root for watches outside any task. */
  task: string
  workers: WorkerNode[]
  paths: PathNode[]
  edges: EdgeView[]
  /** Watches left out: clients that are no worker (the lab's observer and monitor watch everything). */
  hidden: number
  height: number
}

const TASKS = `${LAB_ROOT}/tasks/`

/** The task a path is under, or undefined (the lab root, the tasks folder). */
export function taskOfPath(path: string): string | undefined {
  if (!path.startsWith(TASKS)) return undefined
  return path.slice(TASKS.length).split('/')[0] || undefined
}

/** A path relative to its task, with a sequential node's ten digits cut to the number they carry. */
export function shortPath(path: string): string {
  const task = taskOfPath(path)
  const rest = task === undefined ? path : path.slice(TASKS.length + task.length + 1) || '(task)'
  return rest.replace(/_(\d{10})$/, (_m, seq: string) => `_…${Number(seq)}`)
}

/** A sequential node's number (the election order), or Infinity. */
function sequenceOf(path: string): number {
  const m = /(\d{10})$/.exec(path)
  return m ? Number(m[1]) : Infinity
}

/** Paths top to bottom: the task itself, then each level before its children, nodes by sequence. */
function comparePaths(a: string, b: string): number {
  const depth = (p: string) => p.split('/').length
  return depth(a) - depth(b) || sequenceOf(a) - sequenceOf(b) || a.localeCompare(b)
}

const workerNumber = (w: WorkerView | undefined, name: string) => w?.workerId ?? Number(/(\d+)$/.exec(name)?.[1] ?? 0)

/**
 * Per task, the watch graph's nodes and edges laid out: every live worker of the task (a worker that
 * watches nothing is worth seeing too) and every worker with a watch under it; sessions of no worker
 * only with `others` (the lab's own clients watch every node and would hide the workers' pattern).
 */
export function watchGraph(
  watches: LabState['watches'] | undefined,
  workers: Record<string, WorkerView>,
  options: { others?: boolean } = {},
): TaskGraph[] {
  const edgesByTask = new Map<string, WatchEdge[]>()
  const hidden = new Map<string, number>()
  for (const e of watches?.edges ?? []) {
    const task = taskOfPath(e.path) ?? LAB_ROOT
    if (!e.worker && !options.others) {
      hidden.set(task, (hidden.get(task) ?? 0) + 1)
      continue
    }
    const list = edgesByTask.get(task) ?? []
    list.push(e)
    edgesByTask.set(task, list)
  }
  const live = Object.values(workers).filter((w) => w.status === 'running' || w.status === 'paused')
  for (const w of live) if (!edgesByTask.has(w.task)) edgesByTask.set(w.task, [])

  const graphs: TaskGraph[] = []
  for (const [task, edges] of edgesByTask) {
    const names = new Set(live.filter((w) => w.task === task).map((w) => w.name))
    for (const e of edges) names.add(watcherOf(e))
    // In election order (their instance nodes' sequence): the recipe's chain then reads as a staircase.
    const order = (n: string) => sequenceOf(workers[n]?.node ?? '')
    const workerNames = [...names].sort(
      (a, b) => order(a) - order(b) || workerNumber(workers[a], a) - workerNumber(workers[b], b) || a.localeCompare(b),
    )
    const pathNames = [...new Set(edges.map((e) => e.path))].sort(comparePaths)
    const rows = Math.max(workerNames.length, pathNames.length, 1)
    const y = (i: number, n: number) => ((rows - n) * ROW) / 2 + i * ROW + ROW / 2
    const workerY = new Map(workerNames.map((n, i) => [n, y(i, workerNames.length)]))
    const pathY = new Map(pathNames.map((p, i) => [p, y(i, pathNames.length)]))
    const owners = new Map(
      Object.values(workers)
        .filter((w) => w.node && w.task === task)
        .map((w) => [`${TASKS}${task}/instance/${w.node}`, w.name]),
    )
    graphs.push({
      task,
      workers: workerNames.map((name) => ({
        name,
        ...(workers[name] ? { role: workers[name].role } : {}),
        y: workerY.get(name)!,
      })),
      paths: pathNames.map((path) => {
        const owner = owners.get(path)
        const count = edges.filter((e) => e.path === path).length
        return {
          path,
          label: shortPath(path),
          ...(owner ? { owner } : {}),
          count,
          total: Math.max(count, watches?.counts[path] ?? 0),
          y: pathY.get(path)!,
        }
      }),
      edges: edges.map((e) => ({
        worker: watcherOf(e),
        path: e.path,
        kind: e.kind,
        inferred: e.inferred === true,
        own: e.worker !== undefined && owners.get(e.path) === e.worker,
        server: e.server,
        session: e.session,
        fromY: workerY.get(watcherOf(e))!,
        toY: pathY.get(e.path)!,
      })),
      hidden: hidden.get(task) ?? 0,
      height: rows * ROW,
    })
  }
  return graphs.sort(
    (a, b) => Number(a.task === LAB_ROOT) - Number(b.task === LAB_ROOT) || a.task.localeCompare(b.task),
  )
}

/** Who holds a watch: its worker, else its session (a client the lab does not know). */
function watcherOf(e: WatchEdge): string {
  return e.worker ?? `session 0x${e.session}`
}

/** An edge as an S-curve from the worker column's right side to the path column's left side. */
export function edgePath(e: Pick<EdgeView, 'fromY' | 'toY'>): string {
  const x1 = WORKER_WIDTH
  const x2 = PATH_X
  const mid = (x1 + x2) / 2
  return `M ${x1} ${e.fromY} C ${mid} ${e.fromY}, ${mid} ${e.toY}, ${x2} ${e.toY}`
}

export interface SessionRow {
  key: string
  session: string
  worker?: string
  server: string
  client: string
  establishedAt?: number
  timeoutMs?: number
  queued: number
  /** The last operation the server saw on it, as of the snapshot. */
  lastOp?: string
  /** Its watches in the latest watch graph (child watches inferred). */
  watches: number
  /** The ephemeral nodes its session owns in the observer's tree. */
  ephemeral: string[]
}

/**
 * The `cons` snapshot as table rows, each with its watches in the graph and the ephemeral nodes its
 * session owns: workers' sessions by worker, then unknown clients.
 */
export function sessionRows(
  sessions: LabState['sessions'] | undefined,
  watches?: LabState['watches'],
  tree: Record<string, Pick<ZnodeView, 'path' | 'stat'>> = {},
): SessionRow[] {
  const key = (id: string) => normalizeSessionId(id) ?? id
  const watchCount = new Map<string, number>()
  for (const e of watches?.edges ?? []) watchCount.set(key(e.session), (watchCount.get(key(e.session)) ?? 0) + 1)
  const owned = new Map<string, string[]>()
  for (const node of Object.values(tree)) {
    const owner = normalizeSessionId(node.stat?.ephemeralOwner)
    if (owner) owned.set(owner, [...(owned.get(owner) ?? []), node.path])
  }
  return (sessions?.connections ?? [])
    .map((c) => ({
      key: `${c.server}/${c.session}/${c.client}`,
      session: c.session,
      ...(c.worker ? { worker: c.worker } : {}),
      server: c.server,
      client: c.client,
      ...(c.establishedAt !== undefined ? { establishedAt: c.establishedAt } : {}),
      ...(c.timeoutMs !== undefined ? { timeoutMs: c.timeoutMs } : {}),
      queued: c.outstanding,
      ...(c.lastOp ? { lastOp: c.lastOp } : {}),
      watches: watchCount.get(key(c.session)) ?? 0,
      ephemeral: (owned.get(key(c.session)) ?? []).sort(),
    }))
    .sort(
      (a, b) =>
        Number(a.worker === undefined) - Number(b.worker === undefined) ||
        (a.worker ?? '').localeCompare(b.worker ?? '', 'en', { numeric: true }) ||
        a.session.localeCompare(b.session),
    )
}
