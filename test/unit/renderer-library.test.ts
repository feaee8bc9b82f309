import { afterEach, describe, expect, it } from 'vitest'
import type { SessionSummary } from '../../src/shared/api.js'
import type { LabEvent } from '../../src/shared/events.js'
import { replay } from '../../src/shared/lab-state.js'
import { resetStore, useStore } from '../../src/renderer/src/app/store.js'
import { loadHistory, resetIngest } from '../../src/renderer/src/lab/ingest.js'
import { livePaused } from '../../src/renderer/src/lab/live-gate.js'
import { logBuffers, MERGED } from '../../src/renderer/src/logs/log-store.js'
import { timelineModel } from '../../src/renderer/src/timeline/timeline-store.js'
import { MAX_SNAPSHOTS, ReplayIndex } from '../../src/renderer/src/library/replay-index.js'
import { verdictOf } from '../../src/renderer/src/library/VerdictTag.js'
import {
  closeReplay,
  enterReplay,
  FORWARD_BY_INGEST,
  jumpToMarker,
  replayIndex,
  scrubTo,
  scrubToTime,
} from '../../src/renderer/src/library/replay.js'

const TASK = '/customBackUp/tasks/t1'
const stat = (ephemeralOwner = '0', version = 0) => ({
  czxid: '0x1',
  mzxid: '0x1',
  pzxid: '0x1',
  ctime: 0,
  mtime: 0,
  version,
  cversion: 0,
  ephemeralOwner,
  dataLength: 0,
  numChildren: 0,
})

/**
 * A session journal the way the lab writes one: ZooKeeper, a task, three workers that commit, a
 * primary killed every `killEvery` events (its node deleted, a standby taking over, the worker
 * restarted and registered again), chatty logs, a few hundred unrelated znodes, and children's
 * clocks a few ms apart (times are not in journal order).
 */
function journal(size: number, killEvery = 2000): LabEvent[] {
  const events: LabEvent[] = []
  let seq = 0
  let clock = 1_700_000_000_000
  const push = (source: string, type: string, fields: Record<string, unknown> = {}) => {
    clock += 3
    // A child's clock a little behind the lab's, now and then.
    const time = seq % 11 === 5 ? clock - 7 : clock
    events.push({ seq: ++seq, time, source, type, ...fields } as LabEvent)
  }
  push('lab', 'session.created', { dir: '/sessions/big', name: 'big' })
  push('lab', 'zk.starting', { server: 1, name: 'zk-1', port: 2181, pid: 10 })
  push('lab', 'zk.ready', { server: 1, name: 'zk-1', port: 2181, pid: 10, mode: 'standalone', version: '3.8.0' })
  for (const path of ['/customBackUp', '/customBackUp/tasks', TASK, `${TASK}/instance`])
    push('observer', 'znode.created', { path, stat: stat(), data: '' })
  push('observer', 'znode.created', { path: `${TASK}/lastCommit`, stat: stat(), data: '0' })
  for (let i = 0; i < 300; i++)
    push('observer', 'znode.created', { path: `/customBackUp/tasks/extra${i}`, stat: stat(), data: `x${i}` })
  let nodeSeq = 0
  const nodes = new Map<string, string>()
  const pids = new Map<string, number>()
  const spawn = (w: number, pid: number) => {
    const name = `worker-t1-${w}`
    pids.set(name, pid)
    push('lab', 'process.spawned', {
      name,
      kind: 'worker',
      pid,
      labels: { task: 't1', workerId: w, strategy: 'recipe' },
    })
    push(name, 'worker.connected', { sessionId: `s${pid}` })
    const node = `server_${w}_${String(nodeSeq++).padStart(10, '0')}`
    nodes.set(name, node)
    push(name, 'worker.registered', { node, path: `${TASK}/instance/${node}` })
    push('observer', 'znode.created', { path: `${TASK}/instance/${node}`, stat: stat(`s${pid}`), data: '' })
  }
  let pid = 100
  for (let w = 1; w <= 3; w++) spawn(w, pid++)
  let primary = 1
  push('worker-t1-1', 'worker.role', { role: 'primary' })
  push('worker-t1-2', 'worker.role', { role: 'standby' })
  push('worker-t1-3', 'worker.role', { role: 'standby' })
  let id = 0
  while (events.length < size - 3) {
    const name = `worker-t1-${primary}`
    if (events.length % killEvery < 10 && events.length > killEvery / 2) {
      // Kill the primary; the next worker takes over.
      const next = (primary % 3) + 1
      const faultTime = clock
      push('lab', 'process.action', { name, action: 'kill' })
      push('lab', 'process.exited', { name, pid: pids.get(name), code: null, signal: 'SIGKILL', expected: true })
      push('observer', 'znode.deleted', { path: `${TASK}/instance/${nodes.get(name)}` })
      push(`worker-t1-${next}`, 'worker.role', { role: 'primary' })
      push('lab', 'failover', {
        task: 't1',
        fault: 'kill',
        from: name,
        to: `worker-t1-${next}`,
        faultTime,
        newPrimaryMs: 12,
        firstCommitMs: 30,
      })
      spawn(primary, pid++)
      push(name, 'worker.role', { role: 'standby' })
      primary = next
      continue
    }
    id++
    push(name, 'worker.commit', { id, version: id })
    push('observer', 'znode.changed', { path: `${TASK}/lastCommit`, stat: stat('0', id), data: String(id) })
    push(name, 'log', { stream: 'stdout', line: `committed ${id} to ${TASK}/lastCommit` })
    push('zk-1', 'log', { stream: 'stdout', line: `INFO processed session request ${id}` })
  }
  push('lab', 'checker.violation', {
    invariant: 'single-primary',
    task: 't1',
    kind: 'overlap',
    message: 'two primaries',
    at: clock,
  })
  push('checker', 'checker.report', {
    ok: false,
    verdicts: [{ invariant: 'single-primary', task: 't1', ok: false, summary: 'overlap', violations: 1 }],
    failovers: [],
  })
  push('lab', 'session.closed')
  return events
}

const summary = (events: LabEvent[]): SessionSummary => ({
  dir: '/sessions/big',
  name: 'big',
  createdAt: new Date(events[0].time).toISOString(),
  strategies: ['recipe'],
  closedCleanly: true,
  verdictOk: false,
})

afterEach(() => {
  if (replayIndex()) closeReplay()
  resetIngest()
  resetStore()
})

describe('ReplayIndex', () => {
  const events = journal(12_000, 1500)
  const index = new ReplayIndex(events, { every: 500 })

  it('gives the same state as the shared reducer at every kind of position', () => {
    const positions = [0, 1, 2, 499, 500, 501, 999, 1000, 4321, events.length - 1, events.length]
    for (let i = 0; i < 20; i++) positions.push(Math.floor(Math.random() * events.length))
    for (const n of positions) expect(index.stateAt(n), `position ${n}`).toEqual(replay(events.slice(0, n)))
  })

  it('hands out copies: changing one does not change the next', () => {
    const a = index.stateAt(1200)
    a.tree = {}
    a.workers['worker-t1-1'].role = 'starting'
    a.tasks.t1.instances.length = 0
    expect(index.stateAt(1200)).toEqual(replay(events.slice(0, 1200)))
    // The snapshot at exactly 1000 is handed out as a copy too.
    index.stateAt(1000).tasks.t1.instances.push('bogus')
    expect(index.stateAt(1000).tasks.t1.instances).not.toContain('bogus')
  })

  it('maps time to positions even when children stamp events out of journal order', () => {
    expect(events.some((e, i) => i > 0 && e.time < events[i - 1].time)).toBe(true)
    expect(index.countAt(index.startTime - 1)).toBe(0)
    expect(index.countAt(index.endTime)).toBe(events.length)
    expect(index.timeOf(0)).toBe(index.startTime)
    let previous = -Infinity
    for (let n = 1; n <= events.length; n += 97) {
      const t = index.timeOf(n)
      // Time only moves forward with the position, and the position at that time includes it.
      expect(t).toBeGreaterThanOrEqual(previous)
      expect(index.countAt(t)).toBeGreaterThanOrEqual(n)
      expect(index.timeOf(index.countAt(t))).toBe(t)
      previous = t
    }
  })

  it('marks faults, failovers and violations, and finds the next and previous one', () => {
    const kinds = new Set(index.markers.map((m) => m.kind))
    expect(kinds).toEqual(new Set(['fault', 'failover', 'violation']))
    const first = index.markers[0]
    expect(first).toMatchObject({ kind: 'fault', action: 'kill', subject: 'worker-t1-1', harmful: true })
    expect(events[first.count - 1].type).toBe('process.action')
    expect(index.nextMarker(0)).toBe(first)
    // On a marker, "next" moves on and "previous" goes back.
    expect(index.nextMarker(first.count)!.count).toBeGreaterThan(first.count)
    expect(index.previousMarker(first.count)).toBeUndefined()
    const failover = index.nextMarker(0, new Set(['failover']))!
    expect(failover.subject).toBe('worker-t1-1 → worker-t1-2')
    expect(index.previousMarker(events.length + 1)!.kind).toBe('violation')
  })

  it('leaves the lab’s teardown out: no markers, and no takeover awaited on the timeline', () => {
    const closing = [...events.slice(0, -3)]
    const seq = closing.at(-1)!.seq
    const time = closing.at(-1)!.time
    const primary = replay(closing).workers
    const name = Object.values(primary).find((w) => w.role === 'primary' && w.status === 'running')!.name
    closing.push({ seq: seq + 1, time: time + 1, source: 'lab', type: 'session.closing' })
    closing.push({ seq: seq + 2, time: time + 2, source: 'lab', type: 'process.action', name, action: 'stop' })
    const idx = new ReplayIndex(closing)
    expect(idx.markers.at(-1)!.count).toBeLessThan(closing.length - 1)
    timelineModel.reset()
    timelineModel.applyAll(closing)
    expect(timelineModel.tasks.get('t1')!.faults.at(-1)).toMatchObject({
      worker: name,
      action: 'stop',
      wasPrimary: true,
      teardown: true,
    })
    expect(timelineModel.tasks.get('t1')!.faults.filter((f) => f.teardown)).toHaveLength(1)
    timelineModel.reset()
  })

  it('spaces snapshots wider for very long journals rather than keeping more', () => {
    const long = journal(60_000)
    const wide = new ReplayIndex(long, { every: 10 })
    expect(wide.every).toBe(Math.ceil(60_000 / MAX_SNAPSHOTS))
    expect(wide.stateAt(45_678)).toEqual(replay(long.slice(0, 45_678)))
  })
})

describe('replay in the store', () => {
  it('opens at the end through the ingest path, and pauses live until Back to live', () => {
    const events = journal(3000, 1000)
    const runsBefore = useStore.getState().runs
    enterReplay(summary(events), events)
    const s = useStore.getState()
    expect(livePaused()).toBe(true)
    expect(s.replay).toMatchObject({
      name: 'big',
      total: events.length,
      position: events.length,
      seq: events.at(-1)!.seq,
    })
    const end = replay(events)
    expect(s.tree).toEqual(end.tree)
    expect(s.workers).toEqual(end.workers)
    expect(s.verdicts).toEqual(end.verdicts)
    expect(s.sessionPhase).toBe('closed')
    // Not a run of this window, and no toasts for a past session's violations.
    expect(s.runs).toBe(runsBefore)
    expect(s.toasts).toEqual([])
    expect(logBuffers.ring(MERGED)!.at(logBuffers.ring(MERGED)!.length - 1)!.seq).toBe(events.at(-1)!.seq)

    closeReplay()
    expect(livePaused()).toBe(false)
    expect(useStore.getState().replay).toBeUndefined()
    expect(useStore.getState().tree).toEqual({})
    expect(timelineModel.tasks.size).toBe(0)
  })

  it('scrubs back and forth: state, tree, logs at the position; the timeline keeps the whole session', () => {
    const events = journal(8000, 1500)
    enterReplay(summary(events), events)
    const failovers = timelineModel.tasks.get('t1')!.failovers.length
    expect(failovers).toBeGreaterThan(2)
    const index = replayIndex()!
    const firstKill = index.markers.find((m) => m.kind === 'fault')!
    const victim = firstKill.subject
    const registered = events.find((e) => e.type === 'worker.registered' && e.source === victim)
    const node = registered?.type === 'worker.registered' ? registered.node : ''

    // Back to just before the first kill: the victim is primary and its node is in the tree.
    scrubTo(firstKill.count - 1)
    let s = useStore.getState()
    expect(s.workers[victim]).toMatchObject({ role: 'primary', status: 'running' })
    expect(s.tree[`${TASK}/instance/${node}`]).toBeDefined()
    expect(s.tree).toEqual(index.stateAt(firstKill.count - 1).tree)
    expect(s.replay!.time).toBe(index.timeOf(firstKill.count - 1))
    const ring = logBuffers.ring(MERGED)!
    expect(ring.at(ring.length - 1)!.seq).toBe(events[firstKill.count - 2].seq)

    // A short step forward goes through ingest: untouched workers keep their object.
    const untouched = s.workers['worker-t1-3']
    jumpToMarker(1, new Set(['failover']))
    s = useStore.getState()
    expect(s.replay!.position - (firstKill.count - 1)).toBeLessThanOrEqual(FORWARD_BY_INGEST)
    expect(s.tree[`${TASK}/instance/${node}`]).toBeUndefined()
    expect(s.workers[victim].status).toBe('crashed')
    expect(s.workers['worker-t1-3']).toBe(untouched)
    expect(s.workers).toEqual(index.stateAt(s.replay!.position).workers)

    // By time, as the slider does it.
    scrubToTime(index.startTime - 1)
    expect(useStore.getState().replay!.position).toBe(0)
    expect(useStore.getState().tree).toEqual({})
    scrubToTime(index.endTime)
    expect(useStore.getState().tree).toEqual(replay(events).tree)
    expect(timelineModel.tasks.get('t1')!.failovers.length).toBe(failovers)
  })

  it('keeps the selected znode and the log tab while scrubbing back', () => {
    const events = journal(3000, 1000)
    enterReplay(summary(events), events)
    useStore.getState().selectNode(`${TASK}/lastCommit`)
    useStore.getState().setLogSource('worker-t1-1')
    scrubTo(10)
    expect(useStore.getState().treeSelected).toBe(`${TASK}/lastCommit`)
    expect(useStore.getState().logSource).toBe('worker-t1-1')
  })

  it('reads one journal as one session, even when it holds a second session.created', () => {
    const events = journal(1500, 1000)
    const again: LabEvent = {
      seq: events.length + 1,
      time: events.at(-1)!.time + 10,
      source: 'lab',
      type: 'session.created',
      dir: '/sessions/big',
      name: 'big',
    }
    const more: LabEvent[] = [
      ...events,
      again,
      {
        seq: events.length + 2,
        time: again.time + 1,
        source: 'lab',
        type: 'zk.starting',
        server: 2,
        name: 'zk-2',
        port: 2182,
      },
    ]
    enterReplay(summary(more), more)
    expect(useStore.getState().tree).toEqual(replay(more).tree)
    expect(useStore.getState().zookeeper.servers.map((x) => x.name)).toEqual(['zk-1', 'zk-2'])
  })

  it('is fast enough to drag over 50,000 events', () => {
    const events = journal(50_000)
    let t0 = performance.now()
    enterReplay(summary(events), events)
    const open = performance.now() - t0
    const positions = Array.from({ length: 30 }, () => Math.floor(Math.random() * events.length))
    t0 = performance.now()
    for (const n of positions) scrubTo(n)
    const perScrub = (performance.now() - t0) / positions.length
    t0 = performance.now()
    for (let i = 0; i < 200; i++) replayIndex()!.stateAt(Math.floor(Math.random() * events.length))
    const perState = (performance.now() - t0) / 200
    // Measured here ~1 ms a state and 20–30 ms a scrub; the bounds allow for a loaded machine.
    console.info(
      `50k events: open ${open.toFixed(0)} ms, scrub ${perScrub.toFixed(1)} ms, stateAt ${perState.toFixed(2)} ms`,
    )
    expect(perState).toBeLessThan(50)
    expect(perScrub).toBeLessThan(400)
    expect(open).toBeLessThan(10_000)
  })
})

describe('back to live', () => {
  it('does not show a new session as closed when the lab snapshot still carries the last run’s verdicts', () => {
    const events: LabEvent[] = [
      { seq: 1, time: 1000, source: 'lab', type: 'session.created', dir: '/s/new', name: 'lab' },
      { seq: 2, time: 1001, source: 'lab', type: 'zk.starting', server: 1, name: 'zk-1', port: 2181 },
    ]
    const snapshot = replay(events)
    // What the lab can hand out after a scenario and a New session.
    snapshot.verdicts = { ok: true, verdicts: [] }
    snapshot.scenario = { name: 'stop-primary', running: false, ok: true, startedAt: 1 }
    loadHistory(snapshot, events)
    expect(useStore.getState()).toMatchObject({ sessionPhase: 'open', verdicts: undefined, scenario: undefined })
    // History that does not reach back to session.created cannot tell: the snapshot stands.
    resetIngest()
    resetStore()
    loadHistory(snapshot, events.slice(1))
    expect(useStore.getState().verdicts).toEqual({ ok: true, verdicts: [] })
  })
})

describe('library verdict tag', () => {
  const base: SessionSummary = {
    dir: '/s',
    name: 's',
    createdAt: '2026-01-01T00:00:00.000Z',
    strategies: [],
    closedCleanly: true,
  }
  const reason = 'no ZooKeeper transaction log: the lab did not run the servers (an external ZooKeeper)'

  it('tells a session failed by an unknown verdict alone from one that broke an invariant', () => {
    const unknown = { invariant: 'status-truth' as const, task: 't', state: 'unknown' as const, reason: 'boom' }
    expect(verdictOf({ ...base, verdictOk: false, verdictsBroken: 0, unjudged: [unknown] })).toBe('unknown')
    expect(verdictOf({ ...base, verdictOk: false, verdictsBroken: 1, unjudged: [unknown] })).toBe('fail')
    // Graded before verdict states: ok only.
    expect(verdictOf({ ...base, verdictOk: false })).toBe('fail')
    expect(
      verdictOf({
        ...base,
        verdictOk: true,
        verdictsBroken: 0,
        unjudged: [{ invariant: 'zombie-write', task: 't', state: 'not-judged', reason }],
      }),
    ).toBe('ok')
    expect(verdictOf(base)).toBe('ungraded')
  })
})
