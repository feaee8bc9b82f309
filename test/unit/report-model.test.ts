import { appendFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { checkSession } from '../../src/core/checker/check-session.js'
import { readSinks } from '../../src/core/session-folder/index.js'
import { buildReport } from '../../src/core/report/build-report.js'
import { faultLogWindows } from '../../src/core/report/fault-logs.js'
import { readSessionFolder, SessionFolderError } from '../../src/core/report/read-session-folder.js'
import type { LabEvent } from '../../src/shared/events.js'
import { T0, writeHandMadeSession } from './helpers/report-session.js'
import { anyNumber, stringContaining, stringMatching } from '../matchers.js'

const dirs: string[] = []
function session(opts: Parameters<typeof writeHandMadeSession>[0] = {}) {
  const made = writeHandMadeSession(opts)
  dirs.push(made.dir)
  return made
}
function report(dir: string) {
  return buildReport(readSessionFolder(dir), { generatedAt: new Date(T0 + 60_000), labVersion: '9.9.9' })
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
})

describe('report model from a hand-made journal', () => {
  it('reads a cut-off journal with a truncated last line up to its last whole event, and says so', () => {
    const { dir, events } = session({ tornJournal: true })
    const r = report(dir)
    expect(r.integrity.closedCleanly).toBe(false)
    expect(r.integrity.ending).toBe('cut-off')
    expect(r.integrity.events).toBe(events.length)
    expect(r.integrity.lastEvent).toMatchObject({ seq: events.length, type: 'znode.changed', source: 'observer' })
    expect(r.integrity.journalProblems).toEqual([
      { line: events.length + 1, kind: 'truncated', message: stringContaining('truncated last line') },
    ])
    // The lab was gone before it stopped anyone: the new primary and ZooKeeper were still running.
    expect(r.integrity.runningAtEnd).toEqual(['worker-task01-2', 'zk-1'])
    expect(r.summary.end).toBe(new Date(events.at(-1)!.time).toISOString())
    expect(r.summary.run).toBeNull()
  })

  it('reports a session that closed as closed, its end at session.closed', () => {
    const { dir, events } = session({ closed: true })
    const r = report(dir)
    expect(r.integrity).toMatchObject({ closedCleanly: true, ending: 'closed', journalProblems: [], runningAtEnd: [] })
    expect(r.summary.endMs).toBe(events.at(-1)!.time)
    expect(r.summary.durationMs).toBe(events.at(-1)!.time - T0)
    // The lab's stop-all is teardown: not a fault, and where the timeline shades.
    expect(r.faults.map((f) => f.kind)).toEqual(['kill'])
    expect(r.timeline.teardownAt).toBe(T0 + 5000)
  })

  it('summarizes the session from session.json and the journal', () => {
    const r = report(session().dir)
    expect(r.schemaVersion).toBe(1)
    expect(r.generator).toEqual({ name: 'zklab', version: '9.9.9' })
    expect(r.summary).toMatchObject({
      name: 'hand-made',
      scenario: 'kill-primary',
      strategies: ['seed'],
      workerCount: 2,
      startMs: T0,
      start: new Date(T0).toISOString(),
      zookeeper: {
        version: '3.8.0',
        mode: 'standalone',
        tickTimeMs: 500,
        connectString: '127.0.0.1:2181',
        java: '17',
        servers: [{ id: 1, name: 'zk-1', port: 2181, mode: 'standalone' }],
      },
      tasks: [
        {
          name: 'task01',
          workers: ['worker-task01-1', 'worker-task01-2'],
          strategies: ['seed'],
          commitIntervalMs: 500,
        },
      ],
      versions: { lab: '0.1.0', node: 'v20.0.0', platform: 'linux-x64' },
    })
  })

  it('falls back to the journal when session.json is missing', () => {
    const r = report(session({ sessionJson: false }).dir)
    expect(r.integrity.sessionFileProblem).toMatch(/session.json is missing/)
    expect(r.summary.name).toBe('test')
    expect(r.summary.zookeeper).toMatchObject({ version: '3.8.0', mode: 'standalone' })
  })

  it("carries the checker's verdicts exactly, with their evidence", () => {
    const { dir } = session({ tornSink: true })
    const r = report(dir)
    const folder = readSessionFolder(dir)
    const check = checkSession({ events: folder.events, sinks: readSinks(dir).sinks })
    expect(r.check.ok).toBe(check.ok)
    expect(r.check.verdicts.map((v) => [v.invariant, v.task, v.ok, v.summary])).toEqual(
      check.verdicts.map((v) => [v.invariant, v.task, v.ok, v.summary]),
    )
    expect(r.check.verdicts.flatMap((v) => v.violations.map((x) => x.message))).toEqual(
      check.verdicts.flatMap((v) => v.violations.map((x) => x.message)),
    )
  })

  it('shows a violation with its time, workers, ids and context events', () => {
    // Worker 2 backs up id 5 a second time: the sink, the ground truth, holds it twice.
    const { dir } = session()
    const path = join(dir, 'events.jsonl')
    const lines = readFileSync(path, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as LabEvent)
    let seq = lines.length
    const add = (at: number, source: string, type: string, fields: Record<string, unknown> = {}) =>
      appendFileSync(path, JSON.stringify({ ...fields, time: T0 + at, source, type, seq: ++seq }) + '\n')
    add(4700, 'worker-task01-2', 'worker.work', { id: 5 })
    appendFileSync(
      join(dir, 'sinks', 'task01.log'),
      JSON.stringify({ id: 5, worker: 2, time: T0 + 4700, session: 's2-1001' }) + '\n',
    )
    const r = report(dir)
    const sink = r.check.verdicts.find((v) => v.invariant === 'sink-integrity')!
    expect(sink.ok).toBe(false)
    const v = sink.violations[0]
    expect(v).toMatchObject({ time: anyNumber(), kind: 'duplicate', workers: ['worker-task01-2'], ids: [5] })
    expect(v.message).toMatch(/Id 5/)
    expect(v.context.length).toBeGreaterThan(0)
    expect(v.context.every((e) => typeof e.seq === 'number' && typeof e.type === 'string')).toBe(true)
    expect(r.timeline.tasks[0].violations.some((x) => x.invariant === 'sink-integrity')).toBe(true)
  })

  it('lists every failover with its breakdown and gap', () => {
    const r = report(session().dir)
    expect(r.failovers).toHaveLength(1)
    const f = r.failovers[0]
    expect(f).toMatchObject({
      index: 1,
      task: 'task01',
      fault: 'kill',
      from: 'worker-task01-1',
      to: 'worker-task01-2',
      faultTime: T0 + 2000,
      lastCommitBefore: 4,
      firstCommitId: 5,
      continued: true,
    })
    expect(f.steps).toEqual({
      sessionEnded: 2000,
      nodeDeleted: 2000,
      watchFired: 2001,
      newPrimary: 2002,
      firstCommit: 2012,
    })
    expect(f.gapMs).toBe(2012)
    expect(r.faults).toEqual([
      expect.objectContaining({
        index: 1,
        kind: 'kill',
        target: 'worker-task01-1',
        task: 'task01',
        recovery: false,
        hitPrimary: true,
      }),
    ])
  })

  it('draws each worker as lanes of starting, standby, primary and dead, with its working intervals', () => {
    const r = report(session().dir)
    const lanes = Object.fromEntries(r.timeline.tasks[0].lanes.map((l) => [l.worker, l]))
    const states = (w: string) => lanes[w].intervals.map((i) => [i.state, i.start - T0, i.end - T0])
    const end = r.summary.endMs - T0
    expect(states('worker-task01-1')).toEqual([
      ['starting', 100, 152],
      ['primary', 152, 2005],
      ['dead', 2005, end],
    ])
    expect(states('worker-task01-2')).toEqual([
      ['starting', 100, 162],
      ['standby', 162, 4002],
      ['primary', 4002, end],
    ])
    expect(lanes['worker-task01-1'].working.map((w) => [w.start - T0, w.end - T0])).toEqual([[200, 1702]])
    expect(r.timeline.tasks[0].lastCommit.map((c) => c.value)).toEqual([0, 1, 2, 3, 4, 5, 6])
    expect(r.timeline.servers).toEqual([
      {
        name: 'zk-1',
        intervals: [
          { state: 'starting', start: T0 + 5, end: T0 + 8 },
          { state: 'running', start: T0 + 8, end: r.summary.endMs },
        ],
      },
    ])
  })

  it('pairs alerts with their clearing, and keeps the open ones open', () => {
    const r = report(session().dir)
    expect(r.alerts).toEqual([
      expect.objectContaining({
        kind: 'status-stopped',
        raisedAt: T0 + 300,
        clearedAt: T0 + 400,
        durationMs: 100,
        repeats: 0,
      }),
      expect.objectContaining({ kind: 'commit-stalled', raisedAt: T0 + 3600, clearedAt: null, durationMs: null }),
    ])
  })

  it('replays the final tree and names the worker that owns each ephemeral node', () => {
    const { dir, nodes } = session()
    const r = report(dir)
    const node = r.tree.nodes.find((n) => n.path.endsWith(nodes[1]))!
    expect(node).toMatchObject({
      ephemeral: true,
      owner: 'worker-task01-2',
      ownerAlive: true,
      data: '<script>alert(1)</script>',
    })
    expect(r.tree.nodes.find((n) => n.path.endsWith(nodes[0]))).toBeUndefined()
    const lastCommit = r.tree.nodes.find((n) => n.path === '/customBackUp/tasks/task01/lastCommit')!
    expect(lastCommit).toMatchObject({ data: '6', ephemeral: false, owner: null })
    expect(r.tree.asOf).toBe(T0 + 4600)
  })

  it('keeps log lines of every process around each fault', () => {
    const r = report(session().dir)
    expect(r.faultLogs).toHaveLength(1)
    const w = r.faultLogs[0]
    expect(w).toMatchObject({
      faultIndex: 1,
      kind: 'kill',
      target: 'worker-task01-1',
      from: T0 + 2000 - 5000,
      to: T0 + 2000 + 5000,
      recovery: null,
    })
    const zk = w.processes.find((p) => p.process === 'zk-1')!
    expect(zk.lines.map((l) => l.text)).toContainEqual(stringContaining('Expiring session'))
    const lab = w.processes.find((p) => p.process === 'lab')!
    expect(lab.lines.map((l) => l.text)).toContain('process.action name=worker-task01-1 action=kill')
    expect(w.processes.map((p) => p.process)).toEqual(
      expect.arrayContaining(['worker-task01-1', 'worker-task01-2', 'observer', 'monitor']),
    )
  })

  it('bounds a window per process, keeping the lines nearest the fault', () => {
    const events: LabEvent[] = Array.from({ length: 100 }, (_, i) => ({
      seq: i + 1,
      time: T0 + i * 100,
      source: 'zk-1',
      type: 'log',
      stream: 'stdout',
      line: `line ${i}`,
    }))
    const [w] = faultLogWindows(
      events,
      [
        {
          index: 1,
          seq: 50,
          time: T0 + 5000,
          kind: 'kill',
          target: 'worker-x-1',
          task: 'x',
          recovery: false,
          hitPrimary: true,
        },
      ],
      { maxLinesPerProcess: 10 },
    )
    // 100 lines in the window (0 to 10 s), 10 kept.
    expect(w.processes[0].omitted).toBe(90)
    expect(w.processes[0].lines.map((l) => l.text)).toEqual([
      'line 45',
      'line 46',
      'line 47',
      'line 48',
      'line 49',
      'line 50',
      'line 51',
      'line 52',
      'line 53',
      'line 54',
    ])
  })

  it('reports a torn sink line and skips it', () => {
    const r = report(session({ tornSink: true }).dir)
    expect(r.integrity.sinkProblems).toEqual([
      {
        task: 'task01',
        file: 'sinks/task01.log',
        line: 7,
        kind: 'truncated',
        message: stringContaining('truncated last line'),
      },
    ])
    expect(r.sinks).toEqual([{ task: 'task01', records: 6, last: 6, missing: [], duplicates: [], unreadable: 1 }])
  })

  it('reports a corrupt line in the middle of the journal and the gap it leaves', () => {
    const { dir, events } = session()
    const lines = readFileSync(join(dir, 'events.jsonl'), 'utf8').split('\n')
    lines[10] = '{"this is not": json'
    writeFileSync(join(dir, 'events.jsonl'), lines.join('\n'))
    const r = report(dir)
    expect(r.integrity.events).toBe(events.length - 1)
    expect(r.integrity.journalProblems).toEqual([
      { line: 11, kind: 'corrupt', message: stringMatching(/^not JSON/) },
      { line: null, kind: 'seq-gap', message: 'seq 11 is missing between readable events 10 and 12' },
    ])
  })
})

describe('reading a session folder', () => {
  const scratch = () => {
    const dir = mkdtempSync(join(tmpdir(), 'zklab-report-folder-'))
    dirs.push(dir)
    return dir
  }

  it('refuses a folder that does not exist', () => {
    expect(() => readSessionFolder('/nonexistent/zklab/session')).toThrow(
      new SessionFolderError('/nonexistent/zklab/session: no such folder'),
    )
  })

  it('refuses a folder without a journal, naming what is missing', () => {
    const dir = scratch()
    expect(() => readSessionFolder(dir)).toThrow(
      /is not a session folder: neither events.jsonl \(the journal\) nor session.json is there/,
    )
    writeFileSync(join(dir, 'session.json'), '{}')
    expect(() => readSessionFolder(dir)).toThrow(/is not a session folder: events.jsonl \(the journal\) is missing/)
  })

  it('refuses a file, and a journal without a single event', () => {
    const dir = scratch()
    writeFileSync(join(dir, 'file.txt'), 'x')
    expect(() => readSessionFolder(join(dir, 'file.txt'))).toThrow(/not a folder/)
    mkdirSync(join(dir, 's'))
    writeFileSync(join(dir, 's', 'events.jsonl'), '')
    expect(() => readSessionFolder(join(dir, 's'))).toThrow(/holds no lab event \(it is empty\)/)
    writeFileSync(join(dir, 's', 'events.jsonl'), '{"torn')
    expect(() => readSessionFolder(join(dir, 's'))).toThrow(/holds no lab event \(1 unreadable line/)
  })
})
