import { describe, expect, it } from 'vitest'
import { atoi, instanceSequence, seedRole, sinkRecord } from '../../src/worker/strategies/seed-rules.js'

describe('seed rules (the Go program, quirks included)', () => {
  it('reads the sequence from the last 10 characters', () => {
    expect(instanceSequence('server_3_0000000042')).toBe(42)
    expect(instanceSequence('/customBackUp/tasks/t/instance/server_12_0123456789')).toBe(123456789)
    // beyond 10^8: the Go code's last-8 reading would see 1 here and misorder it
    expect(instanceSequence('server_1_0100000001')).toBe(100000001)
    expect(instanceSequence('not-a-number')).toBe(0)
  })

  it('is primary when no node has a smaller sequence', () => {
    const nodes = ['server_2_0000000007', 'server_1_0000000005', 'server_3_0000000009']
    expect(seedRole('server_1_0000000005', nodes)).toEqual({ role: 'primary', smallest: 'server_1_0000000005' })
    expect(seedRole('server_2_0000000007', nodes)).toEqual({ role: 'standby', smallest: 'server_1_0000000005' })
    expect(seedRole('server_3_0000000009', nodes)).toEqual({ role: 'standby', smallest: 'server_1_0000000005' })
  })

  it('does not notice its own node is gone (after a session expiry)', () => {
    expect(seedRole('server_1_0000000001', ['server_2_0000000002'])).toEqual({
      role: 'primary',
      smallest: 'server_1_0000000001',
    })
    expect(seedRole('server_3_0000000003', ['server_2_0000000002'])).toEqual({
      role: 'standby',
      smallest: 'server_2_0000000002',
    })
    expect(seedRole('server_1_0000000001', [])).toEqual({ role: 'primary', smallest: 'server_1_0000000001' })
  })

  it('reads lastCommit like strconv.Atoi with the error ignored', () => {
    expect(atoi('41')).toBe(41)
    expect(atoi('+3')).toBe(3)
    expect(atoi('')).toBe(0)
    expect(atoi(' 4')).toBe(0)
    expect(atoi('4x')).toBe(0)
  })

  it('writes one JSON line per record', () => {
    expect(sinkRecord(5, 2, 'abc', 1000)).toBe('{"id":5,"worker":2,"time":1000,"session":"abc"}\n')
  })
})
