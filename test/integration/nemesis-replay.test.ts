/**
 * A nemesis step replays: `zklab run` of a short nemesis scenario with a standalone ZooKeeper and 2
 * recipe workers draws a seed and records it; a second run with `--seed` of it makes the same faults
 * (kinds, targets as the schedule names them, durations, order) as both journals show.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { readJournal } from '../../src/core/journal/journal.js'
import { journalPath } from '../../src/core/session-folder/index.js'
import { LabEventTypes, type EventOf } from '../../src/shared/events.js'
import { zklabRunJson } from './helpers/zklab-cli.js'

const base = mkdtempSync(join(tmpdir(), 'zklab-nemesis-'))
const scenarioFile = join(base, 'nemesis.yaml')
writeFileSync(
  scenarioFile,
  `name: nemesis-replay
zookeeper: { tickTimeMs: 500 }
tasks:
  - { name: task01, workers: 2, commitIntervalMs: 300, sessionTimeoutMs: 2000 }
expect: none
steps:
  - waitFor: primary
  - nemesis:
      for: 7000
      faults: [kill, stop, pause, partition, slow, reset]
      interval: { minMs: 500, maxMs: 1200 }
      duration: { minMs: 300, maxMs: 1500 }
      targets: [primary, random, standby]
  - waitFor: primary
    timeoutMs: 30000
`,
)

function nemesisEvents(dir: string) {
  const { events } = readJournal(journalPath(dir))
  const of = <T extends typeof LabEventTypes.nemesisSchedule | typeof LabEventTypes.nemesisFault>(type: T) =>
    events.filter((e): e is EventOf<T> => e.type === type)
  const started = events.find((e) => e.type === LabEventTypes.scenarioStarted)
  return {
    seed: started?.type === LabEventTypes.scenarioStarted ? started.seed : undefined,
    schedules: of(LabEventTypes.nemesisSchedule).map(({ path, seed, stepSeed, forMs, picks }) => ({
      path,
      seed,
      stepSeed,
      forMs,
      picks,
    })),
    faults: of(LabEventTypes.nemesisFault).map(({ index, kind, target, durationMs }) => ({
      index,
      kind,
      target,
      durationMs,
    })),
  }
}

describe('nemesis: a seeded fault schedule', () => {
  afterAll(() => rmSync(base, { recursive: true, force: true }))

  it('makes the same faults in the same order when run again with the seed it recorded', async () => {
    const first = await zklabRunJson([scenarioFile, '--out', join(base, 'first')])
    expect(first.result.error, first.stderr.slice(-2000)).toBeUndefined()
    const seed = first.result.seed
    expect(Number.isInteger(seed)).toBe(true)
    expect(first.stderr).toContain(`seed ${seed} (replay with --seed ${seed})`)

    const second = await zklabRunJson([scenarioFile, '--out', join(base, 'second'), '--seed', String(seed)])
    expect(second.result.error, second.stderr.slice(-2000)).toBeUndefined()
    expect(second.result.seed).toBe(seed)

    const a = nemesisEvents(first.result.sessionDir)
    const b = nemesisEvents(second.result.sessionDir)
    expect(a.seed).toBe(seed)
    expect(a.schedules).toHaveLength(1)
    expect(a.schedules[0].seed).toBe(seed)
    expect(a.schedules[0].picks.length).toBeGreaterThanOrEqual(3)
    expect(b.schedules).toEqual(a.schedules)
    // Every fault of the schedule was made (or skipped, said why), in order, in both runs alike.
    expect(a.faults.map((f) => f.index)).toEqual(a.schedules[0].picks.map((p) => p.index))
    expect(b.faults).toEqual(a.faults)
  }, 120_000)
})
