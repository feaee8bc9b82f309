import { describe, expect, it } from 'vitest'
import { finiteNumber, seconds, sinceStart } from '../../src/shared/format.js'

describe('the lab’s way of writing numbers', () => {
  it('writes durations in seconds with two decimals, a dash when not measured', () => {
    expect(seconds(4321)).toBe('4.32 s')
    expect(seconds(50)).toBe('0.05 s')
    expect(seconds(12_345, 1)).toBe('12.3 s')
    expect(seconds(undefined)).toBe('—')
    expect(seconds(null)).toBe('—')
  })

  it('writes moments as signed seconds since the session began', () => {
    expect(sinceStart(13_350, 1000)).toBe('+12.35 s')
    expect(sinceStart(800, 1000)).toBe('−0.20 s')
    expect(sinceStart(1000, 1000, 1)).toBe('+0.0 s')
  })

  it('keeps only finite numbers', () => {
    expect(finiteNumber(3)).toBe(3)
    expect(finiteNumber(Number.NaN)).toBeUndefined()
    expect(finiteNumber(Infinity)).toBeUndefined()
    expect(finiteNumber('3')).toBeUndefined()
  })
})
