import { describe, expect, it } from 'vitest'
import { checkSession, type CheckReport } from '../../src/core/checker/index.js'
import { JournalBuilder, twoWorkers } from './helpers/checker-journal.js'

const verdict = (r: CheckReport) => r.verdicts.find((v) => v.invariant === 'status-truth')!

describe('checker: status-truth', () => {
  it('passes a takeover: "1" stays while the dead primary\'s session runs out, "0" then "1" at once', () => {
    const { j, nodes } = twoWorkers()
    const t = j.loop(200, 1, 1, 5)
    j.kill(t, 1)
    // Status stays "1" for the 4 s session timeout: nobody can know sooner.
    j.watch(t + 4400, 2)
      .nodeDeleted(t + 4401, nodes[0])
      .status(t + 4402, 2, '0')
      .role(t + 4404, 2, 'primary', nodes[1])
      .status(t + 4405, 2, '1')
    j.loop(t + 4410, 2, 6, 10)
    const v = verdict(checkSession({ events: j.events }))
    expect(v.violations).toEqual([])
    expect(v.ok).toBe(true)
    expect(v.stats).toMatchObject({ flaps: 0 })
  })

  it('finds the seed\'s flap: a standby writes "0" when another joins, and the primary keeps working', () => {
    const j = new JournalBuilder()
    const { nodes } = twoWorkers(j)
    j.work(200, 1, 1).work(700, 1, 2)
    j.spawn(800, 3)
    const c = j.register(850, 3, 2)
    j.watch(851, 2).status(852, 2, '0').role(854, 2, 'standby', nodes[1], nodes[0]).role(855, 3, 'standby', c, nodes[0])
    j.loop(1200, 1, 3, 8)
    const v = verdict(checkSession({ events: j.events }))
    expect(v.ok).toBe(false)
    expect(v.violations).toHaveLength(1)
    const [flap] = v.violations
    expect(flap.kind).toBe('stopped-while-working')
    expect(flap.workers).toEqual([j.name(2), j.name(1)])
    expect(flap.ids).toEqual([3, 4, 5, 6, 7, 8])
    expect(flap.message).toMatch(
      /^Status of task01 said stopped \("0"\) from \+0\.85 s to the end while worker-task01-1 kept working \(ids 3–8, until \+3\.70 s\): "0" was written at \+0\.85 s by worker-task01-2, a standby, while worker-task01-1 was primary and working\.$/,
    )
    expect(v.stats).toMatchObject({ flaps: 1, stoppedWhileWorking: 1 })
  })

  it('forgives a new primary that works a moment before its "1" lands, not one that never sets it', () => {
    const { j, nodes } = twoWorkers()
    const t = j.loop(200, 1, 1, 3)
    j.kill(t, 1)
    j.nodeDeleted(t + 4400, nodes[0])
      .status(t + 4401, 2, '0')
      .role(t + 4402, 2, 'primary', nodes[1])
    j.work(t + 4403, 2, 4).status(t + 4700, 2, '1')
    j.loop(t + 4903, 2, 5, 8)
    expect(verdict(checkSession({ events: j.events })).violations).toEqual([])

    const k = twoWorkers().j
    const u = k.loop(200, 1, 1, 3)
    k.kill(u, 1)
    k.watch(u + 4400, 2)
      .status(u + 4401, 2, '0')
      .role(u + 4402, 2, 'primary', 'server_2_0000000001')
    k.loop(u + 4403, 2, 4, 8)
    const v = verdict(checkSession({ events: k.events }))
    expect(v.violations.map((x) => x.kind)).toEqual(['stopped-while-working'])
    expect(v.violations[0].message).toContain('worker-task01-2 worked from +6.10 s without setting it to "1"')
  })

  it('forgives a flap undone within the grace, but counts it', () => {
    const { j } = twoWorkers()
    j.loop(200, 1, 1, 2)
    j.status(800, 2, '0').status(900, 1, '1')
    j.loop(1200, 1, 3, 5)
    const v = verdict(checkSession({ events: j.events }))
    expect(v.ok).toBe(true)
    expect(v.stats).toMatchObject({ flaps: 1 })
  })

  it('forgives "1" while the primary is cut off from ZooKeeper (a server restart), until it is back', () => {
    const { j } = twoWorkers()
    const t = j.loop(200, 1, 1, 3)
    j.add(t, j.name(1), 'worker.connection', { state: 'connecting' })
    j.add(t + 1, j.name(1), 'worker.suspended')
    j.add(t + 3000, j.name(1), 'worker.connection', { state: 'connected' })
    j.add(t + 3001, j.name(1), 'worker.resumed')
    j.loop(t + 3010, 1, 4, 6)
    expect(verdict(checkSession({ events: j.events })).violations).toEqual([])
    // Back on line but idle for longer than 3 intervals: that is the status lying again.
    const k = twoWorkers().j
    const u = k.loop(200, 1, 1, 3)
    k.add(u, k.name(1), 'worker.connection', { state: 'connecting' })
    k.add(u + 3000, k.name(1), 'worker.connection', { state: 'connected' })
    k.add(u + 6000, 'lab', 'zk.stats', { server: 1 })
    expect(verdict(checkSession({ events: k.events })).violations.map((x) => x.kind)).toEqual(['running-while-idle'])
  })

  it('gives a primary on a link the lab slowed three slow commit cycles, not three intervals', () => {
    // I = 500 ms, 300 ± 100 ms each way: a cycle is 500 + 2 round trips of 800 ms = 2.1 s.
    const slowed = (gapMs: number) => {
      const { j } = twoWorkers()
      const t = j.loop(200, 1, 1, 3)
      j.add(t, 'lab', 'fault.network', { name: j.name(1), fault: 'slow', latencyMs: 300, jitterMs: 100 })
      j.loop(t + gapMs, 1, 4, 6)
      j.add(t + gapMs + 1600, 'lab', 'fault.network', { name: j.name(1), fault: 'heal' })
      return verdict(checkSession({ events: j.events })).violations.map((x) => x.kind)
    }
    expect(slowed(2900)).toEqual([])
    expect(slowed(5200)).toEqual([])
    expect(slowed(6900)).toEqual(['running-while-idle'])
  })

  it('finds "1" left standing while a live primary stopped working', () => {
    const { j } = twoWorkers()
    j.loop(200, 1, 1, 3)
    // Worker 1 hangs (still registered, still alive); something else keeps the journal going.
    j.add(5000, 'lab', 'zk.stats', { server: 1 })
    const v = verdict(checkSession({ events: j.events }))
    expect(v.violations.map((x) => x.kind)).toEqual(['running-while-idle'])
    expect(v.violations[0].message).toBe(
      'Status of task01 said running from +1.20 s to +5.00 s (3.80 s) while no primary worked: the last work was by worker-task01-1 at +1.20 s (id 3).',
    )
  })

  it('forgives a takeover the lab heard of a few ms after the successor’s first work was timed', () => {
    const { j, nodes } = twoWorkers()
    const t = j.loop(200, 1, 1, 5)
    j.kill(t, 1)
    // The successor's work is timed by its own record; the observer reports the old node's deletion late.
    j.loop(t + 4400, 2, 6, 10)
    j.nodeDeleted(t + 4420, nodes[0]).role(t + 4421, 2, 'primary', nodes[1])
    const v = verdict(checkSession({ events: j.events }))
    expect(v.violations).toEqual([])
  })

  it('forgives "1" while the ensemble has no quorum (its leader cut off), until it serves again', () => {
    const build = (withOutage: boolean) => {
      const { j } = twoWorkers()
      for (const server of [1, 2, 3])
        j.add(100, 'lab', 'zk.ready', {
          server,
          name: `zk-${server}`,
          port: 1,
          mode: server === 2 ? 'leader' : 'follower',
        })
      const t = j.loop(200, 1, 1, 5)
      if (withOutage) {
        // zk-2, the leader, is cut off: the followers give up; its own srvr still says leader.
        j.add(t + 1500, 'lab', 'zk.mode', { server: 1, name: 'zk-1', mode: 'not-serving', previous: 'follower' })
        j.add(t + 1500, 'lab', 'zk.mode', { server: 3, name: 'zk-3', mode: 'not-serving', previous: 'follower' })
        j.add(t + 3400, 'lab', 'zk.mode', { server: 1, name: 'zk-1', mode: 'follower', previous: 'not-serving' })
        j.add(t + 3400, 'lab', 'zk.mode', { server: 3, name: 'zk-3', mode: 'leader', previous: 'not-serving' })
      }
      j.loop(t + 3300, 1, 6, 10)
      return verdict(checkSession({ events: j.events }))
    }
    expect(build(true).violations).toEqual([])
    expect(build(false).violations.map((v) => v.kind)).toEqual(['running-while-idle'])
  })

  it('finds "1" left standing after ZooKeeper dropped the primary and nobody took over', () => {
    const { j, nodes } = twoWorkers()
    const t = j.loop(200, 1, 1, 3)
    j.kill(t, 1)
    j.nodeDeleted(t + 4400, nodes[0])
    j.add(t + 8000, 'lab', 'zk.stats', { server: 1 })
    const v = verdict(checkSession({ events: j.events }))
    expect(v.violations.map((x) => x.kind)).toEqual(['running-while-idle'])
    expect(v.violations[0].message).toContain('ZooKeeper dropped worker-task01-1 at +6.10 s')
  })
})
