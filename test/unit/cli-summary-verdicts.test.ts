import { describe, expect, it } from 'vitest'
import { formatSummary } from '../../src/cli/summary.js'
import type { RunResult } from '../../src/core/experiments/run-scenario.js'
import type { Verdict } from '../../src/shared/checker-report.js'

const verdict = (
  invariant: Verdict['invariant'],
  state: Verdict['state'],
  summary: string,
  reason?: string,
): Verdict => ({
  invariant,
  task: 'task01',
  state,
  ok: state === 'ok' || state === 'not-judged',
  ...(reason ? { reason } : {}),
  violations: [],
  summary,
})

describe('zklab run summary: verdict states', () => {
  it('writes ok, FAIL, unknown and not judged apart, and says when an expected invariant was not judged', () => {
    const reason = 'no ZooKeeper transaction log: the lab did not run the servers (an external ZooKeeper)'
    const verdicts = [
      verdict('single-primary', 'ok', 'never two at once'),
      verdict('sink-integrity', 'fail', 'missing 3'),
      verdict('status-truth', 'unknown', 'could not be judged: the check failed (boom)', 'boom'),
      verdict('zombie-write', 'not-judged', reason, reason),
    ]
    const result: RunResult = {
      ok: false,
      exitCode: 1,
      sessionDir: 'sessions/x',
      failovers: [],
      sinks: {},
      check: { ok: false, tasks: ['task01'], sessionStart: 0, verdicts, failovers: [] },
      broken: [verdicts[1], verdicts[2]],
      notJudged: [verdicts[3]],
      durationMs: 1000,
      seed: 7,
    }
    const lines = formatSummary('s', result).split('\n')
    const line = (invariant: string) => lines.find((l) => l.includes(` ${invariant} `)) ?? ''
    expect(line('single-primary')).toMatch(/^ {2}ok {9}single-primary/)
    expect(line('sink-integrity')).toMatch(/^ {2}FAIL {7}sink-integrity/)
    expect(line('status-truth')).toMatch(/^ {2}unknown {4}status-truth .*boom/)
    expect(line('zombie-write')).toMatch(/^ {2}not judged zombie-write {7}task01 {5}no ZooKeeper transaction log/)
    expect(lines).toContain(
      `  expected zombie-write (task01), but it was not judged: ${reason}; it neither fails nor passes the run`,
    )
  })
})
