/** tickTime and session timeouts: the range ZooKeeper grants, the crash-detection window, and who refuses what. */
import { describe, expect, it } from 'vitest'
import {
  expiryWindow,
  grantedSessionTimeouts,
  nearestGrantedTimeout,
  sessionTimeoutProblem,
  ticksThatGrant,
  tickTimeProblem,
} from '../../src/shared/session-timeout.js'
import { parseScenario, ScenarioError } from '../../src/core/experiments/load-scenario.js'
import { replay } from '../../src/shared/lab-state.js'
import type { LabEvent } from '../../src/shared/events.js'

describe('session timeouts under a tickTime', () => {
  it('ZooKeeper grants 2 to 20 ticks, and notices a silent client between T and T + one tick', () => {
    expect(grantedSessionTimeouts(500)).toEqual({ fromMs: 1000, toMs: 10_000 })
    expect(grantedSessionTimeouts(150)).toEqual({ fromMs: 300, toMs: 3000 })
    expect(expiryWindow(2000, 500)).toEqual({ fromMs: 2000, toMs: 2500 })
  })

  it('accepts the bounds themselves and refuses one ms past them, naming the range and the fix', () => {
    expect(sessionTimeoutProblem(1000, 500)).toBeUndefined()
    expect(sessionTimeoutProblem(10_000, 500)).toBeUndefined()
    const tooLong = sessionTimeoutProblem(10_001, 500)
    expect(tooLong).toContain('1000–10000 ms, 2–20 ticks')
    // The fix: a timeout in range, or a tickTime under which ZooKeeper grants this one.
    expect(tooLong).toContain('choose a timeout in that range, or a tickTime of 501–5000 ms')
    expect(sessionTimeoutProblem(1500, 1000)).toContain('2000–20000 ms')
  })

  it('offers no other tickTime when none within the lab limits would grant the timeout', () => {
    expect(ticksThatGrant(4000)).toEqual({ fromMs: 200, toMs: 2000 })
    expect(ticksThatGrant(1000)).toEqual({ fromMs: 100, toMs: 500 })
    expect(ticksThatGrant(150)).toBeUndefined()
    expect(sessionTimeoutProblem(150, 500)).not.toContain('or a tickTime')
  })

  it('a one-click start asks for the granted timeout nearest to the one it wants', () => {
    expect(nearestGrantedTimeout(4000, 500)).toBe(4000)
    expect(nearestGrantedTimeout(4000, 100)).toBe(2000)
    expect(nearestGrantedTimeout(4000, 5000)).toBe(10_000)
  })

  it('tickTime is a whole number of ms within the lab limits', () => {
    expect(tickTimeProblem(500)).toBeUndefined()
    expect(tickTimeProblem(99)).toMatch(/from 100 to 10000/)
    expect(tickTimeProblem(10_001)).toBeDefined()
    expect(tickTimeProblem(250.5)).toBeDefined()
    expect(tickTimeProblem(Number.NaN)).toBeDefined()
  })

  it('the scenario format refuses the same timeouts, at the task field', () => {
    const text = 'name: t\nzookeeper: {tickTimeMs: 200}\ntasks: [{name: task01, workers: 1, sessionTimeoutMs: 5000}]\n'
    expect(() => parseScenario(text, 't.yaml')).toThrow(ScenarioError)
    expect(() => parseScenario(text, 't.yaml')).toThrow(/tasks\[0\]\.sessionTimeoutMs: .*400–4000 ms/)
    expect(parseScenario(text.replace('5000', '4000'), 't.yaml').tasks[0].sessionTimeoutMs).toBe(4000)
  })
})

describe('the lab state carries the running tickTime', () => {
  const event = (seq: number, type: string, fields: object) => ({
    seq,
    time: 1000 + seq,
    source: 'lab',
    type,
    ...fields,
  })

  it('from zk.starting, and has none for a journal written before the lab recorded it', () => {
    const starting = { server: 1, name: 'zk-1', port: 2181, pid: 10 }
    const withTick = replay([event(1, 'zk.starting', { ...starting, tickTimeMs: 250 })] as LabEvent[])
    expect(withTick.zookeeper.tickTimeMs).toBe(250)
    const old = replay([event(1, 'zk.starting', starting)] as LabEvent[])
    expect(old.zookeeper.tickTimeMs).toBeUndefined()
    expect(old.zookeeper.servers[0]).toMatchObject({ name: 'zk-1', state: 'starting' })
  })
})
