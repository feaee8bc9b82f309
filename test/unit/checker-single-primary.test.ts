import { describe, expect, it } from 'vitest'
import { checkSession } from '../../src/core/checker/index.js'
import type { CheckReport } from '../../src/core/checker/index.js'
import { twoWorkers } from './helpers/checker-journal.js'

const verdict = (r: CheckReport) => r.verdicts.find((v) => v.invariant === 'single-primary')!

describe('checker: single-primary', () => {
  it('passes a clean handover: the old primary is dead before the new one starts', () => {
    const { j, nodes } = twoWorkers()
    let t = j.loop(200, 1, 1, 5)
    j.kill(t, 1)
    t += 4400
    j.watch(t, 2)
      .nodeDeleted(t + 1, nodes[0])
      .status(t + 2, 2, '0')
      .role(t + 4, 2, 'primary', nodes[1])
      .status(t + 5, 2, '1')
    j.loop(t + 8, 2, 6, 10)
    const v = verdict(checkSession({ events: j.events }))
    expect(v.ok).toBe(true)
    expect(v.violations).toEqual([])
    expect(v.stats?.intervals).toBe(2)
  })

  it('passes a primary that stalls longer than two intervals and carries on alone', () => {
    const { j } = twoWorkers()
    const t = j.loop(200, 1, 1, 3)
    j.loop(t + 3000, 1, 4, 6)
    expect(verdict(checkSession({ events: j.events })).ok).toBe(true)
  })

  it('finds two workers working at once (a zombie primary next to its successor)', () => {
    const { j, nodes } = twoWorkers()
    // Worker 1 never stops; worker 2 is wrongly primary from 1.2 s and works too.
    j.role(1190, 2, 'primary', nodes[1])
    for (let i = 0; i < 8; i++) {
      j.work(200 + i * 500, 1, 1 + i)
      if (i >= 2) j.work(1200 + (i - 2) * 500, 2, 10 + i)
    }
    const v = verdict(checkSession({ events: j.events }))
    expect(v.ok).toBe(false)
    expect(v.violations).toHaveLength(1)
    const [split] = v.violations
    expect(split.kind).toBe('split-brain')
    expect(split.workers).toEqual([j.name(1), j.name(2)])
    expect(split.time).toBe(j.events[0].time + 1200)
    expect(split.message).toMatch(
      /Split brain on task01: worker-task01-1 and worker-task01-2 both worked from \+1\.20 s/,
    )
    expect(split.ids).toEqual(expect.arrayContaining([3, 4, 12, 13]))
    expect(split.context.length).toBeGreaterThan(0)
    expect(split.context.length).toBeLessThanOrEqual(10)
    expect(
      split.context.every(
        (e) =>
          e.source === j.name(1) ||
          e.source === j.name(2) ||
          ('name' in e && (e.name === j.name(1) || e.name === j.name(2))),
      ),
    ).toBe(true)
  })

  it('finds the overlap when a paused primary resumes and works while its successor works', () => {
    const { j, nodes } = twoWorkers()
    const t = j.loop(200, 1, 1, 4)
    j.action(t, 1, 'pause')
    // Its session expires while it is paused; worker 2 takes over from lastCommit 4.
    j.watch(t + 4400, 2)
      .nodeDeleted(t + 4401, nodes[0])
      .status(t + 4402, 2, '0')
      .role(t + 4404, 2, 'primary', nodes[1])
      .status(t + 4405, 2, '1')
    const u = j.loop(t + 4410, 2, 5, 7)
    // Resumed 6 s after the pause, the seed's primary carries on from where it was, next to worker 2.
    j.action(t + 6000, 1, 'resume')
    j.add(t + 6005, j.name(1), 'worker.connection', { state: 'expired', sessionId: 's1' })
    j.work(t + 6010, 1, 5)
      .work(u, 2, 8)
      .work(t + 6510, 1, 6)
      .work(u + 500, 2, 9)
      .work(u + 1000, 2, 10)
    const v = verdict(checkSession({ events: j.events }))
    expect(v.ok).toBe(false)
    expect(v.violations).toHaveLength(1)
    const [split] = v.violations
    expect(split.workers?.sort()).toEqual([j.name(1), j.name(2)])
    expect(split.message).toContain('paused at')
    expect(split.message).toContain('resumed at')
    expect(split.ids).toEqual(expect.arrayContaining([5, 6]))
  })

  it('passes a paused primary that steps down when it resumes instead of working', () => {
    const { j, nodes } = twoWorkers()
    const t = j.loop(200, 1, 1, 4)
    j.action(t, 1, 'pause')
    j.watch(t + 4400, 2)
      .nodeDeleted(t + 4401, nodes[0])
      .role(t + 4404, 2, 'primary', nodes[1])
      .status(t + 4405, 2, '1')
    j.loop(t + 4410, 2, 5, 12)
    j.action(t + 6000, 1, 'resume')
    j.role(t + 6010, 1, 'standby', nodes[0], nodes[1])
    expect(verdict(checkSession({ events: j.events })).ok).toBe(true)
  })

  it('judges an external worker from its sink records when it reports no work', () => {
    const { j } = twoWorkers()
    const sink = [
      { id: 1, worker: 1, time: j.events[0].time + 200 },
      { id: 2, worker: 2, time: j.events[0].time + 400 },
      { id: 3, worker: 1, time: j.events[0].time + 700 },
    ]
    const v = verdict(checkSession({ events: j.events, sinks: { task01: sink } }))
    expect(v.ok).toBe(false)
    expect(v.summary).toMatch(/split brain/)
    expect(v.violations[0].workers).toEqual([j.name(1), j.name(2)])
  })
})
