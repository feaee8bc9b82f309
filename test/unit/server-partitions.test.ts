/**
 * The named partition shapes between ensemble servers, resolved against the servers' modes: the cut
 * directions each one means, and the errors that say why a shape does not fit.
 */
import { describe, expect, it } from 'vitest'
import type { ZkServerView } from '../../src/shared/lab-state.js'
import { resolveServerPartition, ServerPartitionSpec } from '../../src/shared/server-partitions.js'

const ensemble = (size: number, leader: number): ZkServerView[] =>
  Array.from({ length: size }, (_, i) => ({
    id: i + 1,
    name: `zk-${i + 1}`,
    state: 'running' as const,
    mode: i + 1 === leader ? 'leader' : 'follower',
  }))
const pairs = (cuts: { from: number; to: number }[]) => cuts.map((c) => `${c.from}>${c.to}`).sort()

describe('resolveServerPartition', () => {
  it('isolate cuts the leader off both ways from every other server', () => {
    const r = resolveServerPartition({ shape: 'isolate', server: 'zk-leader' }, ensemble(3, 2))
    expect(pairs(r.cuts)).toEqual(['1>2', '2>1', '2>3', '3>2'])
    expect(r.description).toBe('zk-2 (leader) cut off from zk-1, zk-3')
  })

  it('halves puts the named server and the next ones in a minority (2 of 5), the rest in a majority', () => {
    const r = resolveServerPartition({ shape: 'halves', server: 'zk-5' }, ensemble(5, 1))
    // zk-5 and, wrapping round, zk-1: the minority; zk-2..4 the majority.
    expect(r.description).toBe('minority zk-1, zk-5 split from majority zk-2, zk-3, zk-4')
    expect(r.cuts).toHaveLength(2 * 2 * 3)
    expect(pairs(r.cuts)).not.toContain('1>5')
    expect(pairs(r.cuts)).not.toContain('2>3')
  })

  it('halves without a server draws the first from the random source given', () => {
    const a = resolveServerPartition({ shape: 'halves' }, ensemble(3, 1), () => 0.99)
    expect(a.description).toBe('minority zk-3 split from majority zk-1, zk-2')
  })

  it('ring on 5 servers leaves each server its two neighbours only', () => {
    const r = resolveServerPartition({ shape: 'ring' }, ensemble(5, 3))
    const cut = pairs(r.cuts)
    expect(cut).toHaveLength(10)
    for (const [a, b] of [
      [1, 2],
      [2, 3],
      [3, 4],
      [4, 5],
      [5, 1],
    ]) {
      expect(cut).not.toContain(`${a}>${b}`)
      expect(cut).not.toContain(`${b}>${a}`)
    }
    expect(cut).toContain('1>3')
    expect(() => resolveServerPartition({ shape: 'ring' }, ensemble(3, 1))).toThrow(/A ring needs 5 servers/)
  })

  it('one-way cuts one direction only, to a server or to all others', () => {
    expect(
      pairs(resolveServerPartition({ shape: 'one-way', from: 'zk-leader', to: 'others' }, ensemble(3, 3)).cuts),
    ).toEqual(['3>1', '3>2'])
    expect(pairs(resolveServerPartition({ shape: 'one-way', from: 'zk-1', to: 'zk-2' }, ensemble(3, 3)).cuts)).toEqual([
      '1>2',
    ])
    expect(() => resolveServerPartition({ shape: 'one-way', from: 'zk-1', to: 'zk-1' }, ensemble(3, 3))).toThrow(
      /same server/,
    )
  })

  it('says why a shape does not fit: no ensemble, no such server, missing fields', () => {
    expect(() => resolveServerPartition({ shape: 'isolate', server: 'zk-1' }, ensemble(1, 1))).toThrow(
      /need an ensemble/,
    )
    expect(() => resolveServerPartition({ shape: 'isolate', server: 'zk-7' }, ensemble(3, 1))).toThrow(
      /No server is zk-7 right now/,
    )
    const noLeader = ensemble(3, 0)
    expect(() => resolveServerPartition({ shape: 'isolate', server: 'zk-leader' }, noLeader)).toThrow(/zk-leader/)
    expect(ServerPartitionSpec.safeParse({ shape: 'isolate' }).success).toBe(false)
    expect(ServerPartitionSpec.safeParse({ shape: 'one-way', from: 'zk-1' }).error?.issues[0].message).toMatch(
      /one-way needs from .* and to/,
    )
  })
})

describe('partitionServers steps in the scenario format', () => {
  const scenario = (zookeeper: object, steps: object[]) => ({
    name: 't',
    zookeeper,
    tasks: [{ name: 'task01', workers: 1 }],
    steps,
  })

  it('are refused outside an ensemble, naming the step and the fix', async () => {
    const { Scenario, describeIssues } = await import('../../src/shared/scenario.js')
    const parsed = Scenario.safeParse(
      scenario({ mode: 'standalone' }, [{ repeat: 2, steps: [{ partitionServers: 'isolate', server: 'zk-1' }] }]),
    )
    expect(parsed.success).toBe(false)
    expect(describeIssues(parsed.error!)).toEqual([
      expect.stringMatching(
        /^steps\[0\]\.steps\[0\]: partitions between servers need a local ensemble \(zookeeper: \{ mode: ensemble/,
      ),
    ])
  })

  it('check their shape’s fields, and count `for` in the run time', async () => {
    const { Scenario, describeIssues } = await import('../../src/shared/scenario.js')
    const bad = Scenario.safeParse(
      scenario({ mode: 'ensemble', servers: 3 }, [{ partitionServers: 'one-way', from: 'zk-1' }]),
    )
    expect(describeIssues(bad.error!)).toEqual([expect.stringMatching(/^steps\[0\]\.to: one-way needs from/)])
    const ok = Scenario.parse(
      scenario({ mode: 'ensemble', servers: 3 }, [{ partitionServers: 'halves', for: 5000 }, { healServers: true }]),
    )
    expect(ok.steps).toEqual([{ partitionServers: 'halves', for: 5000 }, { healServers: true }])
  })
})

describe('the bundled scenarios', () => {
  it('all parse, and every `breaks` names a strategy and invariants the format knows', async () => {
    const { bundledScenarios } = await import('../../src/core/experiments/load-scenario.js')
    const bundled = bundledScenarios()
    expect(bundled.map((b) => b.name)).toEqual(
      expect.arrayContaining(['quorum-loss', 'leader-switch', 'one-way-partition-primary', 'random-nemesis']),
    )
    const breaks = bundled.flatMap((b) => Object.keys(b.scenario.breaks ?? {}))
    expect(breaks.length).toBeGreaterThan(0)
    expect(new Set(breaks)).toEqual(new Set(['seed']))
  })
})
