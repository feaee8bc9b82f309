/**
 * `--junit <file>`: a run's grades as JUnit XML, the shape CI systems read (Jenkins' and Ant's
 * junit schema: testsuites > testsuite > properties, testcase > failure | error | skipped).
 * One testsuite per scenario run; one testcase per invariant per task and per `expect` step.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs'
import { hostname } from 'node:os'
import { dirname, resolve } from 'node:path'
import { LabEventTypes, type LabEvent } from '../shared/events.js'
import type { RunResult } from '../core/experiments/run-scenario.js'
import { brokenExpectations } from '../core/experiments/run-scenario.js'
import { readJournal } from '../core/journal/journal.js'
import { journalPath } from '../core/session-folder/index.js'

/** An `expect` step the run reached, and whether it held (failed: the step runner's message). */
export interface ExpectStepOutcome {
  /** Its place in the scenario, with the round when a `repeat` ran it again: `steps[4]`, `steps[2].steps[1] #2`. */
  name: string
  failed?: string
}

/** What the XML is made of: the run's result, and what only the journal says. */
export interface JunitRun {
  scenario: string
  result: RunResult
  /** The strategy the run forced on every task (null: each task's own); omitted when unknown. */
  strategy?: string | null
  expectSteps: ExpectStepOutcome[]
  /** The run's seed, when known (an older journal has none): result.seed is not used. */
  seed?: number
  /** When the run started (testsuite's timestamp); now when unknown. */
  startedAt?: Date
}

/**
 * The `expect` steps a journal shows the run reaching, in order; the one whose path begins the
 * run's error is the step that did not hold (a failing step ends the run, so it is the last).
 */
export function expectStepOutcomes(events: readonly LabEvent[], error?: string): ExpectStepOutcome[] {
  const seen = new Map<string, number>()
  const outcomes: ExpectStepOutcome[] = []
  for (const e of events) {
    if (e.type !== LabEventTypes.scenarioStep || !('expect' in e.step)) continue
    const round = (seen.get(e.path) ?? 0) + 1
    seen.set(e.path, round)
    const what = `expect ${e.step.expect === 'all' ? 'all' : e.step.expect.join(', ')}${e.step.maxFailoverMs !== undefined ? `, failover within ${e.step.maxFailoverMs} ms` : ''}`
    outcomes.push({ name: `${e.path}${round > 1 ? ` #${round}` : ''} ${what}` })
  }
  const last = outcomes.at(-1)
  const lastPath = last?.name.split(' ')[0]
  if (last && error?.startsWith(`${lastPath}:`)) last.failed = error
  return outcomes
}

interface TestCase {
  classname: string
  name: string
  /** At most one of these; none is a pass. */
  failure?: { message: string; type: string; text: string }
  error?: { message: string; type: string; text: string }
  skipped?: string
}

/** The run's testcases: verdicts, expect steps, and the run's own error when nothing else explains it. */
function testCases(run: JunitRun): TestCase[] {
  const { result, scenario } = run
  const cases: TestCase[] = []
  const key = (v: { invariant: string; task: string }) => `${v.invariant} ${v.task}`
  const broken = new Set(result.broken.map(key))
  for (const v of result.check?.verdicts ?? []) {
    const c: TestCase = { classname: `zklab.${scenario}.${v.task}`, name: v.invariant }
    const evidence = v.violations.map((x) => x.message).join('\n')
    if (v.state === 'not-judged') c.skipped = `not judged: ${v.reason ?? v.summary}`
    else if (v.state === 'unknown') c.error = { message: v.summary, type: 'checker-error', text: v.reason ?? v.summary }
    else if (!v.ok && broken.has(key(v)))
      c.failure = { message: v.summary, type: 'invariant-violated', text: evidence || v.summary }
    // Broken but not in the scenario's `expect`: the run does not fail on it, so neither does CI.
    else if (!v.ok) c.skipped = `not expected by the scenario: ${v.summary}`
    cases.push(c)
  }
  for (const step of run.expectSteps) {
    const c: TestCase = { classname: `zklab.${scenario}.steps`, name: step.name }
    if (step.failed) c.failure = { message: step.failed, type: 'expect-step', text: step.failed }
    cases.push(c)
  }
  // A set-up error, a timed-out step, a recording failure, an interrupt: the run itself is the case.
  const explained =
    !result.error ||
    run.expectSteps.some((s) => s.failed === result.error) ||
    (result.broken.length > 0 && result.error === brokenExpectations(result.broken))
  if (!explained) {
    const type = result.recordingFailed ? 'recording-failed' : result.exitCode === 2 ? 'setup-error' : 'run-error'
    cases.push({
      classname: `zklab.${scenario}`,
      name: 'run',
      error: { message: result.error!, type, text: result.error! },
    })
  }
  return cases
}

/** The JUnit XML document for one run. */
export function junitXml(run: JunitRun): string {
  const cases = testCases(run)
  const { result } = run
  const count = (pick: (c: TestCase) => unknown) => cases.filter(pick).length
  const time = (result.durationMs / 1000).toFixed(3)
  const suiteAttrs = {
    name: run.scenario,
    tests: cases.length,
    failures: count((c) => c.failure),
    errors: count((c) => c.error),
    skipped: count((c) => c.skipped !== undefined),
    time,
    timestamp: (run.startedAt ?? new Date()).toISOString().replace(/\.\d+Z$/, ''),
    hostname: hostname(),
  }
  const properties: [string, string][] = [['sessionDir', result.sessionDir]]
  if (run.seed !== undefined) properties.push(['seed', String(run.seed)])
  if (run.strategy !== undefined) properties.push(['strategy', run.strategy ?? 'per task'])

  const lines = ['<?xml version="1.0" encoding="UTF-8"?>']
  lines.push(
    `<testsuites ${attrs({ name: 'zklab', tests: suiteAttrs.tests, failures: suiteAttrs.failures, errors: suiteAttrs.errors, time })}>`,
  )
  lines.push(`  <testsuite ${attrs(suiteAttrs)}>`)
  lines.push('    <properties>')
  for (const [name, value] of properties) lines.push(`      <property ${attrs({ name, value })}/>`)
  lines.push('    </properties>')
  for (const c of cases) {
    const head = `    <testcase ${attrs({ classname: c.classname, name: c.name, time: '0' })}`
    const outcome = c.failure ? (['failure', c.failure] as const) : c.error ? (['error', c.error] as const) : undefined
    if (outcome) {
      const [tag, { message, type, text }] = outcome
      lines.push(`${head}>`, `      <${tag} ${attrs({ message, type })}>${escapeXml(text)}</${tag}>`, '    </testcase>')
    } else if (c.skipped !== undefined) {
      lines.push(`${head}>`, `      <skipped ${attrs({ message: c.skipped })}/>`, '    </testcase>')
    } else lines.push(`${head}/>`)
  }
  lines.push(`    <system-out>${escapeXml(`session folder: ${result.sessionDir}`)}</system-out>`)
  lines.push('  </testsuite>', '</testsuites>', '')
  return lines.join('\n')
}

/**
 * What the journal adds to a result: the expect steps, the forced strategy and the start (all optional).
 * `runError`: the error that names a failed expect step, when it is not the result's (a re-grade's).
 */
export function junitRunOf(
  scenario: string,
  result: RunResult,
  events: readonly LabEvent[],
  runError = result.error,
): JunitRun {
  const started = events.find((e) => e.type === LabEventTypes.scenarioStarted)
  return {
    scenario,
    result,
    expectSteps: expectStepOutcomes(events, runError),
    // No journal (the run failed before its session): the seed the run drew; an older journal: none.
    ...((started?.seed ?? (events.length === 0 ? result.seed : undefined)) !== undefined
      ? { seed: started?.seed ?? result.seed }
      : {}),
    ...(started ? { strategy: started.strategy, startedAt: new Date(started.time) } : {}),
  }
}

/** After `zklab run`: the result with its session's journal (none when the run failed before creating it). */
export function writeRunJunit(file: string, scenario: string, result: RunResult): string {
  const journal = result.sessionDir ? journalPath(result.sessionDir) : ''
  const events = journal && existsSync(journal) ? readJournal(journal).events : []
  return writeJunit(file, junitRunOf(scenario, result, events))
}

/** Writes the document, creating the file's folder; the path written. */
export function writeJunit(file: string, run: JunitRun): string {
  const path = resolve(file)
  mkdirSync(dirname(path), { recursive: true })
  writeFileSync(path, junitXml(run))
  return path
}

function attrs(values: Record<string, string | number>): string {
  return Object.entries(values)
    .map(([k, v]) => `${k}="${escapeXml(String(v))}"`)
    .join(' ')
}

/**
 * Text and attribute values: the five markup characters, tabs and newlines kept in attributes as
 * character references (a parser would fold them to spaces), and characters XML 1.0 forbids dropped
 * (a worker's stray control byte must not make the whole file unreadable).
 */
export function escapeXml(text: string): string {
  return text
    .replace(/[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, '')
    .replace(/[&<>"'\n\r\t]/g, (c) => XML_ESCAPES[c])
}

const XML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&apos;',
  '\n': '&#10;',
  '\r': '&#13;',
  '\t': '&#9;',
}
