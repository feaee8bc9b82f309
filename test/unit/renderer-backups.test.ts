import { describe, expect, it } from 'vitest'
import { backupRows } from '../../src/renderer/src/experiments/checker-model.js'
import type { VerdictView } from '../../src/shared/lab-state.js'

const integrity = (task: string, state: VerdictView['state'], position?: VerdictView['position']): VerdictView => ({
  invariant: 'backup-integrity',
  task,
  state,
  ok: state !== 'fail',
  summary: '',
  violations: state === 'fail' ? 1 : 0,
  ...(position ? { position } : {}),
})

describe('the app: binlog backups beside the verdicts', () => {
  it('shows one row per binlog task: its position and its lag, failed ones as failed', () => {
    const lag: VerdictView = {
      invariant: 'backup-lag',
      task: 'bin01',
      state: 'ok',
      ok: true,
      summary: '',
      violations: 0,
      stats: { transactions: 40, unbacked: 0, p50Ms: 80, p99Ms: 2400, maxMs: 3100 },
    }
    const rows = backupRows([
      { ...integrity('counter01', 'not-judged'), reason: 'counter01 runs the counter workload' },
      lag,
      integrity('bin02', 'fail', { sinkGtid: '0-1-12', lastCommit: '0-1-10' }),
      integrity('bin01', 'ok', { sinkGtid: '0-1-41', lastCommit: '0-1-41' }),
    ])
    expect(rows).toEqual([
      {
        task: 'bin01',
        state: 'ok',
        sinkGtid: '0-1-41',
        lastCommit: '0-1-41',
        lag: { p50: 80, p99: 2400, max: 3100, transactions: 40 },
      },
      { task: 'bin02', state: 'fail', sinkGtid: '0-1-12', lastCommit: '0-1-10' },
    ])
  })
})
