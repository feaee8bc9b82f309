import type { RunResult } from '../core/experiments/run-scenario.js'
import { VERDICT_STATE_LABEL, verdictState } from '../shared/checker-report.js'
import { seconds } from '../shared/format.js'

const pad = (text: string, width: number) => text.padEnd(width)
const STATE_WIDTH = Math.max(...Object.values(VERDICT_STATE_LABEL).map((l) => l.length))

/** The end-of-run report on a terminal: each failover with its breakdown, each verdict, each sink. */
export function formatSummary(name: string, result: RunResult): string {
  const lines = [`${name}: ${result.ok ? 'PASSED' : 'FAILED'} in ${seconds(result.durationMs)}`]
  if (result.error) lines.push(`  ${result.error}`)
  lines.push(`  seed ${result.seed} (zklab run --seed ${result.seed} replays its random choices)`)

  const breakdowns = result.check?.failovers ?? []
  if (breakdowns.length > 0) {
    lines.push('', '  failovers (ms after the fault)')
    lines.push(
      `  ${pad('#', 3)}${pad('task', 10)}${pad('fault', 10)}${pad('from -> to', 38)}${['session', 'node gone', 'watch', 'primary', '1st commit'].map((h) => h.padStart(11)).join('')}   ids`,
    )
    breakdowns.forEach((f, i) => {
      const step = (v: number | null) => (v === null ? '—' : String(Math.round(v))).padStart(11)
      const session =
        f.steps.sessionEnded === null
          ? '—'.padStart(11)
          : `${f.sessionEnd === 'closed' ? 'closed ' : ''}${Math.round(f.steps.sessionEnded)}`.padStart(11)
      lines.push(
        `  ${pad(String(i + 1), 3)}${pad(f.task, 10)}${pad(f.fault, 10)}${pad(`${f.from} -> ${f.to ?? '(nobody)'}`, 38)}${session}${step(f.steps.nodeDeleted)}${step(f.steps.watchFired)}${step(f.steps.newPrimary)}${step(f.steps.firstCommit)}   ${f.lastCommitBefore ?? '—'} -> ${f.firstCommitId ?? '—'}`,
      )
    })
  }

  if (result.check) {
    lines.push('', '  invariants')
    for (const v of result.check.verdicts) {
      // ok, FAIL, unknown (the check failed: the summary has its error), not judged (the summary says why).
      lines.push(
        `  ${pad(VERDICT_STATE_LABEL[verdictState(v)], STATE_WIDTH)} ${pad(v.invariant, 18)} ${pad(v.task, 10)} ${v.summary}`,
      )
      for (const violation of v.violations.slice(0, 3)) lines.push(`         - ${violation.message}`)
      if (v.violations.length > 3)
        lines.push(`         … and ${v.violations.length - 3} more (events.jsonl has each with its context)`)
    }
  }

  const known = result.knownBreaks
  if (known) {
    lines.push(
      '',
      known.asWritten
        ? `  as the scenario says: ${known.strategy} breaks ${known.written.join(', ')} here`
        : `  the scenario says ${known.strategy} breaks ${known.written.join(', ')} here; this run broke ${known.broke.length > 0 ? known.broke.join(', ') : 'nothing'}`,
    )
  }

  for (const v of result.notJudged ?? []) {
    lines.push(
      '',
      `  expected ${v.invariant} (${v.task}), but it was not judged: ${v.reason}; it neither fails nor passes the run`,
    )
  }

  for (const [task, sink] of Object.entries(result.sinks)) {
    if (sink.records === 0) {
      lines.push('', `  sink ${task}: empty`)
      continue
    }
    const twice =
      sink.duplicates.length === 0
        ? 'none'
        : `${sink.duplicates.length} id(s), e.g. ${sink.duplicates
            .slice(0, 3)
            .map((d) => `${d.id} (workers ${d.workers.join(', ')})`)
            .join(', ')}`
    lines.push(
      '',
      `  sink ${task}: ${sink.records} records, ids 1..${sink.last}; missing: ${sink.missing.length ? sink.missing.slice(0, 10).join(', ') : 'none'}; twice: ${twice}` +
        (sink.voided ? `; void: ${sink.voided} line(s) a deposed primary wrote after its successor's claim` : ''),
    )
  }
  lines.push('', `  session folder: ${result.sessionDir}`)
  return lines.join('\n')
}
