import { describe, expect, it } from 'vitest'
import {
  electRecipe,
  isLastRegistration,
  leaseHolds,
  orderRegistrations,
  parseCommitted,
  readSinkTail,
  recipeSinkRecord,
  reconcilePlan,
  registrationSequence,
} from '../../src/worker/strategies/recipe-rules.js'

describe('recipe rules: election', () => {
  const nodes = ['server_3_0000000009', 'server_1_0000000005', 'server_2_0000000007']

  it('orders registrations by their 10-digit sequence and leaves other children out', () => {
    expect(registrationSequence('server_12_0123456789')).toBe(123456789)
    expect(registrationSequence('server_1_123')).toBeNull()
    expect(registrationSequence('lock')).toBeNull()
    expect(orderRegistrations([...nodes, 'not-a-registration', 'x_12'])).toEqual([
      'server_1_0000000005',
      'server_2_0000000007',
      'server_3_0000000009',
    ])
    // The prefix does not matter, the sequence does: worker 9 registered first here.
    expect(orderRegistrations(['server_1_0000000002', 'server_9_0000000001'])).toEqual([
      'server_9_0000000001',
      'server_1_0000000002',
    ])
  })

  it('makes the smallest primary and has each standby watch the node just before its own', () => {
    expect(electRecipe('server_1_0000000005', nodes)).toEqual({ role: 'primary', smallest: 'server_1_0000000005' })
    expect(electRecipe('server_2_0000000007', nodes)).toEqual({
      role: 'standby',
      smallest: 'server_1_0000000005',
      predecessor: 'server_1_0000000005',
    })
    // Not the smallest: the predecessor, so no two standbys wait on the same node.
    expect(electRecipe('server_3_0000000009', nodes)).toEqual({
      role: 'standby',
      smallest: 'server_1_0000000005',
      predecessor: 'server_2_0000000007',
    })
  })

  it('re-checks after the predecessor goes: a standby predecessor means a new predecessor, not the lead', () => {
    // server_2 (a standby) left: server_3 now watches server_1 and stays standby.
    expect(electRecipe('server_3_0000000009', ['server_1_0000000005', 'server_3_0000000009'])).toMatchObject({
      role: 'standby',
      predecessor: 'server_1_0000000005',
    })
    // The primary left: server_2 leads.
    expect(electRecipe('server_2_0000000007', ['server_2_0000000007', 'server_3_0000000009'])).toMatchObject({
      role: 'primary',
    })
  })

  it('notices when its own node is gone instead of claiming the lead', () => {
    expect(electRecipe('server_1_0000000001', ['server_2_0000000002'])).toEqual({ role: 'lost' })
    expect(electRecipe('server_1_0000000001', [])).toEqual({ role: 'lost' })
  })

  it('knows when it is the last registration (the only case a leaving primary sets status "0")', () => {
    expect(isLastRegistration('server_1_0000000001', ['server_1_0000000001'])).toBe(true)
    expect(isLastRegistration('server_1_0000000001', ['server_1_0000000001', 'junk'])).toBe(true)
    expect(isLastRegistration('server_1_0000000001', ['server_1_0000000001', 'server_2_0000000002'])).toBe(false)
  })
})

describe('recipe rules: reconciliation', () => {
  it('redoes the committed ids the sink lacks, each once', () => {
    expect(reconcilePlan(7, 5)).toEqual({ append: [6, 7], fastForwardTo: null })
    expect(reconcilePlan(3, 0)).toEqual({ append: [1, 2, 3], fastForwardTo: null })
  })

  it('does nothing when the sink and lastCommit agree', () => {
    expect(reconcilePlan(0, 0)).toEqual({ append: [], fastForwardTo: null })
    expect(reconcilePlan(42, 42)).toEqual({ append: [], fastForwardTo: null })
  })

  it('moves lastCommit up to records it does not cover, rather than doing them twice', () => {
    expect(reconcilePlan(4, 6)).toEqual({ append: [], fastForwardTo: 6 })
  })

  it('reads the sink tail: the highest readable id, and whether the last line is torn', () => {
    expect(readSinkTail('')).toEqual({ lastId: 0, endsClean: true })
    const lines = [1, 2, 3].map((id) => recipeSinkRecord(id, 1, 'abc', {}, 1000)).join('')
    expect(readSinkTail(lines)).toEqual({ lastId: 3, endsClean: true })
    expect(readSinkTail(lines + '{"id":4,"wor')).toEqual({ lastId: 3, endsClean: false })
    expect(readSinkTail('not json\n{"id":"7"}\n{"id":2}\n')).toEqual({ lastId: 2, endsClean: true })
  })

  it('reads lastCommit strictly (anything but a plain integer is 0)', () => {
    expect(parseCommitted('41')).toBe(41)
    expect(parseCommitted('')).toBe(0)
    expect(parseCommitted('-3')).toBe(0)
    expect(parseCommitted('4x')).toBe(0)
  })
})

describe('recipe rules: lease and records', () => {
  it('trusts a reply for half the session timeout from when its request was sent', () => {
    expect(leaseHolds(1000, 1000, 4000)).toBe(true)
    expect(leaseHolds(1000, 2999, 4000)).toBe(true)
    expect(leaseHolds(1000, 3000, 4000)).toBe(false)
    // a SIGSTOP longer than the session timeout between the reply and the append
    expect(leaseHolds(1000, 9000, 4000)).toBe(false)
  })

  it('writes the seed record plus the fencing token, or the reconciled mark', () => {
    expect(recipeSinkRecord(5, 2, 'abc', { version: 9 }, 1000)).toBe(
      '{"id":5,"worker":2,"time":1000,"session":"abc","version":9}\n',
    )
    expect(recipeSinkRecord(6, 2, 'abc', { reconciled: true }, 1000)).toBe(
      '{"id":6,"worker":2,"time":1000,"session":"abc","reconciled":true}\n',
    )
  })
})
