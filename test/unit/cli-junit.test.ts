/**
 * `--junit`: the XML built from RunResult fixtures, read back by a real XML parser (Python's expat,
 * through ElementTree) and held against the JUnit schema CI systems read (Jenkins' junit XSD: which
 * element goes in which, which attributes each may carry, and their types).
 */
import { spawnSync } from 'node:child_process'
import { describe, expect, it } from 'vitest'
import { expectStepOutcomes, junitXml, type JunitRun } from '../../src/cli/junit.js'
import { brokenExpectations, type RunResult } from '../../src/core/experiments/run-scenario.js'
import type { Verdict, Violation } from '../../src/shared/checker-report.js'
import type { LabEvent } from '../../src/shared/events.js'

interface Element {
  tag: string
  attrs: Record<string, string>
  text: string
  children: Element[]
}

const PARSE = `
import json, sys, xml.etree.ElementTree as ET
def walk(e):
    return {"tag": e.tag, "attrs": e.attrib, "text": e.text or "", "children": [walk(c) for c in e]}
print(json.dumps(walk(ET.fromstring(sys.stdin.buffer.read()))))
`
const python = spawnSync('python3', ['--version']).status === 0 ? 'python3' : undefined

function parse(xml: string): Element {
  const out = spawnSync(python!, ['-c', PARSE], { input: xml, encoding: 'utf8' })
  if (out.status !== 0) throw new Error(`not well-formed XML: ${out.stderr}`)
  return JSON.parse(out.stdout) as Element
}

const INT = /^\d+$/
const DECIMAL = /^\d+(\.\d+)?$/
const DATETIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/
/** The junit XSD's shape: children each element may have, its attributes (required marked !) and their types. */
const SCHEMA: Record<string, { children: string[]; attrs: Record<string, RegExp | null>; required: string[] }> = {
  testsuites: {
    children: ['testsuite'],
    attrs: { name: null, time: DECIMAL, tests: INT, failures: INT, errors: INT, disabled: INT },
    required: [],
  },
  testsuite: {
    children: ['properties', 'testcase', 'system-out', 'system-err'],
    attrs: {
      name: null,
      tests: INT,
      failures: INT,
      errors: INT,
      skipped: INT,
      disabled: INT,
      time: DECIMAL,
      timestamp: DATETIME,
      hostname: null,
      id: null,
      package: null,
    },
    required: ['name', 'tests'],
  },
  properties: { children: ['property'], attrs: {}, required: [] },
  property: { children: [], attrs: { name: null, value: null }, required: ['name', 'value'] },
  testcase: {
    children: ['skipped', 'error', 'failure', 'system-out', 'system-err'],
    attrs: { name: null, classname: null, time: DECIMAL, assertions: null, status: null },
    required: ['name'],
  },
  failure: { children: [], attrs: { message: null, type: null }, required: [] },
  error: { children: [], attrs: { message: null, type: null }, required: [] },
  skipped: { children: [], attrs: { message: null }, required: [] },
  'system-out': { children: [], attrs: {}, required: [] },
  'system-err': { children: [], attrs: {}, required: [] },
}

/** Every place the document leaves the schema, as readable lines (empty: valid). */
function schemaProblems(e: Element, path = e.tag): string[] {
  const rule = SCHEMA[e.tag]
  if (!rule) return [`${path}: no such element in the schema`]
  const problems: string[] = []
  for (const [name, value] of Object.entries(e.attrs)) {
    if (!(name in rule.attrs)) problems.push(`${path}@${name}: not an attribute of ${e.tag}`)
    else if (rule.attrs[name] && !rule.attrs[name].test(value)) problems.push(`${path}@${name}="${value}": bad value`)
  }
  for (const name of rule.required) if (!(name in e.attrs)) problems.push(`${path}: ${name} is required`)
  if (e.tag === 'testcase' && e.children.filter((c) => c.tag !== 'system-out' && c.tag !== 'system-err').length > 1)
    problems.push(`${path}: more than one outcome`)
  for (const c of e.children) {
    if (!rule.children.includes(c.tag)) problems.push(`${path}: ${c.tag} not allowed in ${e.tag}`)
    problems.push(...schemaProblems(c, `${path}/${c.tag}`))
  }
  return problems
}

const violation = (message: string): Violation => ({
  invariant: 'single-primary',
  task: 'task01',
  kind: 'split-brain',
  time: 0,
  message,
  context: [],
})
const verdict = (
  invariant: Verdict['invariant'],
  state: Verdict['state'],
  summary: string,
  more: Partial<Verdict> = {},
): Verdict => ({
  invariant,
  task: 'task01',
  state,
  ok: state === 'ok' || state === 'not-judged',
  violations: [],
  summary,
  ...more,
})
const result = (verdicts: Verdict[] | undefined, more: Partial<RunResult> = {}): RunResult => ({
  ok: true,
  exitCode: 0,
  sessionDir: '/tmp/sessions/a "b" & <c>',
  failovers: [],
  sinks: {},
  ...(verdicts
    ? { check: { ok: verdicts.every((v) => v.ok), tasks: ['task01'], sessionStart: 0, verdicts, failovers: [] } }
    : {}),
  broken: [],
  durationMs: 12_345,
  seed: 42,
  ...more,
})
const run = (r: RunResult, more: Partial<JunitRun> = {}): JunitRun => ({
  scenario: 'pause-primary',
  result: r,
  strategy: 'seed',
  seed: 42,
  expectSteps: [],
  startedAt: new Date(Date.UTC(2026, 0, 2, 3, 4, 5)),
  ...more,
})

const suite = (doc: Element) => doc.children[0]
const cases = (doc: Element) => suite(doc).children.filter((c) => c.tag === 'testcase')
const caseNamed = (doc: Element, name: string) => cases(doc).find((c) => c.attrs.name === name)!
const property = (doc: Element, name: string) =>
  suite(doc)
    .children.find((c) => c.tag === 'properties')!
    .children.find((p) => p.attrs.name === name)?.attrs.value

describe.skipIf(!python)('zklab run --junit (needs python3 to parse the XML)', () => {
  it('a passing run: a case per invariant, none failed, the session folder, seed and strategy as properties', () => {
    const doc = parse(
      junitXml(
        run(result([verdict('single-primary', 'ok', 'one at a time'), verdict('sink-integrity', 'ok', 'all 40')])),
      ),
    )
    expect(schemaProblems(doc)).toEqual([])
    expect(suite(doc).attrs).toMatchObject({
      name: 'pause-primary',
      tests: '2',
      failures: '0',
      errors: '0',
      skipped: '0',
      time: '12.345',
      timestamp: '2026-01-02T03:04:05',
    })
    expect(cases(doc).map((c) => [c.attrs.classname, c.attrs.name, c.children.length])).toEqual([
      ['zklab.pause-primary.task01', 'single-primary', 0],
      ['zklab.pause-primary.task01', 'sink-integrity', 0],
    ])
    expect(property(doc, 'sessionDir')).toBe('/tmp/sessions/a "b" & <c>')
    expect(property(doc, 'seed')).toBe('42')
    expect(property(doc, 'strategy')).toBe('seed')
  })

  it("a failing run: the checker's summary as the message, each violation (escaped, control bytes dropped) as the text", () => {
    const split = verdict('single-primary', 'fail', 'two primaries <at once> for 3 s', {
      violations: [violation('worker-1 & worker-2 both "primary"\u0007'), violation("then 'worker-3'")],
    })
    const r = result([split, verdict('sink-integrity', 'ok', 'fine')], { ok: false, exitCode: 1, broken: [split] })
    r.error = brokenExpectations(r.broken)
    const doc = parse(junitXml(run(r)))
    expect(schemaProblems(doc)).toEqual([])
    expect(suite(doc).attrs).toMatchObject({ tests: '2', failures: '1', errors: '0' })
    const failure = caseNamed(doc, 'single-primary').children[0]
    expect(failure.tag).toBe('failure')
    expect(failure.attrs.message).toBe('two primaries <at once> for 3 s')
    expect(failure.text).toBe(`worker-1 & worker-2 both "primary"\nthen 'worker-3'`)
    // The broken expectation is the failure itself: no extra error case for the run.
    expect(cases(doc).some((c) => c.attrs.name === 'run')).toBe(false)
  })

  it('not judged is skipped, unknown (the checker failed) is an error, broken but not expected is skipped', () => {
    const unknown = verdict('status-truth', 'unknown', 'could not be judged: boom', { reason: 'boom' })
    const notExpected = verdict('commit-monotonic', 'fail', 'went back once')
    const r = result(
      [verdict('zombie-write', 'not-judged', 'no txn log', { reason: 'an external ZooKeeper' }), unknown, notExpected],
      {
        ok: false,
        exitCode: 1,
        broken: [unknown],
      },
    )
    r.error = brokenExpectations(r.broken)
    const doc = parse(junitXml(run(r, { strategy: null })))
    expect(schemaProblems(doc)).toEqual([])
    expect(suite(doc).attrs).toMatchObject({ tests: '3', failures: '0', errors: '1', skipped: '2' })
    expect(caseNamed(doc, 'zombie-write').children[0]).toMatchObject({
      tag: 'skipped',
      attrs: { message: 'not judged: an external ZooKeeper' },
    })
    expect(caseNamed(doc, 'status-truth').children[0]).toMatchObject({
      tag: 'error',
      attrs: { message: 'could not be judged: boom' },
      text: 'boom',
    })
    expect(caseNamed(doc, 'commit-monotonic').children[0].tag).toBe('skipped')
    expect(property(doc, 'strategy')).toBe('per task')
  })

  it('a set-up error before grading is one error case naming it; a timed-out step too', () => {
    const setup = parse(
      junitXml(
        run(result(undefined, { ok: false, exitCode: 2, error: 'java not found', sessionDir: '' }), {
          strategy: undefined,
        }),
      ),
    )
    expect(schemaProblems(setup)).toEqual([])
    expect(cases(setup)).toHaveLength(1)
    expect(caseNamed(setup, 'run').children[0]).toMatchObject({
      tag: 'error',
      attrs: { message: 'java not found', type: 'setup-error' },
    })
    expect(property(setup, 'strategy')).toBeUndefined()
    const noSeed = parse(junitXml(run(result([]), { seed: undefined })))
    expect(property(noSeed, 'seed')).toBeUndefined()

    const timedOut = result([verdict('single-primary', 'ok', 'fine')], {
      ok: false,
      exitCode: 1,
      error: 'steps[2] timed out: no primary',
    })
    const doc = parse(junitXml(run(timedOut)))
    expect(schemaProblems(doc)).toEqual([])
    expect(caseNamed(doc, 'run').children[0]).toMatchObject({
      tag: 'error',
      attrs: { type: 'run-error', message: 'steps[2] timed out: no primary' },
    })
  })

  it('expect steps: one case each as the journal shows them reached, the last failing with the run error', () => {
    const step = (seq: number, path: string, step: object) =>
      ({ seq, time: 0, source: 'lab', type: 'scenario.step', path, step }) as unknown as LabEvent
    const error = 'steps[1].steps[0]: expected single-primary to hold for task01: two at once'
    const steps = expectStepOutcomes(
      [
        step(1, 'steps[0]', { sleep: 10 }),
        step(2, 'steps[1].steps[0]', { expect: 'all' }),
        step(3, 'steps[1].steps[0]', { expect: ['single-primary'], maxFailoverMs: 500 }),
      ],
      error,
    )
    expect(steps).toEqual([
      { name: 'steps[1].steps[0] expect all' },
      { name: 'steps[1].steps[0] #2 expect single-primary, failover within 500 ms', failed: error },
    ])
    const doc = parse(junitXml(run(result([], { ok: false, exitCode: 1, error }), { expectSteps: steps })))
    expect(schemaProblems(doc)).toEqual([])
    expect(suite(doc).attrs).toMatchObject({ tests: '2', failures: '1', errors: '0' })
    expect(cases(doc)[1]).toMatchObject({
      attrs: { classname: 'zklab.pause-primary.steps' },
      children: [{ tag: 'failure', text: error }],
    })
  })

  it('the schema check itself catches a misplaced element and a bad count', () => {
    const bad = parse('<testsuites><testsuite name="x" tests="two"><failure/></testsuite></testsuites>')
    expect(schemaProblems(bad)).toEqual([
      'testsuites/testsuite@tests="two": bad value',
      'testsuites/testsuite: failure not allowed in testsuite',
    ])
  })
})
