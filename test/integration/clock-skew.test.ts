/**
 * Workers with a skewed wall clock (libfaketime), with a real ZooKeeper and real recipe workers: the
 * skew reaches the worker (its own times are off by the offset), the journal keeps both clocks, and
 * a failover to a worker whose clock is behind is still measured on the lab's clock (no negative or
 * missing steps).
 */
import { execFile } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { promisify } from 'node:util'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Lab } from '../../src/core/lab.js'
import { readJournal } from '../../src/core/journal/journal.js'
import { journalPath } from '../../src/core/session-folder/index.js'
import { faketimeEnv, FAKETIME_INSTALL, findFaketimeLibrary } from '../../src/core/workers/faketime.js'
import { LabEventTypes, WorkerEventTypes, type LabEvent } from '../../src/shared/events.js'
import { primariesOf } from '../../src/shared/lab-state.js'
import { isAlive, waitFor } from './helpers/wait.js'

const TASK = 'task01'
const AHEAD = { offsetMs: 5000 }
const BEHIND = { offsetMs: -5000, rate: 1.01 }
const library = findFaketimeLibrary()

// `npm test` and CI install it (ensure-zookeeper --with-faketime); elsewhere the skip says how.
describe.skipIf(!library)(`workers with a skewed clock (needs libfaketime: ${FAKETIME_INSTALL})`, () => {
  let base: string
  let lab: Lab
  const events: LabEvent[] = []
  const of = (source: string) => events.filter((e) => e.source === source && e.type.startsWith('worker.'))

  beforeAll(async () => {
    base = mkdtempSync(join(tmpdir(), 'zklab-clock-'))
    lab = new Lab()
    lab.onEvent((e) => events.push(e))
    await lab.createSession({ name: 'clock-skew', dir: join(base, 'session') })
    await lab.startZooKeeper({ tickTimeMs: 500 })
    await lab.publishTask({ task: TASK })
    const settings = { task: TASK, strategy: 'recipe' as const, commitIntervalMs: 300, sessionTimeoutMs: 2000 }
    // The real-clock worker first, so it is the primary the test kills.
    await lab.addWorkers({ ...settings, count: 1 })
    await waitFor(() => primariesOf(lab.state, TASK).length === 1, 60_000)
    // Each registered before the next starts: the election order (1, 2, 3) is what the failover test expects.
    await lab.addWorkers({ ...settings, count: 1, clock: BEHIND })
    await waitFor(() => lab.state.workers[`worker-${TASK}-2`]?.role === 'standby', 60_000)
    await lab.addWorkers({ ...settings, count: 1, clock: AHEAD })
    await waitFor(() => Object.values(lab.state.workers).filter((w) => w.role === 'standby').length === 2, 60_000)
  }, 120_000)

  afterAll(async () => {
    const pids = events.filter((e) => e.type === LabEventTypes.processSpawned).map((e) => Number(e.pid))
    await lab?.dispose()
    expect(pids.filter(isAlive)).toEqual([])
    rmSync(base, { recursive: true, force: true })
  })

  it('runs Node with Date.now skewed and its timers on real time', async () => {
    const script =
      'const t0 = Date.now(), p0 = performance.now();' +
      'setTimeout(() => console.log(JSON.stringify({ t0, date: Date.now() - t0, perf: performance.now() - p0 })), 500)'
    const before = Date.now()
    const { stdout: out } = await promisify(execFile)(process.execPath, ['-e', script], {
      env: { ...process.env, ...faketimeEnv(AHEAD, 'the test') },
      timeout: 20_000,
    })
    const { t0, date, perf } = JSON.parse(out) as { t0: number; date: number; perf: number }
    // Ahead by the offset (less than the start-up time it took to read it).
    expect(t0 - before).toBeGreaterThan(4000)
    expect(t0 - Date.now()).toBeGreaterThan(3000)
    // The timer fired after about its 500 ms, and the faked wall clock moved at the real pace.
    expect(perf).toBeGreaterThanOrEqual(490)
    expect(date).toBeGreaterThanOrEqual(490)
    expect(date).toBeLessThan(5000)
  })

  it('records each worker clock and keeps both clocks on the skewed workers events', () => {
    const spawned = events.filter((e) => e.type === LabEventTypes.processSpawned && e.kind === 'worker')
    expect(spawned.map((e) => e.type === LabEventTypes.processSpawned && e.clock)).toEqual([undefined, BEHIND, AHEAD])
    expect(lab.state.workers[`worker-${TASK}-3`].clock).toEqual(AHEAD)

    const real = of(`worker-${TASK}-1`)
    const ahead = of(`worker-${TASK}-3`)
    const behind = of(`worker-${TASK}-2`)
    expect(real.length).toBeGreaterThan(0)
    expect(real.every((e) => e.ownTime === undefined)).toBe(true)
    expect(ahead.length).toBeGreaterThan(0)
    for (const e of ahead) {
      // Its own clock is ~5 s ahead of when the lab read the line (less the pipe's delay).
      expect(e.ownTime! - e.time).toBeGreaterThan(3500)
      expect(e.ownTime! - e.time).toBeLessThanOrEqual(5000 + 50)
    }
    for (const e of behind) expect(e.ownTime! - e.time).toBeLessThan(-4500)
  })

  it('measures a failover to a worker whose clock is behind on the lab clock', async () => {
    const primary = primariesOf(lab.state, TASK)[0]
    expect(primary.name).toBe(`worker-${TASK}-1`)
    await lab.processAction({ name: primary.name, action: 'kill' })
    await waitFor(() => lab.failovers.some((f) => f.firstCommitMs !== undefined), 60_000)
    const [live] = lab.failovers
    // The recipe's next in line is worker 2, whose own clock is 5 s behind: its times would put the
    // takeover before the kill.
    expect(live.to).toBe(`worker-${TASK}-2`)
    expect(live.newPrimaryMs).toBeGreaterThanOrEqual(0)
    expect(live.firstCommitMs!).toBeGreaterThanOrEqual(live.newPrimaryMs!)
    expect(live.firstCommitMs!).toBeLessThan(30_000)

    const dir = lab.sessionDir!
    await lab.closeSession()
    const report = lab.checkReport()!
    const [breakdown] = report.failovers
    expect(breakdown.to).toBe(`worker-${TASK}-2`)
    for (const step of ['sessionEnded', 'nodeDeleted', 'newPrimary', 'firstCommit'] as const) {
      expect(breakdown.steps[step], step).not.toBeNull()
      expect(breakdown.steps[step]!, step).toBeGreaterThanOrEqual(0)
    }
    expect(report.verdicts.filter((v) => v.invariant === 'single-primary').every((v) => v.ok)).toBe(true)
    // The journal on disk keeps the worker's own clock beside the lab's.
    const onDisk = readJournal(journalPath(dir)).events.filter(
      (e) => e.source === `worker-${TASK}-3` && e.type === WorkerEventTypes.started,
    )
    expect(onDisk[0]?.ownTime).toBeGreaterThan(onDisk[0]?.time)
  })
})
