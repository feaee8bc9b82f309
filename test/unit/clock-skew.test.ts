/** A worker's clock setting: the libfaketime environment built for it, and the times read back. */
import { describe, expect, it } from 'vitest'
import { faketimeEnv, FaketimeMissingError } from '../../src/core/workers/faketime.js'
import { parseChildLine } from '../../src/core/workers/child-line.js'
import { ClockSkew, describeClock, faketimeSpec, labTimeOf } from '../../src/shared/worker-launch/index.js'

const LIB = '/opt/lib/libfaketime.so.1'

describe('clock skew settings', () => {
  it('writes libfaketime relative offsets in seconds, with the rate after the offset', () => {
    expect(faketimeSpec({ offsetMs: 5000 })).toBe('+5')
    expect(faketimeSpec({ offsetMs: -5000 })).toBe('-5')
    expect(faketimeSpec({ offsetMs: 1500 })).toBe('+1.5')
    expect(faketimeSpec({ offsetMs: -250, rate: 1.01 })).toBe('-0.25 x1.01')
    // A rate alone still needs the offset: libfaketime ignores "x2" without one.
    expect(faketimeSpec({ rate: 0.5 })).toBe('+0 x0.5')
    expect(describeClock({ offsetMs: -250, rate: 1.01 })).toBe('-0.25 s, ×1.01')
  })

  it('builds the environment: the library preloaded before any other, the monotonic clock left alone', () => {
    expect(faketimeEnv({ offsetMs: 5000 }, 'worker-t-1', LIB, undefined)).toEqual({
      LD_PRELOAD: LIB,
      FAKETIME: '+5',
      FAKETIME_DONT_FAKE_MONOTONIC: '1',
    })
    expect(faketimeEnv({ rate: 1.01 }, 'worker-t-1', LIB, '/x/other.so').LD_PRELOAD).toBe(`${LIB}:/x/other.so`)
  })

  it('refuses a skew it cannot apply, naming the worker and the install command', () => {
    expect(() => faketimeEnv({ offsetMs: 5000 }, 'worker-t-2', null)).toThrow(FaketimeMissingError)
    expect(() => faketimeEnv({ offsetMs: 5000 }, 'worker-t-2', null)).toThrow(
      /worker-t-2 asks for a skewed clock.*apt-get install faketime/,
    )
  })

  it('validates the setting: a skew that changes nothing, or past a day, is refused', () => {
    expect(ClockSkew.safeParse({ offsetMs: 0 }).success).toBe(false)
    expect(ClockSkew.safeParse({ rate: 1 }).success).toBe(false)
    expect(ClockSkew.safeParse({ offsetMs: 2 * 86_400_000 }).success).toBe(false)
    expect(ClockSkew.safeParse({ offsetMs: -5000, rate: 1.01 }).success).toBe(true)
  })

  it("turns a time a skewed worker wrote back into the lab's", () => {
    const started = 1_000_000
    const clock = { offsetMs: -5000, rate: 1.01 }
    // 10 s after its start, its clock reads start − 5 s + 10.1 s.
    expect(labTimeOf(clock, started, started - 5000 + 10_100)).toBe(started + 10_000)
    expect(labTimeOf({ offsetMs: 5000 }, started, started + 7000)).toBe(started + 2000)
  })

  it("times a skewed child's event by the lab's clock and keeps its own as ownTime", () => {
    const line = JSON.stringify({ type: 'worker.commit', time: 1_005_000, id: 3, version: 2 })
    expect(parseChildLine('w', 'stdout', line, true, 1_000_040, true)).toMatchObject({
      time: 1_000_040,
      ownTime: 1_005_000,
    })
    const trusted = parseChildLine('w', 'stdout', line, true, 1_000_040, false)
    expect(trusted.time).toBe(1_005_000)
    expect(trusted.ownTime).toBeUndefined()
  })
})
