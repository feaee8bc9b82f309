/** Link faults in the scenario format and the Lab API: the steps Toxiproxy users know, checked by field. */
import { describe, expect, it } from 'vitest'
import { parseScenario, ScenarioError } from '../../src/core/experiments/load-scenario.js'
import { proxySeed, seededRandom } from '../../src/core/faults/link-toxics.js'
import { NetworkFaultInput } from '../../src/shared/api.js'
import { describeNetworkFault, networkFaultRecord } from '../../src/shared/network-faults.js'

const HEAD = 'name: links\ntasks: [{name: task01, workers: 2}]\nsteps:\n'

function steps(yaml: string): unknown[] {
  return parseScenario(HEAD + yaml, 'links.yaml').steps
}

function refusal(yaml: string): string {
  try {
    parseScenario(HEAD + yaml, 'links.yaml')
  } catch (err) {
    expect(err).toBeInstanceOf(ScenarioError)
    return (err as Error).message
  }
  throw new Error('the scenario was accepted')
}

describe('link fault steps', () => {
  it('partition and slow take a direction, a toxicity and a seed', () => {
    expect(
      steps(
        '  - {partition: primary, direction: downstream, for: 5000}\n' +
          '  - {slow: standby, latencyMs: 200, direction: upstream, toxicity: 0.5, seed: 42}\n',
      ),
    ).toEqual([
      { partition: 'primary', direction: 'downstream', for: 5000 },
      { slow: 'standby', latencyMs: 200, jitterMs: 0, direction: 'upstream', toxicity: 0.5, seed: 42 },
    ])
  })

  it('loss, bandwidth, slicer and slowClose are steps with their own fields', () => {
    expect(
      steps(
        '  - {loss: primary, probability: 0.2, for: 3000}\n' +
          '  - {bandwidth: 2, bytesPerSecond: 1000}\n' +
          '  - {slicer: primary, sliceBytes: 16}\n' +
          '  - {slowClose: primary, delayMs: 1000, direction: downstream}\n',
      ),
    ).toEqual([
      { loss: 'primary', probability: 0.2, for: 3000 },
      { bandwidth: 2, bytesPerSecond: 1000 },
      { slicer: 'primary', sliceBytes: 16, sliceDelayMs: 0 },
      { slowClose: 'primary', delayMs: 1000, direction: 'downstream' },
    ])
  })

  it('refuses a bad field and names it', () => {
    expect(refusal('  - {partition: primary, direction: sideways}\n')).toMatch(/steps\[0\]\.direction/)
    expect(refusal('  - {loss: primary, probability: 1.5}\n')).toMatch(/steps\[0\]\.probability/)
    expect(refusal('  - {loss: primary}\n')).toMatch(/steps\[0\]\.probability/)
    expect(refusal('  - {bandwidth: primary, bytesPerSecond: 0}\n')).toMatch(/steps\[0\]\.bytesPerSecond/)
    expect(refusal('  - {partition: primary, toxicity: -0.1}\n')).toMatch(/steps\[0\]\.toxicity/)
    // A reset is a one-off: it takes no direction.
    expect(refusal('  - {reset: primary, direction: upstream}\n')).toMatch(/steps\[0\]/)
  })

  it('counts a link fault’s `for` in the run time', () => {
    expect(refusal('  - {loss: primary, probability: 0.1, for: 3600000}\n'.repeat(25))).toMatch(/at most 24 h/)
  })
})

describe('network fault input and record', () => {
  it('needs the parameter of its kind', () => {
    expect(NetworkFaultInput.safeParse({ name: 'w', fault: 'loss' }).success).toBe(false)
    expect(NetworkFaultInput.safeParse({ name: 'w', fault: 'bandwidth', bytesPerSecond: 10 }).success).toBe(true)
    expect(NetworkFaultInput.safeParse({ name: 'w', fault: 'slow-close' }).error?.issues[0].path).toEqual(['delayMs'])
  })

  it('records the fields of its kind only, and labels them legibly', () => {
    const loss = networkFaultRecord({
      name: 'w',
      fault: 'loss',
      probability: 0.2,
      latencyMs: 5,
      direction: 'upstream',
      toxicity: 1,
      seed: 3,
    })
    expect(loss).toEqual({ name: 'w', fault: 'loss', probability: 0.2, direction: 'upstream', seed: 3 })
    expect(describeNetworkFault(loss)).toBe('loss 20 % ↑')
    expect(describeNetworkFault({ fault: 'partition', direction: 'downstream', toxicity: 0.5 })).toBe(
      'partition ↓ (50 % of connections)',
    )
    expect(describeNetworkFault(networkFaultRecord({ name: 'w', fault: 'slow', latencyMs: 300 }))).toBe('slow +300 ms')
    expect(describeNetworkFault({ fault: 'bandwidth', bytesPerSecond: 2500 })).toBe('bandwidth 2.5 kB/s')
    expect(networkFaultRecord({ name: 'w', fault: 'heal', direction: 'upstream' })).toEqual({
      name: 'w',
      fault: 'heal',
    })
  })

  it('a seed gives the same draws, and each proxy of a network its own', () => {
    const draws = (seed: number) => Array.from({ length: 5 }, seededRandom(seed))
    expect(draws(42)).toEqual(draws(42))
    expect(draws(42)).not.toEqual(draws(proxySeed(42, 1)))
    for (const x of draws(7)) expect(x >= 0 && x < 1).toBe(true)
  })
})
