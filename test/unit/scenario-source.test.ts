/**
 * The binlog workload's source in the scenario format and the lab state: when a scenario runs a
 * source, which steps may hit it, and what the mariadb.* events make of the state.
 */
import { describe, expect, it } from 'vitest'
import { describeIssues, needsSource, Scenario } from '../../src/shared/scenario.js'
import { applyEvent, emptyLabState } from '../../src/shared/lab-state.js'
import { LabEventTypes, ObserverEventTypes, type LabEvent } from '../../src/shared/events.js'
import { isSourceTarget } from '../../src/shared/targets.js'

const task = { name: 'task01', workers: 2 }

function problems(raw: unknown): string[] {
  const parsed = Scenario.safeParse(raw)
  return parsed.success ? [] : describeIssues(parsed.error)
}

describe('scenario source', () => {
  it('runs a source for a binlog task or a source: field, with the default rate', () => {
    const binlog = Scenario.parse({ name: 's', tasks: [{ ...task, workload: 'binlog' }] })
    expect(needsSource(binlog)).toBe(true)
    expect(binlog.source).toBeUndefined()
    const given = Scenario.parse({ name: 's', source: {}, tasks: [task] })
    expect(needsSource(given)).toBe(true)
    expect(given.source?.rate).toBeGreaterThan(0)
    const counter = Scenario.parse({ name: 's', tasks: [task] })
    expect(needsSource(counter)).toBe(false)
    expect(counter.tasks[0].workload).toBe('counter')
  })

  it('lets fault steps hit mariadb only where a source runs, and not through the nemesis', () => {
    const steps = [{ kill: 'mariadb' }, { restart: 'mariadb' }, { pause: 'mariadb', for: 100 }, { resume: 'mariadb' }]
    expect(problems({ name: 's', source: { rate: 5 }, tasks: [task], steps })).toEqual([])
    expect(problems({ name: 's', tasks: [task], steps: [{ stop: 'mariadb' }] })).toEqual([
      expect.stringMatching(/^steps\[0\]: .*MariaDB source.*workload: binlog/),
    ])
    const nemesis = {
      nemesis: { for: 1000, faults: ['kill'], interval: { minMs: 100, maxMs: 200 }, duration: { minMs: 1, maxMs: 2 } },
    }
    expect(
      problems({
        name: 's',
        source: {},
        tasks: [task],
        steps: [{ nemesis: { ...nemesis.nemesis, targets: ['mariadb'] } }],
      }),
    ).toEqual(expect.arrayContaining([expect.stringMatching(/nemesis does not hit the MariaDB source/)]))
    expect(problems({ name: 's', source: { rate: -1 }, tasks: [task] })).toEqual([
      expect.stringMatching(/^source\.rate: /),
    ])
    const load = (sourceLoad: object) => problems({ name: 's', source: {}, tasks: [task], steps: [{ sourceLoad }] })
    expect(load({ burst: 100 })).toEqual([])
    expect(load({ rate: 200, for: 5000 })).toEqual([])
    expect(load({ rate: 1, burst: 1 })).toEqual([expect.stringMatching(/either rate .* or burst/)])
    expect(load({ burst: 1, for: 100 })).toEqual([
      expect.stringMatching(/^steps\[0\]\.sourceLoad\.for: for goes with rate/),
    ])
    expect(problems({ name: 's', tasks: [task], steps: [{ sourceLoad: { burst: 5 } }] })).toEqual([
      expect.stringMatching(/MariaDB source/),
    ])
    expect(isSourceTarget('mariadb')).toBe(true)
    expect(isSourceTarget('zk-1')).toBe(false)
  })
})

describe('lab state source', () => {
  it('follows the mariadb.* events', () => {
    const state = emptyLabState()
    let seq = 0
    const apply = (e: Record<string, unknown>) =>
      applyEvent(state, { seq: ++seq, time: seq, source: 'lab', ...e } as unknown as LabEvent)
    apply({ type: LabEventTypes.mariadbStarted, port: 3307, pid: 42, gtid: '' })
    expect(state.source).toEqual({ port: 3307, pid: 42, state: 'running', gtid: '', binlogFiles: [] })
    apply({
      type: LabEventTypes.mariadbPosition,
      gtid: '0-1-5',
      binlogFiles: [{ name: 'mariadb-bin.000001', size: 900 }],
    })
    apply({ type: LabEventTypes.mariadbPaused })
    expect(state.source).toMatchObject({ state: 'paused', gtid: '0-1-5' })
    apply({ type: LabEventTypes.mariadbResumed })
    apply({ type: LabEventTypes.mariadbStopped, reason: 'crashed', code: null, signal: 'SIGKILL' })
    expect(state.source).toMatchObject({ state: 'crashed', stopReason: 'crashed', gtid: '0-1-5' })
    expect(state.source?.pid).toBeUndefined()
    apply({ type: LabEventTypes.mariadbStarted, port: 3307, pid: 43, gtid: '0-1-5' })
    expect(state.source).toMatchObject({
      state: 'running',
      pid: 43,
      binlogFiles: [{ name: 'mariadb-bin.000001', size: 900 }],
    })
  })

  it("reads a binlog task's lastCommit GTID as its sequence number, a counter's as its id", () => {
    const state = emptyLabState()
    const stat = { version: 1 }
    let seq = 0
    const created = (path: string, data: string) =>
      applyEvent(state, {
        seq: ++seq,
        time: seq,
        source: 'observer',
        type: ObserverEventTypes.created,
        path,
        stat,
        data,
      } as unknown as LabEvent)
    created('/customBackUp/tasks/b/lastCommit', '0-1-42')
    created('/customBackUp/tasks/c/lastCommit', '17')
    expect(state.tasks.b.lastCommit).toBe(42)
    expect(state.tasks.c.lastCommit).toBe(17)
  })
})
