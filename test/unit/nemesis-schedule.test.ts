/** Seeded fault schedules: one seed, one schedule; the scenario format's nemesis step. */
import { describe, expect, it } from 'vitest'
import {
  deriveSeed,
  MAX_NEMESIS_FAULTS,
  mulberry32,
  NEMESIS_FAULTS,
  parseSeed,
  planNemesis,
  type NemesisSpec,
} from '../../src/shared/nemesis/index.js'
import { describeIssues, Scenario } from '../../src/shared/scenario.js'

const SPEC: NemesisSpec = {
  for: 60_000,
  faults: ['kill', 'pause', 'partition', 'slow', 'restart'],
  interval: { minMs: 1000, maxMs: 4000 },
  duration: { minMs: 500, maxMs: 5000 },
  targets: ['primary', 'random', 2, 'zk-leader'],
}

describe('nemesis schedules', () => {
  it('gives the same schedule for the same seed, and another for another seed', () => {
    const a = planNemesis(SPEC, 42)
    expect(a.length).toBeGreaterThan(5)
    expect(planNemesis(SPEC, 42)).toEqual(a)
    const b = planNemesis(SPEC, 43)
    expect(b.map((p) => [p.kind, p.target, p.durationMs])).not.toEqual(a.map((p) => [p.kind, p.target, p.durationMs]))
  })

  it('keeps every fault inside its bounds, on a target its kind can hit, in order and within `for`', () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      let end = 0
      for (const p of planNemesis(SPEC, seed)) {
        expect(p.atMs - end).toBeGreaterThanOrEqual(SPEC.interval.minMs)
        expect(p.atMs - end).toBeLessThanOrEqual(SPEC.interval.maxMs)
        expect(p.durationMs).toBeLessThanOrEqual(SPEC.duration.maxMs)
        expect(p.atMs + p.durationMs).toBeLessThanOrEqual(SPEC.for)
        const server = p.target === 'zk-leader'
        expect(NEMESIS_FAULTS[p.kind].hits).toContain(server ? 'server' : 'worker')
        end = p.atMs + p.durationMs
      }
    }
    // partition and slow never pick the server; restart only picks it.
    const all = [1, 2, 3, 4, 5].flatMap((seed) => planNemesis(SPEC, seed))
    expect(all.filter((p) => p.kind === 'restart').every((p) => p.target === 'zk-leader')).toBe(true)
    expect(all.filter((p) => p.kind === 'partition').some((p) => p.target === 'zk-leader')).toBe(false)
  })

  it('draws numbers in [0, 1) from mulberry32, the same for the same seed', () => {
    const a = mulberry32(7)
    const b = mulberry32(7)
    const numbers = Array.from({ length: 1000 }, () => a.next())
    expect(numbers).toEqual(Array.from({ length: 1000 }, () => b.next()))
    expect(numbers.every((n) => n >= 0 && n < 1)).toBe(true)
    expect(new Set(numbers).size).toBe(1000)
    expect(Math.abs(numbers.reduce((s, n) => s + n, 0) / 1000 - 0.5)).toBeLessThan(0.05)
  })

  it("derives each step's seed from the run's seed and its place", () => {
    expect(deriveSeed(1, 'steps[1]')).toBe(deriveSeed(1, 'steps[1]'))
    expect(deriveSeed(1, 'steps[1]')).not.toBe(deriveSeed(1, 'steps[2]'))
    expect(deriveSeed(1, 'steps[1]')).not.toBe(deriveSeed(2, 'steps[1]'))
  })

  it('reads a seed as typed: a whole number from 0 to 2^32 - 1', () => {
    expect(parseSeed('12345')).toBe(12345)
    expect(parseSeed('0')).toBe(0)
    expect(parseSeed('4294967295')).toBe(4294967295)
    for (const bad of ['4294967296', '-3', '1.5', '1e3', 'x', '']) expect(parseSeed(bad), bad).toBeUndefined()
  })

  it('stops a schedule at its cap', () => {
    const long = { ...SPEC, for: 3_600_000, interval: { minMs: 100, maxMs: 100 }, duration: { minMs: 1, maxMs: 1 } }
    expect(planNemesis(long, 1)).toHaveLength(MAX_NEMESIS_FAULTS)
  })

  it('validates the step: kinds, ranges, and a target every kind can hit', () => {
    const scenario = (nemesis: unknown) =>
      Scenario.safeParse({ name: 'n', seed: 9, tasks: [{ name: 't', workers: 2 }], steps: [{ nemesis }] })
    const ok = scenario({ for: 10_000, faults: ['kill', 'pause'], interval: SPEC.interval, duration: SPEC.duration })
    expect(ok.success).toBe(true)
    const problems = (nemesis: unknown) => {
      const r = scenario(nemesis)
      return r.success ? [] : describeIssues(r.error)
    }
    expect(problems({ for: 10_000, faults: ['melt'], interval: SPEC.interval, duration: SPEC.duration })[0]).toMatch(
      /^steps\[0\]\.nemesis\.faults\[0\]/,
    )
    expect(
      problems({ for: 10_000, faults: ['kill'], interval: { minMs: 5, maxMs: 1 }, duration: SPEC.duration }).join(),
    ).toMatch(/minMs must not be more than maxMs/)
    expect(
      problems({
        for: 10_000,
        faults: ['partition'],
        interval: SPEC.interval,
        duration: SPEC.duration,
        targets: ['zk-1'],
      })[0],
    ).toMatch(/steps\[0\]\.nemesis\.faults\[0\]: partition cannot hit any of the targets listed \(zk-1\)/)
    expect(Scenario.safeParse({ name: 'n', seed: -1, tasks: [{ name: 't', workers: 1 }] }).success).toBe(false)
  })
})
