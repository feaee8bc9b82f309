/** The source panel's arithmetic: each binlog task's backup against the source, and the load form's checks. */
import { describe, expect, it } from 'vitest'
import { backupPositions, loadRequest } from '../../src/renderer/src/source/source-model.js'
import type { ProcessView, WorkerView } from '../../src/shared/lab-state.js'

const worker = (name: string, fields: Partial<WorkerView>): WorkerView => ({
  name,
  task: 't',
  workerId: 1,
  strategy: 'recipe',
  role: 'standby',
  status: 'running',
  sessions: [],
  commits: 0,
  ...fields,
})
const process = (name: string, labels: ProcessView['labels']): ProcessView => ({
  name,
  kind: 'worker',
  pid: 1,
  status: 'running',
  startedAt: 0,
  labels,
})

describe('source panel model', () => {
  it("puts a binlog task's lastCommit and its primary's last write against the source's GTID", () => {
    const rows = backupPositions({
      source: { port: 1, state: 'running', gtid: '0-1-50', binlogFiles: [] },
      tasks: {
        t: { name: 't', instances: [], lastCommit: 41, lastCommitGtid: '0-1-41' },
        c: { name: 'c', instances: [], lastCommit: 7 },
      },
      workers: {
        a: worker('a', { role: 'primary', lastWorkGtid: '0-1-48' }),
        b: worker('b', { lastWorkGtid: '0-1-30' }),
        // A counter task's worker: not a backup.
        c1: worker('c1', { task: 'c', role: 'primary' }),
        // Labelled binlog, nothing written yet: its task is listed before the first commit.
        n1: worker('n1', { task: 'n' }),
      },
      processes: { n1: process('n1', { task: 'n', workload: 'binlog' }), c1: process('c1', { task: 'c' }) },
    })
    expect(rows).toEqual([
      { task: 'n', behind: 50 },
      { task: 't', lastCommit: '0-1-41', written: '0-1-48', writtenBy: 'a', behind: 9 },
    ])
  })

  it('checks the load form with the API schema', () => {
    expect(loadRequest('rate', '50')).toEqual({ ok: true, input: { rate: 50 } })
    expect(loadRequest('rate', '200', '2.5')).toEqual({ ok: true, input: { rate: 200, forMs: 2500 } })
    expect(loadRequest('burst', '500')).toEqual({ ok: true, input: { burst: 500 } })
    expect(loadRequest('rate', '')).toMatchObject({ ok: false, problem: 'The rate must be a number.' })
    const refused = (r: ReturnType<typeof loadRequest>) => (r.ok ? '' : r.problem)
    expect(refused(loadRequest('rate', '-1'))).toMatch(/^rate: /)
    expect(refused(loadRequest('burst', '1.5'))).toMatch(/^burst: /)
    expect(loadRequest('rate', '5', 'x')).toMatchObject({ ok: false, problem: 'The duration must be a number.' })
  })
})
