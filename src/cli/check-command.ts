/**
 * `zklab check <session-dir> [--json] [--junit <file>]`: grades a finished or cut-off session again,
 * offline, with today's checker, and prints what `zklab run` would have. Exit codes: 0 every expected
 * invariant holds, 1 some broke (or could not be judged), 2 the folder is not a readable session.
 */
import type { Command } from 'commander'
import { LabEventTypes, type Failover, type LabEvent } from '../shared/events.js'
import { checkSession, analyzeSink, type Verdict } from '../core/checker/index.js'
import { brokenExpectations, type RunResult } from '../core/experiments/run-scenario.js'
import { readSessionFolder, SessionFolderError } from '../core/report/index.js'
import { sinkPath } from '../core/session-folder/index.js'
import { formatSummary } from './summary.js'
import { junitRunOf, writeJunit } from './junit.js'

const EXIT_BROKEN = 1
const EXIT_BAD_FOLDER = 2

/** A session graded after the fact: what `zklab run` returns, and how the session ended. */
export interface CheckedSession {
  scenario: string
  result: RunResult
  /** Why the journal is incomplete (no session.closed: the lab was killed, recording failed); absent when it closed cleanly. */
  cutOff?: string
  /** The seed was not recorded (an older journal): result.seed means nothing. */
  seedUnknown: boolean
  events: LabEvent[]
  /** The run's own error as the journal recorded it (a failed expect step names itself there). */
  recordedError?: string
}

/** Reads a session folder and grades it; throws SessionFolderError when it is not one. */
export function checkSessionFolder(dir: string): CheckedSession {
  const folder = readSessionFolder(dir)
  const { events } = folder
  const check = checkSession({
    events,
    sinks: folder.sinks,
    txnLog: folder.txnLog,
    backups: folder.backups,
    sourceHistory: folder.sourceHistory,
    sourceHistoryError: folder.sourceHistoryError,
  })
  const started = events.find((e) => e.type === LabEventTypes.scenarioStarted)
  const ended = events.find((e) => e.type === LabEventTypes.scenarioResult)
  const fromFile = (key: string) => {
    const value = folder.sessionFile?.[key]
    return typeof value === 'string' ? value : undefined
  }
  // The `expect` the run was started with travels in scenario.started; a session without a scenario (the app's) expects all.
  const expected = started?.expect ?? 'all'
  const isExpected = (v: Verdict) => expected !== 'none' && (expected === 'all' || expected.includes(v.invariant))
  const broken = check.verdicts.filter((v) => !v.ok && isExpected(v))
  const notJudged =
    expected === 'all' || expected === 'none'
      ? []
      : check.verdicts.filter((v) => v.state === 'not-judged' && isExpected(v))
  const failovers = events
    .filter((e): e is Extract<LabEvent, { type: 'failover' }> => e.type === LabEventTypes.failover)
    .map(({ seq: _seq, time: _time, source: _source, type: _type, level: _level, ownTime: _own, ...f }): Failover => f)
  const sinks = Object.fromEntries(check.tasks.map((t) => [t, analyzeSink(sinkPath(folder.dir, t))]))
  const error = broken.length > 0 ? brokenExpectations(broken) : undefined
  const last = events.at(-1)!
  const closed = events.some((e) => e.type === LabEventTypes.sessionClosed)
  const torn =
    folder.journalIssues.length > 0 ? `; ${folder.journalIssues.length} unreadable line(s) or gap(s) skipped` : ''
  return {
    scenario: started?.scenario ?? fromFile('scenario') ?? fromFile('name') ?? folder.dir,
    result: {
      ok: !error,
      exitCode: error ? 1 : 0,
      sessionDir: folder.dir,
      failovers,
      sinks,
      check,
      broken,
      ...(notJudged.length > 0 ? { notJudged } : {}),
      error,
      durationMs: last.time - events[0].time,
      seed: started?.seed ?? 0,
    },
    ...(closed
      ? {}
      : {
          cutOff: `cut off: the journal ends at seq ${last.seq} without session.closed (the lab was killed or could not record); graded on what is there${torn}`,
        }),
    seedUnknown: started?.seed === undefined,
    events,
    ...(ended?.error ? { recordedError: ended.error } : {}),
  }
}

/** The summary `zklab run` prints, with the cut-off line under the headline and no seed line when none was recorded. */
export function formatCheckSummary(checked: CheckedSession): string {
  const lines = formatSummary(checked.scenario, checked.result).split('\n')
  if (checked.seedUnknown)
    lines.splice(
      lines.findIndex((l) => l.startsWith('  seed ')),
      1,
    )
  if (checked.cutOff) lines.splice(1, 0, `  ${checked.cutOff}`)
  return lines.join('\n')
}

export function registerCheckCommand(program: Command): void {
  program
    .command('check')
    .description("grade a session folder again with today's checker (a finished run or one cut off), offline")
    .argument('<session-dir>', 'the session folder (holds events.jsonl and session.json)')
    .option('--json', 'print the result as JSON (what zklab run --json prints, with cutOff)')
    .option('--junit <file>', 'also write the grades as JUnit XML (as zklab run --junit)')
    .action((dir: string, opts: { json?: boolean; junit?: string }) => {
      process.exitCode = check(dir, opts)
    })
}

function check(dir: string, opts: { json?: boolean; junit?: string }): number {
  let checked: CheckedSession
  try {
    checked = checkSessionFolder(dir)
  } catch (err) {
    // Not a session (SessionFolderError), or one this user cannot read (EACCES): either way, no grades.
    const what = err instanceof SessionFolderError ? err.message : `cannot read ${dir}: ${(err as Error).message}`
    console.error(
      `zklab check: ${what}; give the session folder a run wrote (zklab run prints it last, "session folder: …")`,
    )
    return EXIT_BAD_FOLDER
  }
  if (opts.json) {
    const { result, cutOff } = checked
    console.log(JSON.stringify({ scenario: checked.scenario, ...result, ...(cutOff ? { cutOff } : {}) }, null, 2))
  } else console.log(formatCheckSummary(checked))
  if (opts.junit) {
    const run = junitRunOf(checked.scenario, checked.result, checked.events, checked.recordedError)
    const path = writeJunit(opts.junit, run)
    ;(opts.json ? console.error : console.log)(`junit: ${path}`)
  }
  return checked.result.ok ? 0 : EXIT_BROKEN
}
