import type { RunResult } from '../core/experiments/run-scenario.js'

const seconds = (ms: number | undefined) => (ms === undefined ? '—' : `${(ms / 1000).toFixed(2)} s`)

/** The end-of-run report on a terminal: each failover with its gap, each sink's integrity. */
export function formatSummary(name: string, result: RunResult): string {
  const lines = [`${name}: ${result.ok ? 'done' : 'FAILED'} in ${seconds(result.durationMs)}`]
  if (result.error) lines.push(`  ${result.error}`)
  if (result.failovers.length > 0) {
    lines.push('', '  #  task        fault  from -> to                                   new primary   first commit   lastCommit -> first id')
    result.failovers.forEach((f, i) => {
      lines.push(
        `  ${String(i + 1).padStart(2)} ${f.task.padEnd(11)} ${f.fault.padEnd(6)} ${`${f.from} -> ${f.to ?? '(none)'}`.padEnd(44)} ${seconds(f.newPrimaryMs).padStart(11)}   ${seconds(f.firstCommitMs).padStart(12)}   ${f.lastCommitBefore ?? '—'} -> ${f.firstCommitId ?? '—'}`,
      )
    })
  }
  for (const [task, sink] of Object.entries(result.sinks)) {
    if (sink.records === 0) {
      lines.push('', `  sink ${task}: empty`)
      continue
    }
    const dupes = sink.duplicates.map((d) => `${d.id} (workers ${d.workers.join(', ')})`).join(', ')
    lines.push(
      '',
      `  sink ${task}: ${sink.records} records, ids 1..${sink.last}; missing: ${sink.missing.length ? sink.missing.join(', ') : 'none'}; twice: ${dupes || 'none'}`,
    )
  }
  lines.push('', `  session folder: ${result.sessionDir}`)
  return lines.join('\n')
}
