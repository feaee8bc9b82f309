import { describe, expect, it } from 'vitest'
import { checkSession, LiveChecker } from '../../src/core/checker/index.js'
import { twoWorkers } from './helpers/checker-journal.js'

describe('checker: live', () => {
  it('hands out each violation once, as soon as the events show it', () => {
    const { j, nodes } = twoWorkers()
    j.loop(200, 1, 1, 3)
    const live = new LiveChecker({ minRecheckMs: 0 })
    let fed = 0
    const feed = () => {
      for (; fed < j.events.length; fed++) live.onEvent(j.events[fed])
    }
    feed()
    expect(live.drain()).toEqual([])

    // Worker 2 wrongly takes over while worker 1 goes on: split brain once worker 1 works again.
    j.role(1300, 2, 'primary', nodes[1]).work(1310, 2, 4)
    feed()
    expect(live.drain().map((v) => v.kind)).toEqual([])
    j.work(1700, 1, 4)
    feed()
    const first = live.drain()
    expect(first.map((v) => v.kind).sort()).toEqual(['duplicate', 'split-brain'])
    expect(live.drain()).toEqual([])

    // The overlap grows: still the same violation, not a new one.
    j.work(1810, 2, 5).work(2200, 1, 5)
    feed()
    expect(live.drain().filter((v) => v.kind === 'split-brain')).toEqual([])
    expect(live.report().verdicts.find((v) => v.invariant === 'single-primary')!.violations).toHaveLength(1)
  })

  it('re-checks at most every minRecheckMs when asked often, and never loses a violation', () => {
    const { j, nodes } = twoWorkers()
    let clock = 0
    const live = new LiveChecker({ minRecheckMs: 1000, now: () => clock })
    j.loop(200, 1, 1, 3)
    j.events.forEach((e) => live.onEvent(e))
    expect(live.drain()).toEqual([])
    const seen = j.events.length
    j.role(1300, 2, 'primary', nodes[1]).work(1310, 2, 4).work(1700, 1, 4)
    j.events.slice(seen).forEach((e) => live.onEvent(e))
    clock = 400
    expect(live.drain()).toEqual([])
    clock = 1000
    expect(
      live
        .drain()
        .map((v) => v.kind)
        .sort(),
    ).toEqual(['duplicate', 'split-brain'])
  })

  it('spaces re-checks by how long the last one took, so they take at most a tenth of a core', () => {
    const { j, nodes } = twoWorkers()
    let clock = 0
    let checks = 0
    // A re-check that takes 300 ms (read from the clock, advanced while the check runs).
    const live = new LiveChecker({
      minRecheckMs: 500,
      now: () => clock,
      liveSinks: () => ((clock += 300), checks++, undefined),
    })
    j.loop(200, 1, 1, 3)
    j.events.forEach((e) => live.onEvent(e))
    expect(live.drain()).toEqual([])
    expect(checks).toBe(1)
    const seen = j.events.length
    j.role(1300, 2, 'primary', nodes[1]).work(1310, 2, 4).work(1700, 1, 4)
    j.events.slice(seen).forEach((e) => live.onEvent(e))
    // 300 ms of checking earns 3000 ms of rest, not minRecheckMs' 500.
    clock += 2500
    expect(live.drain()).toEqual([])
    expect(checks).toBe(1)
    clock += 600
    expect(
      live
        .drain()
        .map((v) => v.kind)
        .sort(),
    ).toEqual(['duplicate', 'split-brain'])
    expect(checks).toBe(2)
    // The report is exact whenever asked.
    j.work(1800, 1, 5)
    live.onEvent(j.events.at(-1)!)
    live.report()
    expect(checks).toBe(3)
  })

  it('does not hand out a violation again when a late line changes its shape', () => {
    const { j } = twoWorkers()
    const live = new LiveChecker({ minRecheckMs: 0 })
    const lastCommit = '/customBackUp/tasks/task01/lastCommit'
    const feed = (e: ReturnType<typeof j.add>) => live.onEvent(e)
    feed(j.add(200, j.name(1), 'worker.commit', { id: 10, version: 1 }))
    feed(j.add(300, j.name(2), 'worker.commit', { id: 3, version: 2 }))
    feed(j.add(700, j.name(1), 'worker.commit', { id: 11, version: 3 }))
    const kinds = () =>
      live
        .drain()
        .map((v) => v.kind)
        .filter((k) => k === 'commit-backwards')
    expect(kinds()).toEqual(['commit-backwards'])
    // The observer reports worker 2's next write before worker 2's own line arrives.
    feed(j.add(801, 'observer', 'znode.changed', { path: lastCommit, data: '4', cause: 'data', stat: { version: 4 } }))
    expect(kinds()).toEqual([])
    feed(j.add(800, j.name(2), 'worker.commit', { id: 4, version: 4 }))
    expect(kinds()).toEqual([])
    const [episode] = live.report().verdicts.find((v) => v.invariant === 'commit-monotonic')!.violations
    expect(episode.ids).toEqual([10, 3, 11, 4])
  })

  it('reports what checkSession reports over the same events', () => {
    const { j } = twoWorkers()
    j.loop(200, 1, 1, 4)
    const live = new LiveChecker({ minRecheckMs: 0 })
    j.events.forEach((e) => live.onEvent(e))
    const sinks = { task01: [1, 2, 3].map((id) => ({ id, worker: 1, time: j.events[0].time + 200 + (id - 1) * 500 })) }
    expect(live.report()).toEqual(checkSession({ events: j.events }))
    expect(live.report(sinks)).toEqual(checkSession({ events: j.events, sinks }))
  })
})
