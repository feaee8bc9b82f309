/**
 * The checker on a real journal: the bundled kill-primary scenario run by the real CLI, with a real
 * ZooKeeper and the seed's workers. What the seed is known to do must show, and nothing else.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { checkSession, loadSession, type CheckReport } from '../../src/core/checker/index.js'
import { zklab } from './helpers/zklab-cli.js'

const RUN_TIMEOUT_MS = 120_000

describe('checker on a real kill-primary run (seed)', () => {
  let dir: string
  let report: CheckReport
  const verdict = (invariant: string) => report.verdicts.find((v) => v.invariant === invariant && v.task === 'task01')!

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'zklab-checker-'))
    const out = join(dir, 'session')
    // The bundled scenario runs the recipe; the seed is the one with known flaws to find.
    const run = await zklab(['run', 'kill-primary', '--strategy', 'seed', '--out', out], { timeoutMs: RUN_TIMEOUT_MS })
    // Every step is carried out, but the seed breaks status-truth, and a broken invariant fails the run.
    expect(run.code, run.output).toBe(1)
    expect(run.output).toMatch(/FAIL +status-truth/)
    const { events, sinks, txnLog } = loadSession(out)
    expect(txnLog, 'the lab keeps its ZooKeeper transaction log in the session folder').toBeDefined()
    report = checkSession({ events, sinks, txnLog })
  }, RUN_TIMEOUT_MS + 30_000)
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  it('finds no split brain and no commit going backwards', () => {
    expect(verdict('single-primary').violations.map((v) => v.message)).toEqual([])
    expect(verdict('commit-monotonic').violations.map((v) => v.message)).toEqual([])
  })

  it('finds no id missing from the sink; an id done twice can only be a redo after a crash', () => {
    const sink = verdict('sink-integrity')
    expect(sink.stats?.records).toBeGreaterThan(0)
    expect(sink.stats?.missing).toBe(0)
    expect(sink.violations.filter((v) => v.kind !== 'redo-after-crash').map((v) => v.message)).toEqual([])
  })

  it("finds the seed's status flapping", () => {
    const status = verdict('status-truth')
    expect(status.ok).toBe(false)
    expect(status.stats?.flaps).toBeGreaterThan(0)
    const flap = status.violations.find((v) => v.kind === 'stopped-while-working')
    expect(flap?.message).toMatch(/a standby/)
    expect(flap?.context.length).toBeGreaterThan(0)
    expect(report.ok).toBe(false)
  })

  it('breaks down the five failovers, each ending with the new primary committing', () => {
    expect(report.failovers).toHaveLength(5)
    for (const f of report.failovers) {
      expect(f).toMatchObject({ task: 'task01', fault: 'kill', sessionEnd: 'expired' })
      expect(f.to).not.toBeNull()
      expect(f.to).not.toBe(f.from)
      const { nodeDeleted, newPrimary, firstCommit } = f.steps
      expect(newPrimary).not.toBeNull()
      expect(firstCommit).not.toBeNull()
      expect(nodeDeleted).not.toBeNull()
      expect(nodeDeleted!).toBeLessThanOrEqual(newPrimary!)
      expect(newPrimary!).toBeLessThanOrEqual(firstCommit!)
      expect(f.firstCommitId).toBe(f.lastCommitBefore! + 1)
    }
  })

  it("reads each failover off ZooKeeper's transaction log too, in the same order as the workers reported it", () => {
    for (const f of report.failovers) {
      expect(f.server).toMatchObject({ source: 'txn-log', sessionEnd: 'expired', toWorker: f.to })
      const server = f.server!.steps
      expect(f.server!.fromSession).not.toBeNull()
      expect(server.sessionEnded).not.toBeNull()
      expect(server.firstCommit).not.toBeNull()
      expect(server.sessionEnded!).toBeLessThanOrEqual(server.firstCommit!)
      // The server writes before the worker hears back; the log's times are whole ms.
      expect(server.firstCommit!).toBeLessThanOrEqual(f.steps.firstCommit! + 1)
      expect(f.server!.firstCommitId).toBe(f.firstCommitId)
    }
  })
})
