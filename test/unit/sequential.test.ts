import { describe, expect, it } from 'vitest'
import { bySequence, sequenceOf } from '../../src/shared/sequential.js'

describe('sequential znode names', () => {
  it('orders by the counter ZooKeeper appended, whatever the prefix says', () => {
    const names = ['server_3_0000000002', 'server_10_0000000000', 'server_2_0000000011', 'server_1_0000000001']
    expect([...names].sort(bySequence)).toEqual([
      'server_10_0000000000',
      'server_1_0000000001',
      'server_3_0000000002',
      'server_2_0000000011',
    ])
    expect(sequenceOf('server_2_0000000011')).toBe('0000000011')
  })

  it('orders other names by name, and sequential ones before none of them in particular', () => {
    expect(['status', 'lastCommit', 'instance'].sort(bySequence)).toEqual(['instance', 'lastCommit', 'status'])
    expect(bySequence('a_0000000001', 'a_0000000001')).toBe(0)
  })
})
