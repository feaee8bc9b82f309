import { afterEach, describe, expect, it } from 'vitest'
import type { LabEvent } from '../../src/shared/events.js'
import { replay, type ZkServerView } from '../../src/shared/lab-state.js'
import { resetStore, useStore } from '../../src/renderer/src/app/store.js'
import {
  beginNewSession,
  currentSessionDir,
  ingest,
  lastAppliedSeq,
  loadHistory,
  resetIngest,
} from '../../src/renderer/src/lab/ingest.js'
import { logBuffers, MERGED } from '../../src/renderer/src/logs/log-store.js'
import { timelineModel } from '../../src/renderer/src/timeline/timeline-store.js'
import {
  badgeText,
  barPercent,
  barSegments,
  breakdownScale,
  countByInvariant,
  describeStep,
  formatShortMs,
  formatStepMs,
  median,
  niceCeil,
  parseFailovers,
  afterSessionEnd,
  runOutcome,
  shortWorker,
  sinceStart,
  sortVerdicts,
  verdictsLine,
  verdictTag,
} from '../../src/renderer/src/experiments/checker-model.js'
import type { FailoverSteps, InvariantName, VerdictState } from '../../src/shared/checker-report.js'
import { findLeader, serverMode } from '../../src/renderer/src/cluster/zk-model.js'

afterEach(() => {
  resetIngest()
  resetStore()
})

const steps = (s: Partial<FailoverSteps>): FailoverSteps => ({
  sessionEnded: null,
  nodeDeleted: null,
  watchFired: null,
  newPrimary: null,
  firstCommit: null,
  ...s,
})

describe('checker model', () => {
  it('parses the failovers of a checker.report, keeping only well-formed entries', () => {
    const parsed = parseFailovers([
      {
        task: 't1',
        fault: 'stop',
        from: 'worker-t1-1',
        fromNode: 'server_1_0000000000',
        faultTime: 1000,
        faultSeq: 12,
        to: 'worker-t1-2',
        steps: { sessionEnded: 5, nodeDeleted: 7, watchFired: 7, newPrimary: 17, firstCommit: 30 },
        sessionEnd: 'closed',
        lastCommitBefore: 3,
        firstCommitId: 4,
      },
      {
        task: 't1',
        fault: 'kill',
        from: 'worker-t1-2',
        faultTime: 2000,
        to: null,
        steps: { sessionEnded: 'soon' },
        sessionEnd: 'weird',
      },
      null,
      'nonsense',
    ])
    expect(parsed).toHaveLength(2)
    expect(parsed[0]).toMatchObject({
      to: 'worker-t1-2',
      sessionEnd: 'closed',
      steps: { newPrimary: 17, firstCommit: 30 },
      firstCommitId: 4,
    })
    expect(parsed[1]).toMatchObject({ to: null, sessionEnd: null, steps: { sessionEnded: null, newPrimary: null } })
    expect(parseFailovers(undefined)).toEqual([])
  })

  it("reads a failover's server-side breakdown where the report has one, and none from older reports", () => {
    const base = { task: 't1', fault: 'kill', from: 'worker-t1-1', faultTime: 1000, to: 'worker-t1-2', steps: {} }
    const [logged, old, odd] = parseFailovers([
      {
        ...base,
        server: {
          source: 'txn-log',
          clock: 'same-host',
          steps: { sessionEnded: 2001, nodeDeleted: 2001, firstCommit: 2009 },
          sessionEnd: 'expired',
          fromSession: 'a1',
          toSession: 'b2',
          toWorker: 'worker-t1-2',
          firstCommitZxid: '0x1f',
          firstCommitId: 6,
        },
      },
      base,
      { ...base, server: { source: 'guess', steps: { firstCommit: 1 } } },
    ])
    expect(logged.server).toMatchObject({
      steps: { sessionEnded: 2001, nodeDeleted: 2001, firstCommit: 2009 },
      sessionEnd: 'expired',
      toWorker: 'worker-t1-2',
      firstCommitZxid: '0x1f',
    })
    expect(afterSessionEnd(logged.server!.steps)).toBe(8)
    expect(old.server).toBeUndefined()
    expect(odd.server).toBeUndefined()
  })

  it('counts violations per invariant: every known one, or those graded, then any other', () => {
    const live = [{ invariant: 'status-truth' }, { invariant: 'status-truth' }, { invariant: 'something-new' }]
    expect(countByInvariant(live)).toEqual([
      { invariant: 'single-primary', count: 0 },
      { invariant: 'sink-integrity', count: 0 },
      { invariant: 'commit-monotonic', count: 0 },
      { invariant: 'status-truth', count: 2 },
      { invariant: 'zombie-write', count: 0 },
      { invariant: 'something-new', count: 1 },
    ])
    const graded = [{ invariant: 'status-truth' }, { invariant: 'single-primary' }, { invariant: 'graded-new' }]
    expect(countByInvariant(live, graded).map((c) => c.invariant)).toEqual([
      'single-primary',
      'status-truth',
      'graded-new',
      'something-new',
    ])
  })

  it('writes times as the checker does, relative to the session start', () => {
    expect(sinceStart(13_350, 1000)).toBe('+12.35 s')
    expect(sinceStart(500, 1000)).toBe('−0.50 s')
    expect(sinceStart(500, undefined)).toBe('—')
    expect(formatStepMs(16.6)).toBe('17 ms')
    expect(formatStepMs(6475)).toBe('6475 ms')
    expect(formatStepMs(12_345)).toBe('12.35 s')
    expect(formatStepMs(null)).toBe('—')
    expect(formatShortMs(500)).toBe('500 ms')
    expect(formatShortMs(60_000)).toBe('60 s')
    expect(formatShortMs(1500)).toBe('1.5 s')
    expect(formatShortMs(7500)).toBe('7.5 s')
    expect(formatShortMs(300_000)).toBe('5 min')
  })

  it('puts every row of the breakdown on one readable scale', () => {
    expect(niceCeil(0)).toBe(10)
    expect(niceCeil(30)).toBe(50)
    expect(niceCeil(6480)).toBe(7500)
    expect(niceCeil(100)).toBe(100)
    expect(niceCeil(101)).toBe(200)
    const list = parseFailovers([
      { task: 't', fault: 'stop', from: 'a', faultTime: 0, to: 'b', steps: { newPrimary: 17, firstCommit: 30 } },
      { task: 't', fault: 'stop', from: 'b', faultTime: 1, to: 'a', steps: { newPrimary: 9, firstCommit: 24 } },
    ])
    expect(breakdownScale(list)).toBe(50)
    expect(breakdownScale([])).toBe(10)
    expect(barPercent(25, 50)).toBe(50)
    expect(barPercent(80, 50)).toBe(100)
    expect(barPercent(null, 50)).toBeNull()
  })

  it('splits a bar by the step that ends each stretch, in the steps’ logical order', () => {
    // The seed: the long wait is for the old session to expire; the watch fired a few ms before the observer saw the node go.
    expect(
      barSegments(
        steps({ sessionEnded: 6472, nodeDeleted: 6472, watchFired: 6469, newPrimary: 6475, firstCommit: 6480 }),
        10_000,
      ),
    ).toEqual([
      { key: 'sessionEnded', from: 0, to: 64.72 },
      { key: 'newPrimary', from: 64.72, to: 64.75 },
      { key: 'firstCommit', from: 64.75, to: 64.8 },
    ])
    // Steps that did not happen are skipped.
    expect(barSegments(steps({ watchFired: 10, newPrimary: 20 }), 100)).toEqual([
      { key: 'watchFired', from: 0, to: 10 },
      { key: 'newPrimary', from: 10, to: 20 },
    ])
    expect(barSegments(steps({}), 100)).toEqual([])
  })

  it('says where a run stands: steps first, then the final verdicts', () => {
    const base = { name: 'stop-primary', startedAt: 0 }
    expect(runOutcome(undefined, undefined, false)).toBeUndefined()
    expect(runOutcome({ ...base, running: true }, undefined, false)).toBe('running')
    expect(runOutcome({ ...base, running: false, ok: true }, undefined, false)).toBe('grading')
    expect(runOutcome({ ...base, running: false, ok: true }, { ok: true, verdicts: [] }, true)).toBe('passed')
    // Every step came true, but the sinks show a broken invariant: a failed run, as zklab run counts it.
    expect(runOutcome({ ...base, running: false, ok: true }, { ok: false, verdicts: [] }, true)).toBe('failed')
    expect(
      runOutcome({ ...base, running: false, ok: false, error: 'steps[3]: expected status-truth' }, undefined, false),
    ).toBe('failed')
    expect(runOutcome({ ...base, running: false, ok: false, error: 'interrupted' }, undefined, false)).toBe('grading')
    expect(
      runOutcome({ ...base, running: false, ok: false, error: 'interrupted' }, { ok: true, verdicts: [] }, true),
    ).toBe('stopped')
  })

  it('describes scenario steps in a line', () => {
    expect(describeStep({ waitFor: 'commits', count: 2, timeoutMs: 60_000 })).toBe(
      'waitFor: commits (count 2, timeout 60 s)',
    )
    expect(describeStep({ stop: 'primary' })).toBe('stop: primary')
    expect(describeStep({ repeat: 3, steps: [{ stop: 'primary' }] })).toBe('repeat: 3')
    expect(describeStep({ parallel: [{ sleep: 1 }, { sleep: 2 }] })).toBe('parallel: 2 step(s)')
    expect(describeStep(undefined)).toBeUndefined()
  })

  it('lists failed verdicts first, then in invariant order', () => {
    const v = (invariant: InvariantName, ok: boolean) => ({
      invariant,
      task: 't1',
      state: (ok ? 'ok' : 'fail') as VerdictState,
      ok,
      summary: '',
      violations: ok ? 0 : 1,
    })
    expect(
      sortVerdicts([
        v('single-primary', true),
        v('status-truth', false),
        v('sink-integrity', true),
        v('zombie-write', true),
      ]).map((x) => x.invariant),
    ).toEqual(['status-truth', 'single-primary', 'sink-integrity', 'zombie-write'])
  })

  it('says "not judged" and "unknown" apart from ok and FAIL, with the reason', () => {
    const reason = 'no ZooKeeper transaction log: the lab did not run the servers (an external ZooKeeper)'
    const v = (invariant: InvariantName, state: VerdictState, why?: string) => ({
      invariant,
      task: 't1',
      state,
      ok: state === 'ok' || state === 'not-judged',
      ...(why ? { reason: why } : {}),
      summary: why ?? '',
      violations: 0,
    })
    const verdicts = [
      v('zombie-write', 'not-judged', reason),
      v('single-primary', 'ok'),
      v('status-truth', 'unknown', 'boom'),
      v('sink-integrity', 'fail'),
    ]
    expect(verdictTag(verdicts[0])).toEqual({
      state: 'not-judged',
      text: 'not judged',
      className: 'tag-muted',
      title: reason,
    })
    expect(verdictTag(verdicts[2])).toMatchObject({ text: 'unknown', className: 'tag-warn', title: 'boom' })
    expect(verdictTag(verdicts[1])).toMatchObject({ text: 'ok', className: 'tag-ok' })
    expect(verdictTag(verdicts[3])).toMatchObject({ text: 'FAIL', className: 'tag-bad' })
    // Recorded before verdicts had states: the state comes from ok.
    expect(verdictTag({ ok: false })).toMatchObject({ state: 'fail', text: 'FAIL' })
    expect(sortVerdicts(verdicts).map((x) => x.state)).toEqual(['fail', 'unknown', 'ok', 'not-judged'])
    expect(verdictsLine(verdicts)).toBe('1 of 2 checks failed · 1 unknown · 1 not judged')
    expect(verdictsLine([verdicts[0], verdicts[1]])).toBe('all 1 check passed · 1 not judged')
    expect(badgeText(0, { ok: true, verdicts: [verdicts[0], verdicts[1]] })).toEqual({
      text: 'all judged checks passed',
      tone: 'ok',
    })
    expect(badgeText(0, { ok: false, verdicts: [verdicts[1], verdicts[2]] })).toEqual({
      text: '1 check unknown',
      tone: 'bad',
    })
  })

  it('replays a checker.report from before verdict states with states derived from ok', () => {
    const state = replay([
      {
        seq: 1,
        time: 1,
        source: 'checker',
        type: 'checker.report',
        ok: false,
        verdicts: [
          { invariant: 'single-primary', task: 't', ok: false, summary: 's', violations: 1 },
          { invariant: 'status-truth', task: 't', ok: true, summary: 's', violations: 0 },
        ],
      },
    ] as LabEvent[])
    expect(state.verdicts?.verdicts.map((v) => v.state)).toEqual(['fail', 'ok'])
  })

  it('words the header badge: live count, then the final verdicts', () => {
    expect(badgeText(0, undefined)).toEqual({ text: '0 violations', tone: 'idle' })
    expect(badgeText(1, undefined)).toEqual({ text: '1 violation', tone: 'bad' })
    expect(badgeText(2, { ok: true, verdicts: [] })).toEqual({ text: 'all checks passed', tone: 'ok' })
    const failed = {
      ok: false,
      verdicts: [
        {
          invariant: 'status-truth' as const,
          task: 't',
          state: 'fail' as const,
          ok: false,
          summary: '',
          violations: 3,
        },
      ],
    }
    expect(badgeText(2, failed)).toEqual({ text: '3 violations', tone: 'bad' })
    expect(
      badgeText(0, {
        ok: false,
        verdicts: [{ invariant: 'zombie-write', task: 't', state: 'fail', ok: false, summary: '', violations: 0 }],
      }),
    ).toEqual({ text: '1 check failed', tone: 'bad' })
  })

  it('shortens worker names within their task, and takes medians of what was measured', () => {
    expect(shortWorker('worker-task01-2', 'task01')).toBe('#2')
    expect(shortWorker('ext-1', 'task01')).toBe('ext-1')
    expect(shortWorker(null, 'task01')).toBe('—')
    expect(median([3, null, 1, 2])).toBe(2)
    expect(median([4, 1, 2, 3])).toBe(2.5)
    expect(median([null])).toBeUndefined()
  })
})

describe('zk model', () => {
  const server = (id: number, state: ZkServerView['state'], mode?: string): ZkServerView => ({
    id,
    name: `zk-${id}`,
    state,
    ...(mode ? { mode } : {}),
  })

  it('finds the leader among running servers only', () => {
    const servers = [server(1, 'running', 'follower'), server(2, 'stopped', 'leader'), server(3, 'running', 'leader')]
    expect(findLeader(servers)?.name).toBe('zk-3')
    expect(findLeader([server(1, 'running', 'follower'), server(2, 'crashed', 'leader')])).toBeUndefined()
    // From zk.stats when the reducer has no mode yet.
    expect(
      findLeader([server(1, 'running')], { 'zk-1': { server: 1, name: 'zk-1', mode: 'leader', time: 0 } })?.name,
    ).toBe('zk-1')
  })

  it('shows no mode for a server that is down (its last srvr is history)', () => {
    expect(serverMode(server(1, 'stopped', 'leader'))).toBeUndefined()
    expect(serverMode(server(1, 'paused', 'follower'))).toBe('follower')
  })
})

describe('sessions in the renderer', () => {
  let time = 1000
  const session = () => {
    let seq = 0
    return (source: string, type: string, fields: Record<string, unknown> = {}): LabEvent =>
      ({ seq: ++seq, time: ++time, source, type, ...fields }) as LabEvent
  }
  const spawned = (ev: ReturnType<typeof session>, name: string) =>
    ev('lab', 'process.spawned', {
      name,
      kind: 'worker',
      pid: 100,
      labels: { task: 't1', workerId: 1, strategy: 'seed' },
    })

  it('starts over when the lab opens a new session, even inside one batch', () => {
    const a = session()
    const b = session()
    ingest([
      a('lab', 'session.created', { dir: '/s/a', name: 'lab' }),
      spawned(a, 'worker-t1-1'),
      a('worker-t1-1', 'worker.role', { role: 'primary' }),
    ])
    useStore.getState().setMainTab('verdicts')
    expect(useStore.getState().workers['worker-t1-1'].role).toBe('primary')
    // A scenario closes the open session and starts its own, numbered from 1 again.
    ingest(
      [
        a('lab', 'session.closing'),
        a('checker', 'checker.report', { ok: true, verdicts: [], failovers: [] }),
        a('lab', 'session.closed'),
        b('lab', 'session.created', { dir: '/s/b', name: 'stop-primary' }),
        b('lab', 'scenario.started', { scenario: 'stop-primary', strategy: 'seed' }),
      ],
      { live: true },
    )
    const s = useStore.getState()
    expect(s.session?.dir).toBe('/s/b')
    expect(currentSessionDir()).toBe('/s/b')
    expect(lastAppliedSeq()).toBe(2)
    expect(s.workers).toEqual({})
    expect(s.verdicts).toBeUndefined()
    expect(s.sessionPhase).toBe('open')
    expect(s.scenario).toMatchObject({ name: 'stop-primary', strategy: 'seed', running: true })
    expect(s.mainTab).toBe('verdicts')
    expect(logBuffers.ring(MERGED)!.length).toBe(2)
    expect(timelineModel.tasks.size).toBe(0)
    // The new session's events are not taken for duplicates of the old one's.
    ingest([spawned(b, 'worker-t1-1')])
    expect(useStore.getState().workers['worker-t1-1']).toBeDefined()
  })

  it('follows a scenario run: steps, live violations, the close, the verdicts and the run record', () => {
    const ev = session()
    ingest([ev('lab', 'session.created', { dir: '/s/run', name: 'stop-primary' })])
    useStore.getState().setPendingRun({ name: 'stop-primary', strategy: 'seed', since: 0 })
    ingest(
      [
        ev('lab', 'scenario.started', { scenario: 'stop-primary', strategy: 'seed' }),
        ev('lab', 'scenario.step', { path: 'steps[0]', step: { waitFor: 'primary', timeoutMs: 60_000 } }),
        ev('checker', 'checker.violation', {
          invariant: 'status-truth',
          task: 't1',
          kind: 'stopped-while-working',
          message: 'status said 0',
          at: 900,
          workers: ['w-1', 'w-2'],
        }),
      ],
      { live: true },
    )
    let s = useStore.getState()
    expect(s.pendingRun).toBeUndefined()
    expect(s.scenarioSteps).toEqual([
      expect.objectContaining({ path: 'steps[0]', text: 'waitFor: primary (timeout 60 s)' }),
    ])
    expect(s.violations).toHaveLength(1)
    expect(s.toasts.map((t) => t.title)).toContain('Violation: status-truth (t1)')
    const violations = s.violations
    ingest([
      ev('lab', 'scenario.result', {
        scenario: 'stop-primary',
        ok: false,
        error: 'steps[3]: expected status-truth to hold',
      }),
      ev('lab', 'session.closing'),
    ])
    s = useStore.getState()
    expect(s.violations).toBe(violations)
    expect(s.sessionPhase).toBe('closing')
    expect(s.scenarioEndedAt).toBeDefined()
    expect(runOutcome(s.scenario, s.verdicts, false)).toBe('failed')
    ingest([
      ev('checker', 'checker.report', {
        ok: false,
        verdicts: [
          { invariant: 'status-truth', task: 't1', ok: false, summary: 'flaps', violations: 3 },
          { invariant: 'single-primary', task: 't1', ok: true, summary: 'fine', violations: 0 },
        ],
        failovers: [
          {
            task: 't1',
            fault: 'stop',
            from: 'w-1',
            faultTime: 1,
            to: 'w-2',
            steps: { sessionEnded: 6100, newPrimary: 6116, firstCommit: 6126 },
            sessionEnd: 'expired',
          },
        ],
      }),
      ev('lab', 'session.closed'),
    ])
    s = useStore.getState()
    expect(s.sessionPhase).toBe('closed')
    expect(s.sessionClosedAt).toBeDefined()
    expect(s.verdicts?.ok).toBe(false)
    expect(s.checkFailovers).toHaveLength(1)
    expect(s.runs).toEqual([
      expect.objectContaining({
        durationMs: s.scenarioEndedAt! - s.scenario!.startedAt,
        sessionDir: '/s/run',
        scenario: 'stop-primary',
        strategy: 'seed',
        ok: false,
        failedVerdicts: 1,
        verdicts: 2,
        violations: 3,
        failovers: 1,
        medianNewPrimaryMs: 6116,
      }),
    ])
    // Past runs outlive the session; the session's own state does not.
    beginNewSession()
    s = useStore.getState()
    expect(s.runs).toHaveLength(1)
    expect(s.violations).toEqual([])
    expect(s.checkFailovers).toBeUndefined()
    expect(s.scenario).toBeUndefined()
    expect(s.sessionClosedAt).toBeUndefined()
  })

  it('opens on a closed session: verdicts, breakdown and phase from the history', () => {
    const ev = session()
    const events = [
      ev('lab', 'session.created', { dir: '/s/closed', name: 'stop-primary' }),
      ev('lab', 'scenario.started', { scenario: 'stop-primary', strategy: 'recipe' }),
      ev('lab', 'scenario.step', { path: 'steps[0]', step: { waitFor: 'primary' } }),
      ev('lab', 'scenario.result', { scenario: 'stop-primary', ok: true, error: null }),
      ev('lab', 'session.closing'),
      ev('checker', 'checker.report', {
        ok: true,
        verdicts: [{ invariant: 'single-primary', task: 't1', ok: true, summary: '', violations: 0 }],
        failovers: [],
      }),
      ev('lab', 'session.closed'),
    ]
    loadHistory(replay(events), events)
    const s = useStore.getState()
    expect(s.sessionPhase).toBe('closed')
    expect(s.verdicts?.ok).toBe(true)
    expect(s.checkFailovers).toEqual([])
    expect(s.scenarioSteps.map((st) => st.path)).toEqual(['steps[0]'])
    expect(runOutcome(s.scenario, s.verdicts, true)).toBe('passed')
    expect(s.runs.map((r) => r.sessionDir)).toEqual(['/s/closed'])
  })
})
