/**
 * Small hand-made journals for the checker's unit tests: the events the lab, the workers and the
 * observer would write, with times in ms after the session began and seqs in call order. Znode
 * versions are handed out in call order too, as ZooKeeper would in time order: where two workers'
 * writes interleave, make the calls in time order.
 */
import type { LabEvent } from '../../../src/shared/events.js'
import { encodeLaunch } from '../../../src/shared/worker-launch/index.js'
import { znodeStat } from './znode-stat.js'

export const T0 = 1_700_000_000_000
const ROOT = '/customBackUp/tasks'

export class JournalBuilder {
  readonly events: LabEvent[] = []
  private readonly pids = new Map<string, number>()
  private readonly versions = new Map<string, number>()
  private nextPid = 1000

  constructor(
    readonly task = 'task01',
    readonly commitIntervalMs = 500,
    /** What the task's workers are launched to do: count, or back up a binlog (commits are GTIDs `0-1-<id>`). */
    readonly workload: 'counter' | 'binlog' = 'counter',
  ) {
    this.add(0, 'lab', 'session.created', { dir: '/tmp/x', name: 'test' })
  }

  add(at: number, source: string, type: string, fields: Record<string, unknown> = {}): LabEvent {
    const e = { ...fields, time: T0 + at, source, type, seq: this.events.length + 1 } as LabEvent
    this.events.push(e)
    return e
  }

  /** Task nodes as the publisher creates them and the observer reports them. */
  publish(at: number): this {
    this.znode(at, 'created', 'lastCommit', '0')
    this.znode(at, 'created', 'status', '0')
    return this
  }

  spawn(at: number, n: number): string {
    const name = this.name(n)
    const pid = this.nextPid++
    this.pids.set(name, pid)
    // Recorded as the lab records a launch: the command line and the settings it decodes to.
    const { args, settings } = encodeLaunch('task-worker', {
      connect: '127.0.0.1:2181',
      root: '/customBackUp',
      task: this.task,
      workerId: n,
      strategy: 'seed',
      commitIntervalMs: this.commitIntervalMs,
      sink: `/tmp/x/sinks/${this.task}.log`,
      ...(this.workload === 'binlog'
        ? { workload: 'binlog' as const, source: '127.0.0.1:3307', sourceUser: 'backup' }
        : {}),
    })
    const launch = {
      args: ['--enable-source-maps', '/lab/out/worker/task-worker.mjs', ...args],
      settings: { program: 'task-worker', ...settings },
    }
    this.add(at, 'lab', 'process.spawned', {
      name,
      kind: 'worker',
      pid,
      ...launch,
      labels: { task: this.task, workerId: n, strategy: 'seed' },
    })
    this.add(at + 1, name, 'worker.started', { task: this.task, workerId: n, strategy: 'seed', pid })
    this.add(at + 2, name, 'worker.connected', { sessionId: `s${n}-${pid}`, replaced: false })
    return name
  }

  register(at: number, n: number, seq: number): string {
    const node = `server_${n}_${String(seq).padStart(10, '0')}`
    this.add(at, this.name(n), 'worker.registered', { node, path: `${ROOT}/${this.task}/instance/${node}` })
    this.add(at + 1, 'observer', 'znode.created', {
      path: `${ROOT}/${this.task}/instance/${node}`,
      data: '',
      stat: stat(0),
    })
    return node
  }

  role(at: number, n: number, role: 'primary' | 'standby', node: string, smallest = node): this {
    this.add(at, this.name(n), 'worker.role', { role, node, smallest })
    return this
  }

  /** A write to status by a worker, and the observer's report of it just after. */
  status(at: number, n: number, value: '0' | '1'): this {
    const version = this.bump('status')
    this.add(at, this.name(n), 'worker.status', { value, version })
    this.add(at + 2, 'observer', 'znode.changed', {
      path: `${ROOT}/${this.task}/status`,
      data: value,
      cause: 'data',
      stat: stat(version),
    })
    return this
  }

  /** The seed's unit of work: append (worker.work), then commit (worker.commit). */
  work(at: number, n: number, id: number, { commit = true }: { commit?: boolean } = {}): this {
    this.add(at, this.name(n), 'worker.work', { id })
    if (commit) this.commit(at + 2, n, id)
    return this
  }

  commit(at: number, n: number, id: number): this {
    const version = this.bump('lastCommit')
    const gtid = this.workload === 'binlog' ? `0-1-${id}` : undefined
    this.add(at, this.name(n), 'worker.commit', { id, version, ...(gtid ? { gtid } : {}) })
    this.add(at + 1, 'observer', 'znode.changed', {
      path: `${ROOT}/${this.task}/lastCommit`,
      data: gtid ?? String(id),
      cause: 'data',
      stat: stat(version),
    })
    return this
  }

  /** Units of work `from..to`, one every commit interval from `at`. Returns the time after the last. */
  loop(at: number, n: number, from: number, to: number): number {
    let t = at
    for (let id = from; id <= to; id++, t += this.commitIntervalMs) this.work(t, n, id)
    return t
  }

  action(at: number, n: number, action: string): this {
    this.add(at, 'lab', 'process.action', { name: this.name(n), action })
    return this
  }

  exited(at: number, n: number, signal: string | null = 'SIGKILL'): this {
    this.add(at, 'lab', 'process.exited', {
      name: this.name(n),
      pid: this.pids.get(this.name(n)),
      code: signal ? null : 0,
      signal,
      expected: true,
    })
    return this
  }

  kill(at: number, n: number): this {
    return this.action(at, n, 'kill').exited(at + 5, n)
  }

  nodeDeleted(at: number, node: string): this {
    this.add(at, 'observer', 'znode.deleted', { path: `${ROOT}/${this.task}/instance/${node}` })
    return this
  }

  watch(at: number, n: number): this {
    this.add(at, this.name(n), 'worker.watch', { path: `${ROOT}/${this.task}/instance`, event: 'child' })
    return this
  }

  znode(at: number, kind: 'created' | 'changed', child: 'lastCommit' | 'status', data: string, version = 0): this {
    this.add(at, 'observer', `znode.${kind}`, {
      path: `${ROOT}/${this.task}/${child}`,
      data,
      cause: 'data',
      stat: stat(version),
    })
    return this
  }

  name(n: number): string {
    return `worker-${this.task}-${n}`
  }

  private bump(child: string): number {
    const v = (this.versions.get(child) ?? 0) + 1
    this.versions.set(child, v)
    return v
  }
}

function stat(version: number) {
  return { ...znodeStat(), version, dataLength: 1 }
}

/** A started task with two workers: 1 primary (status "1"), 2 standby. */
export function twoWorkers(j = new JournalBuilder()): { j: JournalBuilder; nodes: [string, string] } {
  j.publish(10)
  j.spawn(100, 1)
  j.spawn(100, 2)
  const a = j.register(150, 1, 0)
  j.role(152, 1, 'primary', a)
  j.status(154, 1, '1')
  const b = j.register(160, 2, 1)
  j.role(162, 2, 'standby', b, a)
  return { j, nodes: [a, b] }
}
