import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { buildReport } from '../../src/core/report/build-report.js'
import { renderHtml } from '../../src/core/report/html/render-html.js'
import { readSessionFolder } from '../../src/core/report/read-session-folder.js'
import { electionOf, electionOrder } from '../../src/shared/election.js'
import type { SessionReport } from '../../src/core/report/types.js'
import type { LabEvent } from '../../src/shared/events.js'
import { JournalBuilder, T0, twoWorkers } from './helpers/checker-journal.js'
import { reportValidator } from './helpers/report-schema.js'

const TASKS = '/customBackUp/tasks'
const dirs: string[] = []
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })))

function reportOf(events: readonly LabEvent[]): SessionReport {
  const dir = mkdtempSync(join(tmpdir(), 'zklab-report-sessions-'))
  dirs.push(dir)
  writeFileSync(join(dir, 'events.jsonl'), events.map((e) => JSON.stringify(e)).join('\n') + '\n')
  // Through JSON, as report.json is written and read.
  return JSON.parse(JSON.stringify(buildReport(readSessionFolder(dir), { labVersion: '0.1.0' }))) as SessionReport
}

function stat(owner: string) {
  return {
    czxid: '0x2',
    mzxid: '0x2',
    pzxid: '0x2',
    ctime: T0,
    mtime: T0,
    version: 0,
    cversion: 0,
    ephemeralOwner: owner,
    dataLength: 0,
    numChildren: 0,
  }
}

/** The lab's proxies read every handshake: task01 runs the lab's seed workers, task02 two kazoo peers. */
function proxiedJournal(): JournalBuilder {
  const j = new JournalBuilder('task01', 500)
  const handshake = (at: number, name: string, sessionId: string, how: string, timeoutMs = 4000) =>
    j.add(at, 'lab', 'client.session', { name, sessionId, how, timeoutMs, server: '127.0.0.1:2181' })
  const created = (at: number, path: string, owner: string) =>
    j.add(at, 'observer', 'znode.created', { path, data: '', stat: stat(owner) })
  j.add(1, 'lab', 'process.spawned', { name: 'observer', kind: 'observer', pid: 500 })
  j.add(2, 'observer', 'observer.connection', { state: 'connected', sessionId: '0x1000000ff' })
  j.publish(10)
  // Worker 1: primary, then partitioned long enough to expire; it comes back with a new session.
  j.spawn(100, 1)
  handshake(101, 'worker-task01-1', '1000000a1', 'new')
  j.add(150, 'worker-task01-1', 'worker.registered', { node: 'server_1_0000000000', path: '' })
  created(151, `${TASKS}/task01/instance/server_1_0000000000`, '0x01000000a1')
  j.role(152, 1, 'primary', 'server_1_0000000000')
  // Worker 2: its link is reset, it resumes the same session.
  j.spawn(200, 2)
  handshake(201, 'worker-task01-2', '1000000a2', 'new')
  created(251, `${TASKS}/task01/instance/server_2_0000000001`, '0x1000000a2')
  j.role(252, 2, 'standby', 'server_2_0000000001', 'server_1_0000000000')
  handshake(1100, 'worker-task01-2', '1000000a2', 'resumed')
  j.nodeDeleted(5000, 'server_1_0000000000')
  j.role(5010, 2, 'primary', 'server_2_0000000001')
  handshake(6000, 'worker-task01-1', '1000000a1', 'expired', 0)
  handshake(6010, 'worker-task01-1', '1000000a3', 'new')
  // task02: two kazoo Election peers; by name the second sorts first, by sequence the first is lowest.
  const peer = (at: number, n: number, node: string, sessionId: string) => {
    const name = `worker-task02-${n}`
    const settings = {
      program: 'external',
      connect: '127.0.0.1:40001',
      root: '/customBackUp',
      task: 'task02',
      workerId: n,
      sessionTimeoutMs: 4000,
      commitIntervalMs: 500,
      sink: '/tmp/x/sinks/task02.log',
      peer: 'kazoo',
      election: { path: 'election' },
    }
    j.add(at, 'lab', 'process.spawned', {
      name,
      kind: 'external',
      pid: 2000 + n,
      settings,
      labels: { task: 'task02', workerId: n, strategy: 'kazoo' },
    })
    handshake(at + 5, name, sessionId, 'new', 6000)
    created(at + 50, `${TASKS}/task02/election/${node}`, sessionId)
  }
  peer(300, 1, 'ff0c2b9e4a1d4e8f9c7b6a5d4e3f2a1b__lock__0000000000', '1000000b1')
  peer(400, 2, '00a1b2c3d4e5f60718293a4b5c6d7e8f__lock__0000000001', '1000000b2')
  j.add(460, 'lab', 'external.role', {
    name: 'worker-task02-1',
    task: 'task02',
    role: 'primary',
    node: 'ff0c2b9e4a1d4e8f9c7b6a5d4e3f2a1b__lock__0000000000',
    smallest: 'ff0c2b9e4a1d4e8f9c7b6a5d4e3f2a1b__lock__0000000000',
    sessionId: '1000000b1',
    derivedFrom: 'zookeeper',
  })
  return j
}

describe('report sessions', () => {
  const report = reportOf(proxiedJournal().events)
  const workersOf = (task: string) => report.sessions.tasks.find((t) => t.task === task)!.workers
  const sessionsOf = (task: string, worker: string) => workersOf(task).find((w) => w.process === worker)!.sessions

  it('lists a resumed session once, with both of its openings', () => {
    const [only, ...more] = sessionsOf('task01', 'worker-task01-2')
    expect(more).toEqual([])
    expect(only).toMatchObject({ sessionId: '0x1000000a2', seenBy: 'proxy', how: 'new', timeoutMs: 4000 })
    expect(only.openings.map((o) => [o.how, o.time - T0, o.server])).toEqual([
      ['new', 201, '127.0.0.1:2181'],
      ['resumed', 1100, '127.0.0.1:2181'],
    ])
    // Its node became the lowest when worker 1's went: it was the primary's session.
    expect(only.nodes).toEqual([{ node: 'server_2_0000000001', createdAt: T0 + 251, deletedAt: null, lowest: true }])
    expect(only.primary).toBe(true)
  })

  it('lists an expired session and the new one after it: the old one held the node, the new one none', () => {
    const sessions = sessionsOf('task01', 'worker-task01-1')
    expect(sessions.map((s) => [s.sessionId, s.how, s.primary])).toEqual([
      ['0x1000000a1', 'new', true],
      ['0x1000000a3', 'new', false],
    ])
    expect(sessions[0].openings.map((o) => o.how)).toEqual(['new', 'expired'])
    expect(sessions[0].nodes).toEqual([
      { node: 'server_1_0000000000', createdAt: T0 + 151, deletedAt: T0 + 5000, lowest: true },
    ])
    expect(sessions[1]).toMatchObject({ firstSeen: T0 + 6010, timeoutMs: 4000, nodes: [] })
  })

  it("reads an external worker's kazoo-style node under its election path, lowest by sequence", () => {
    expect(report.sessions.tasks.find((t) => t.task === 'task02')?.electionPath).toBe('election')
    const [first] = sessionsOf('task02', 'worker-task02-1')
    const [second] = sessionsOf('task02', 'worker-task02-2')
    expect(workersOf('task02').map((w) => w.kind)).toEqual(['external', 'external'])
    expect(first).toMatchObject({ sessionId: '0x1000000b1', timeoutMs: 6000, primary: true })
    expect(first.nodes.map((n) => n.node)).toEqual(['ff0c2b9e4a1d4e8f9c7b6a5d4e3f2a1b__lock__0000000000'])
    expect(second).toMatchObject({ sessionId: '0x1000000b2', primary: false })
    expect(second.nodes).toMatchObject([{ node: '00a1b2c3d4e5f60718293a4b5c6d7e8f__lock__0000000001', lowest: false }])
  })

  it("keeps the lab's own clients apart, and ignores what the proxied workers reported themselves", () => {
    expect(report.sessions.helpers).toEqual([
      {
        process: 'observer',
        kind: 'observer',
        sessions: [expect.objectContaining({ sessionId: '0x1000000ff', seenBy: 'process', how: 'new' })],
      },
    ])
    // JournalBuilder's workers also say worker.connected with made-up ids: the proxy's word wins.
    const all = report.sessions.tasks.flatMap((t) => t.workers.flatMap((w) => w.sessions))
    expect(all.every((s) => s.seenBy === 'proxy')).toBe(true)
  })

  it('validates against the schema, and shows a table per task in report.html', () => {
    expect(reportValidator()(report).errors).toBe('')
    const page = renderHtml(report)
    expect(page).toContain('<section id="sessions"><h2>Sessions</h2>')
    expect(page).toContain('<a href="#sessions">Sessions</a>')
    expect(page.match(/<table class="sessions" data-task="/g)).toHaveLength(2)
    const row = page.match(/<tr data-process="worker-task01-2" data-session="0x1000000a2">.*?<\/tr>/)?.[0] ?? ''
    expect(row).toContain('>resumed</span> +1.10 s')
    expect(row).toContain('<code>server_2_0000000001</code>')
    expect(row).toContain('<span class="pill ok">yes</span>')
    expect(page).toContain("<h3>The lab's own clients</h3>")
  })
})

describe('report sessions of a journal without client.session', () => {
  it('reports the sessions the workers reported, marked so, with the nodes they registered', () => {
    const { j, nodes } = twoWorkers(new JournalBuilder('task01', 500))
    // Worker 2 loses its link and gets the same session back; then it expires and opens another.
    j.add(400, 'worker-task01-2', 'worker.connection', { state: 'connecting', sessionId: 's2-1001' })
    j.add(500, 'worker-task01-2', 'worker.connection', { state: 'connected', sessionId: 's2-1001' })
    j.add(900, 'worker-task01-2', 'worker.connection', { state: 'expired', sessionId: 's2-1001' })
    j.add(910, 'worker-task01-2', 'worker.connected', { sessionId: 's2-1002', replaced: true })
    j.add(910, 'worker-task01-2', 'worker.connection', { state: 'connected', sessionId: 's2-1002' })
    const report = reportOf(j.events)
    expect(reportValidator()(report).errors).toBe('')
    const [w1, w2] = report.sessions.tasks[0].workers
    expect(w1.sessions).toMatchObject([
      { sessionId: 's1-1000', seenBy: 'process', how: 'new', timeoutMs: null, primary: true },
    ])
    expect(w1.sessions[0].nodes).toMatchObject([{ node: nodes[0], lowest: true }])
    expect(w2.sessions.map((s) => [s.sessionId, s.openings.map((o) => o.how), s.nodes.map((n) => n.node)])).toEqual([
      ['s2-1001', ['new', 'resumed', 'expired'], [nodes[1]]],
      ['s2-1002', ['new'], []],
    ])
    expect(renderHtml(report)).toContain('reported by the process')
  })

  it('renders a report.json written before sessions were reported', () => {
    const { j } = twoWorkers(new JournalBuilder('task01', 500))
    const { sessions: _sessions, ...old } = reportOf(j.events)
    expect(reportValidator()(old).errors).toBe('')
    expect(renderHtml(old as SessionReport)).toContain('No process reported a ZooKeeper session.')
  })
})

describe('election order (one definition for the roles, the checker and the report)', () => {
  it("orders by the sequence suffix, or by the task's own regex (numerically); a child it does not match takes no part", () => {
    const names = ['b-0000000002', 'a-0000000010', 'c-0000000001']
    expect(electionOrder(electionOf(undefined), names)).toEqual(['c-0000000001', 'b-0000000002', 'a-0000000010'])
    expect(electionOrder(electionOf({ order: '_(\\d+)$' }), ['n_10', 'n_9', 'other'])).toEqual(['n_9', 'n_10'])
  })
})
