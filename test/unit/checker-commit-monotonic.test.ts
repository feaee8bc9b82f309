import { describe, expect, it } from 'vitest'
import { checkSession, type CheckReport } from '../../src/core/checker/index.js'
import { JournalBuilder, twoWorkers } from './helpers/checker-journal.js'

const verdict = (r: CheckReport) => r.verdicts.find((v) => v.invariant === 'commit-monotonic')!

describe('checker: commit-monotonic', () => {
  it('passes commits that only go up, across a failover', () => {
    const { j } = twoWorkers()
    const t = j.loop(200, 1, 1, 5)
    j.kill(t, 1)
    j.role(t + 4400, 2, 'primary', 'server_2_0000000001')
    j.loop(t + 4410, 2, 6, 8)
    const v = verdict(checkSession({ events: j.events }))
    expect(v.ok).toBe(true)
    expect(v.stats).toMatchObject({ highest: 8 })
  })

  it('names the worker that wrote the lower value', () => {
    const { j } = twoWorkers()
    j.loop(200, 1, 1, 8)
    // A zombie with a stale idea of progress commits 5 after 8.
    j.commit(4300, 2, 5)
    j.commit(4700, 1, 9)
    const v = verdict(checkSession({ events: j.events }))
    expect(v.ok).toBe(false)
    expect(v.violations).toHaveLength(1)
    const [back] = v.violations
    expect(back.kind).toBe('commit-backwards')
    expect(back.workers).toEqual([j.name(2), j.name(1)])
    expect(back.ids).toEqual([8, 5])
    expect(back.message).toBe(
      'lastCommit of task01 went back from 8 to 5 at +4.30 s (version 9): worker-task01-2 wrote 5 after worker-task01-1 had written 8 at +3.70 s; it was back at 9 at +4.70 s.',
    )
    expect(back.context.some((e) => e.seq === back.seq)).toBe(true)
  })

  it('reports a zombie interleaving with its successor as one episode', () => {
    const { j } = twoWorkers()
    for (let i = 0; i < 4; i++) j.commit(200 + i * 500, 1, 10 + i).commit(300 + i * 500, 2, 3 + i)
    const v = verdict(checkSession({ events: j.events }))
    expect(v.violations).toHaveLength(1)
    expect(v.summary).toBe('lastCommit went backwards 4 time(s) in 1 episode(s)')
    expect(v.violations[0].message).toBe(
      'lastCommit of task01 went backwards 4 times from +0.30 s to +1.80 s: worker-task01-2 wrote 3–6, each lower than what worker-task01-1 had just written (10–13); the first step went from 10 to 3 (version 2); it never got back there.',
    )
  })

  it('orders writes by the node version, not by when their lines reached the journal', () => {
    const { j } = twoWorkers()
    // Worker 2's first commit (version 2) reached the journal before worker 1's last (version 1).
    j.add(300, j.name(2), 'worker.commit', { id: 2, version: 2 })
    j.add(290, j.name(1), 'worker.commit', { id: 1, version: 1 })
    expect(verdict(checkSession({ events: j.events })).ok).toBe(true)
  })

  it('reads an external worker from the observer alone, and starts over when the node is recreated', () => {
    const j = new JournalBuilder()
    j.znode(0, 'created', 'lastCommit', '0', 0)
    j.znode(100, 'changed', 'lastCommit', '7', 1)
    j.znode(200, 'changed', 'lastCommit', '3', 2)
    j.add(300, 'observer', 'znode.deleted', { path: '/customBackUp/tasks/task01' })
    j.znode(400, 'created', 'lastCommit', '0', 0)
    j.znode(500, 'changed', 'lastCommit', '1', 1)
    const v = verdict(checkSession({ events: j.events }))
    expect(v.violations).toHaveLength(1)
    expect(v.violations[0].message).toMatch(/went back from 7 to 3 .* a client the journal does not name/)
  })
})
