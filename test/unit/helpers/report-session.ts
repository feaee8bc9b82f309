/**
 * A small hand-made session folder for the report's tests: two seed workers of task01, the primary
 * killed and replaced, monitor alerts, a ZooKeeper log line, an ephemeral node with its owner, and a
 * sink. The journal is left without session.closed unless asked, as a SIGKILLed lab leaves it.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { LabEvent } from '../../../src/shared/events.js'
import { JournalBuilder, T0, twoWorkers } from './checker-journal.js'

export { T0 }

export interface HandMadeSession {
  dir: string
  events: LabEvent[]
  nodes: [string, string]
}

export function handMadeJournal(opts: { closed?: boolean } = {}): { events: LabEvent[]; nodes: [string, string] } {
  const j = new JournalBuilder('task01', 500)
  j.add(5, 'lab', 'process.spawned', { name: 'zk-1', kind: 'zookeeper', pid: 900 })
  j.add(8, 'lab', 'zk.ready', { server: 1, name: 'zk-1', port: 2181, pid: 900, mode: 'standalone', version: '3.8.0' })
  const { nodes } = twoWorkers(j)
  j.add(300, 'monitor', 'monitor.alert', {
    task: 'task01',
    kind: 'status-stopped',
    message: 'task task01: status is "0" (stopped)',
    level: 'warn',
  })
  j.add(400, 'monitor', 'monitor.cleared', { task: 'task01', kind: 'status-stopped' })
  j.loop(200, 1, 1, 4)
  j.kill(2000, 1)
  j.add(2100, 'zk-1', 'log', {
    stream: 'stdout',
    level: 'info',
    line: '2026-01-01 00:00:02,100 INFO  [SessionTracker] ZooKeeperServer - Expiring session 0x1',
  })
  j.add(3600, 'monitor', 'monitor.alert', {
    task: 'task01',
    kind: 'commit-stalled',
    message: 'task task01: lastCommit unchanged at "4"',
    level: 'warn',
  })
  j.nodeDeleted(4000, nodes[0])
  j.watch(4001, 2)
  j.role(4002, 2, 'primary', nodes[1])
  j.status(4003, 2, '1')
  j.loop(4010, 2, 5, 6)
  // The observer's view of worker 2's node, owned by its session (JournalBuilder: `s<n>-<pid>`).
  j.add(4600, 'observer', 'znode.changed', {
    path: `/customBackUp/tasks/task01/instance/${nodes[1]}`,
    data: '<script>alert(1)</script>',
    cause: 'data',
    stat: {
      czxid: '0x9',
      mzxid: '0x10',
      pzxid: '0x9',
      ctime: T0 + 160,
      mtime: T0 + 4600,
      version: 1,
      cversion: 0,
      ephemeralOwner: 's2-1001',
      dataLength: 25,
      numChildren: 0,
    },
  })
  if (opts.closed) {
    j.add(5000, 'lab', 'session.closing')
    j.add(5001, 'lab', 'process.action', { name: 'worker-task01-2', action: 'stop' })
    j.add(5010, 'lab', 'process.exited', {
      name: 'worker-task01-2',
      pid: 1001,
      code: 143,
      signal: null,
      expected: true,
    })
    j.add(5020, 'lab', 'process.exited', { name: 'zk-1', pid: 900, code: 143, signal: null, expected: true })
    j.add(5030, 'lab', 'session.closed')
  }
  return { events: j.events, nodes }
}

/**
 * Writes the session folder. `tornJournal` and `tornSink` end those files with half a line, as a
 * process killed mid-write leaves them.
 */
export function writeHandMadeSession(
  opts: { closed?: boolean; tornJournal?: boolean; tornSink?: boolean; sessionJson?: boolean; dir?: string } = {},
): HandMadeSession {
  const dir = opts.dir ?? mkdtempSync(join(tmpdir(), 'zklab-report-unit-'))
  const { events, nodes } = handMadeJournal(opts)
  let journal = events.map((e) => JSON.stringify(e)).join('\n') + '\n'
  if (opts.tornJournal) journal += '{"time":1700000009000,"source":"worker-task01-2","type":"worker.wo'
  writeFileSync(join(dir, 'events.jsonl'), journal)
  mkdirSync(join(dir, 'sinks'), { recursive: true })
  const records = [1, 2, 3, 4].map((id) => ({ id, worker: 1, time: T0 + 200 + (id - 1) * 500, session: 's1-1000' }))
  records.push(...[5, 6].map((id) => ({ id, worker: 2, time: T0 + 4010 + (id - 5) * 500, session: 's2-1001' })))
  let sink = records.map((r) => JSON.stringify(r)).join('\n') + '\n'
  if (opts.tornSink) sink += '{"id":7,"worker":2,"ti'
  writeFileSync(join(dir, 'sinks', 'task01.log'), sink)
  if (opts.sessionJson !== false) {
    writeFileSync(
      join(dir, 'session.json'),
      JSON.stringify({
        name: 'hand-made',
        createdAt: new Date(T0).toISOString(),
        scenario: 'kill-primary',
        versions: { lab: '0.1.0', node: 'v20.0.0', platform: 'linux-x64' },
        zookeeper: {
          mode: 'standalone',
          tickTimeMs: 500,
          connectString: '127.0.0.1:2181',
          zookeeper: { version: '3.8.0' },
          java: { version: '17' },
        },
      }),
    )
  }
  return { dir, events, nodes }
}
