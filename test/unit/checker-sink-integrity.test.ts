import { describe, expect, it } from 'vitest'
import { checkSession, type CheckReport, type SinkRecord } from '../../src/core/checker/index.js'
import { T0, twoWorkers } from './helpers/checker-journal.js'

const verdict = (r: CheckReport) => r.verdicts.find((v) => v.invariant === 'sink-integrity')!
const rec = (id: number, worker: number, at: number, session?: string): SinkRecord => ({
  id,
  worker,
  time: T0 + at,
  session,
})

describe('checker: sink-integrity', () => {
  it('passes ids 1..n, each once', () => {
    const { j } = twoWorkers()
    j.loop(200, 1, 1, 4)
    const sink = [1, 2, 3, 4].map((id) => rec(id, 1, 200 + (id - 1) * 500))
    const v = verdict(checkSession({ events: j.events, sinks: { task01: sink } }))
    expect(v.ok).toBe(true)
    expect(v.summary).toBe('4 record(s), ids 1..4 (sink); missing: none; done twice: none')
  })

  it('reports a run of skipped ids once, naming the records around it', () => {
    const { j } = twoWorkers()
    const sink = [rec(1, 1, 200), rec(2, 1, 700), rec(3, 1, 1200), rec(6, 2, 6000), rec(7, 2, 6500)]
    const v = verdict(checkSession({ events: j.events, sinks: { task01: sink } }))
    expect(v.ok).toBe(false)
    expect(v.violations).toHaveLength(1)
    const [gap] = v.violations
    expect(gap.kind).toBe('missing')
    expect(gap.ids).toEqual([4, 5])
    expect(gap.workers).toEqual([j.name(1), j.name(2)])
    expect(gap.message).toBe(
      'Progress lost on task01: ids 4–5 were never written to the sink; the record before is 3 by worker-task01-1 at +1.20 s, then worker-task01-2 wrote 6 at +6.00 s.',
    )
  })

  it('classifies the seed crash between record and commit as redo-after-crash', () => {
    const { j, nodes } = twoWorkers()
    const t = j.loop(200, 1, 1, 3)
    // Id 4 reaches the sink, then SIGKILL lands before the commit.
    j.work(t, 1, 4, { commit: false })
    j.kill(t + 1, 1)
    j.watch(t + 4400, 2)
      .nodeDeleted(t + 4401, nodes[0])
      .status(t + 4402, 2, '0')
      .role(t + 4404, 2, 'primary', nodes[1])
      .status(t + 4405, 2, '1')
    j.loop(t + 4410, 2, 4, 6)
    const sink = [
      rec(1, 1, 200),
      rec(2, 1, 700),
      rec(3, 1, 1200),
      rec(4, 1, t),
      rec(4, 2, t + 4410),
      rec(5, 2, t + 4910),
      rec(6, 2, t + 5410),
    ]
    const v = verdict(checkSession({ events: j.events, sinks: { task01: sink } }))
    expect(v.ok).toBe(false)
    expect(v.violations.map((x) => x.kind)).toEqual(['redo-after-crash'])
    const [redo] = v.violations
    expect(redo.ids).toEqual([4])
    expect(redo.workers).toEqual([j.name(1), j.name(2)])
    expect(redo.message).toBe(
      'Id 4 of task01 was done 2 times (worker-task01-1 at +1.70 s, worker-task01-2 at +6.11 s): worker-task01-1 wrote it at +1.70 s and was killed at +1.71 s before committing it; worker-task01-2 redid it at +6.11 s from the last commit.',
    )
    expect(v.stats).toMatchObject({ redoAfterCrash: 1, duplicates: 0, missing: 0 })
  })

  it('classifies work redone while its first writer was only paused as redo-after-stall', () => {
    const { j, nodes } = twoWorkers()
    const t = j.loop(200, 1, 1, 3)
    j.work(t, 1, 4, { commit: false })
    j.action(t + 1, 1, 'pause')
    j.watch(t + 4400, 2)
      .nodeDeleted(t + 4401, nodes[0])
      .role(t + 4404, 2, 'primary', nodes[1])
    j.loop(t + 4410, 2, 4, 5)
    const v = verdict(checkSession({ events: j.events }))
    expect(v.violations.map((x) => x.kind)).toEqual(['redo-after-stall'])
    expect(v.violations[0].message).toContain('it was never committed, and its writer was still alive')
  })

  it('calls committed work done again a plain duplicate', () => {
    const { j } = twoWorkers()
    const t = j.loop(200, 1, 1, 4)
    // Worker 2 wrongly redoes 3, already committed by worker 1, which is still running.
    j.work(t, 2, 3)
    const v = verdict(checkSession({ events: j.events }))
    expect(v.violations.map((x) => [x.kind, x.ids])).toEqual([['duplicate', [3]]])
    expect(v.violations[0].message).toMatch(
      /worker-task01-1 wrote it at \+1\.20 s and committed it at \+1\.20 s, yet worker-task01-2 wrote it again at \+2\.20 s\.$/,
    )
  })

  it("reports a zombie's streak of redone ids as one violation", () => {
    const { j } = twoWorkers()
    const t = j.loop(200, 1, 1, 6)
    j.work(t, 2, 3)
      .work(t + 500, 2, 4)
      .work(t + 1000, 2, 5)
    const v = verdict(checkSession({ events: j.events }))
    expect(v.violations.map((x) => [x.kind, x.ids])).toEqual([['duplicate', [3, 4, 5]]])
    expect(v.violations[0].message).toBe(
      'Ids 3–5 of task01 were done twice: worker-task01-1 wrote them from +1.20 s to +2.20 s, and worker-task01-2 again from +3.20 s to +4.20 s; each had been committed before it was written again.',
    )
    expect(v.stats).toMatchObject({ duplicates: 3 })
  })

  it('judges from worker.work events while no sink is given (the live case), and maps sink workers by session', () => {
    const { j } = twoWorkers()
    j.work(200, 1, 1).work(700, 1, 2).work(1200, 1, 5)
    const live = verdict(checkSession({ events: j.events }))
    expect(live.violations.map((x) => [x.kind, x.ids])).toEqual([['missing', [3, 4]]])
    expect(live.summary).toContain('(work events)')
    // The sink names workers by id and session; the session wins over the id.
    const connected = j.events.find((e) => e.type === 'worker.connected' && e.source === j.name(2))
    const session = connected?.type === 'worker.connected' ? connected.sessionId : ''
    const fromSink = verdict(
      checkSession({ events: j.events, sinks: { task01: [rec(1, 1, 200), rec(1, 99, 300, session)] } }),
    )
    expect(fromSink.violations[0].workers).toEqual([j.name(1), j.name(2)])
  })
})
