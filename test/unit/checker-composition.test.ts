import { describe, expect, it } from 'vitest'
import {
  checkSession,
  INVARIANT_CHECKS,
  INVARIANTS,
  LiveChecker,
  verdictState,
  type InvariantCheck,
} from '../../src/core/checker/index.js'
import { twoWorkers } from './helpers/checker-journal.js'

/** single-primary's judge swapped for one that throws, the others as registered. */
const brokenSinglePrimary: readonly InvariantCheck[] = INVARIANT_CHECKS.map((c) =>
  c.name === 'single-primary'
    ? {
        ...c,
        judge: () => {
          throw new Error('intervals out of order')
        },
      }
    : c,
)

/** A split brain (worker 2 takes over while worker 1 goes on), which sink-integrity sees too (id 4 twice). */
function splitBrainJournal() {
  const { j, nodes } = twoWorkers()
  j.loop(200, 1, 1, 3)
  j.role(1300, 2, 'primary', nodes[1]).work(1310, 2, 4).work(1700, 1, 4)
  return j
}

describe('checker: composition', () => {
  it('registers every invariant once, in the order verdicts are listed', () => {
    expect(INVARIANT_CHECKS.map((c) => c.name)).toEqual([...INVARIANTS])
    expect(INVARIANT_CHECKS.find((c) => c.name === 'zombie-write')!.needs).toEqual(['txn-log'])
  })

  it('an invariant whose judge throws is "unknown" with the error, and the others still report', () => {
    const j = splitBrainJournal()
    const report = checkSession({ events: j.events }, brokenSinglePrimary)
    const single = report.verdicts.find((v) => v.invariant === 'single-primary')!
    expect(single).toMatchObject({ state: 'unknown', ok: false, reason: 'intervals out of order', violations: [] })
    expect(single.summary).toContain('intervals out of order')
    // The others judged as without the broken one: sink-integrity still finds id 4 done twice.
    const sink = report.verdicts.find((v) => v.invariant === 'sink-integrity')!
    expect(sink.state).toBe('fail')
    expect(sink.violations.length).toBeGreaterThan(0)
    expect(report.verdicts.find((v) => v.invariant === 'commit-monotonic')!.state).toBe('ok')
    // An unknown verdict does not let the session pass.
    expect(report.ok).toBe(false)
    // The failovers are still broken down.
    expect(report.failovers).toEqual(checkSession({ events: j.events }).failovers)
  })

  it('a session whose only problem is an unknown verdict is not ok', () => {
    const { j } = twoWorkers()
    j.loop(200, 1, 1, 3)
    expect(checkSession({ events: j.events }).ok).toBe(true)
    const report = checkSession({ events: j.events }, brokenSinglePrimary)
    expect(report.verdicts.filter((v) => v.state !== 'ok' && v.state !== 'not-judged').map((v) => v.invariant)).toEqual(
      ['single-primary'],
    )
    expect(report.ok).toBe(false)
  })

  it('zombie-write without a transaction log is "not judged", with the reason, and does not fail the session', () => {
    const { j } = twoWorkers()
    j.loop(200, 1, 1, 3)
    const report = checkSession({ events: j.events })
    const zombie = report.verdicts.filter((v) => v.invariant === 'zombie-write')
    expect(zombie).toHaveLength(report.tasks.length)
    expect(zombie[0]).toMatchObject({ state: 'not-judged', ok: true, violations: [] })
    expect(zombie[0].reason).toMatch(/no ZooKeeper transaction log/)
    expect(zombie[0].summary).toBe(zombie[0].reason)
    expect(report.ok).toBe(true)
  })

  it('the live checker judges by the same list: one that throws live is unknown, the others still hand out violations', () => {
    const j = splitBrainJournal()
    const live = new LiveChecker({ minRecheckMs: 0, invariants: brokenSinglePrimary })
    j.events.forEach((e) => live.onEvent(e))
    const found = live.drain()
    expect(found.map((v) => v.invariant)).toContain('sink-integrity')
    expect(found.map((v) => v.invariant)).not.toContain('single-primary')
    const states = Object.fromEntries(live.report().verdicts.map((v) => [v.invariant, v.state]))
    expect(states).toMatchObject({
      'single-primary': 'unknown',
      'sink-integrity': 'fail',
      'zombie-write': 'not-judged',
    })
  })

  it('derives the state of verdicts recorded before states from ok', () => {
    expect(verdictState({ ok: true })).toBe('ok')
    expect(verdictState({ ok: false })).toBe('fail')
    expect(verdictState({ ok: true, state: 'not-judged' })).toBe('not-judged')
    expect(verdictState({ ok: false, state: 'exploded' })).toBe('fail')
  })
})
