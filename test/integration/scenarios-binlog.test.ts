/**
 * The bundled binlog scenarios as a user runs them (`zklab run`, then `zklab report`): a real
 * MariaDB source under load, a real ZooKeeper and real workers. The recipe backs the source up
 * exactly across primary kills; the seed paused past its session is caught writing transactions
 * twice, by GTID. The other binlog scenarios (burst, source restart) are left to `zklab run`: the
 * worker-binlog and lab-source tests cover what they exercise, in less time.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import type { RunResult } from '../../src/core/experiments/run-scenario.js'
import { zklab, zklabRunJson } from './helpers/zklab-cli.js'

const base = mkdtempSync(join(tmpdir(), 'zklab-binlog-scenarios-'))
const verdict = (result: RunResult, invariant: string) => result.check?.verdicts.find((v) => v.invariant === invariant)

describe('bundled binlog scenarios', () => {
  afterAll(() => rmSync(base, { recursive: true, force: true }))

  it('binlog-kill-primary: the recipe exits 0 with the backup exact; the folder holds the source log, sink and history; the report shows backup-integrity and the lag chart', async () => {
    const dir = join(base, 'kill-recipe')
    const { code, result, stderr } = await zklabRunJson(['binlog-kill-primary', '--strategy', 'recipe', '--out', dir])
    expect(result.error, stderr.slice(-2000)).toBeUndefined()
    expect(code).toBe(0)
    const integrity = verdict(result, 'backup-integrity')
    expect(integrity?.state, integrity?.summary).toBe('ok')
    expect(integrity?.summary).toMatch(/each backed up once, in binlog order, equal to the source/)
    expect(verdict(result, 'backup-lag')?.state).toBe('ok')
    expect(verdict(result, 'sink-integrity')).toBeUndefined() // a binlog sink is backup-integrity's
    expect(result.failovers.length).toBe(3)
    for (const file of ['logs/mariadb.log', 'sinks/task01.log', 'source/binlog.jsonl'])
      expect(existsSync(join(dir, file)), file).toBe(true)

    const report = await zklab(['report', dir, '--format', 'html,json'])
    expect(report.code, report.output).toBe(0)
    const html = readFileSync(join(dir, 'report.html'), 'utf8')
    expect(html).toContain('data-invariant="backup-integrity" data-state="ok"')
    expect(html).toMatch(/<svg class="chart backup-lag" data-task="task01"/)
  })

  it('binlog-pause-primary: the seed, resumed after its successor took over, writes transactions twice; exit 1 naming the GTIDs', async () => {
    const { code, result } = await zklabRunJson([
      'binlog-pause-primary',
      '--strategy',
      'seed',
      '--out',
      join(base, 'pause-seed'),
    ])
    expect(code).toBe(1)
    const integrity = verdict(result, 'backup-integrity')
    expect(integrity?.state).toBe('fail')
    const twice = integrity!.violations.find((v) => v.kind === 'duplicate' || v.kind === 'redo-after-stall')
    expect(twice?.message).toMatch(/0-1-\d+/)
    expect(result.knownBreaks).toMatchObject({ strategy: 'seed' })
  })
})
