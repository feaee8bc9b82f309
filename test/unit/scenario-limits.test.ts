/** The caps on what one scenario may ask: each refusal names the file and the field that crosses the line. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadScenario, parseScenario, ScenarioError } from '../../src/core/experiments/load-scenario.js'
import { SCENARIO_LIMITS } from '../../src/shared/scenario.js'

const HEAD = 'name: caps\ntasks: [{name: task01, workers: 2}]\n'

/** `depth` repeats one inside the other around one sleep, as YAML flow text. */
function nested(depth: number, inner = '{sleep: 1}'): string {
  let text = inner
  for (let i = 0; i < depth; i++) text = `{repeat: 1, steps: [${text}]}`
  return text
}

function refusal(text: string, file = 'caps.yaml'): string {
  try {
    parseScenario(text, file)
  } catch (err) {
    expect(err).toBeInstanceOf(ScenarioError)
    return (err as Error).message
  }
  throw new Error('the scenario was accepted')
}

describe('scenario caps', () => {
  let dir: string
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'zklab-caps-'))
  })
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  it('refuses a file over 1 MB before parsing it, naming the file', () => {
    const file = join(dir, 'huge.yaml')
    // Not YAML at all past the first line: a parse would fail differently, so the size check came first.
    writeFileSync(file, HEAD + 'x: [' + 'y'.repeat(SCENARIO_LIMITS.fileBytes))
    expect(() => loadScenario(file)).toThrow(ScenarioError)
    expect(() => loadScenario(file)).toThrow(`${file} is not a valid scenario:`)
    expect(() => loadScenario(file)).toThrow(/at most 1048576 bytes \(1 MB\)/)
  })

  it('accepts repeat and parallel nested 8 deep and refuses 9, naming the step', () => {
    expect(() => parseScenario(HEAD + `steps: [${nested(8)}]`, 'caps.yaml')).not.toThrow()
    const message = refusal(HEAD + `steps: [${nested(9)}]`)
    expect(message).toContain('caps.yaml is not a valid scenario')
    expect(message).toContain(`steps${'[0].steps'.repeat(8)}[0]: repeat and parallel are nested 9 deep here; at most 8`)
    const parallel = refusal(HEAD + `steps: [${nested(8, '{parallel: [{sleep: 1}, {sleep: 2}]}')}]`)
    expect(parallel).toContain('nested 9 deep')
  })

  it('turns a nesting too deep for the parser into the same clear error, not a stack overflow', () => {
    const yaml = refusal(HEAD + `steps: [${nested(3000)}]`)
    expect(yaml).toMatch(/steps: nested too deeply to read; repeat and parallel may nest at most 8 levels/)
    expect(yaml).not.toMatch(/call stack/)
    // JSON parses deep nesting fine; the schema would not: caught before it walks the steps.
    let json = '{"sleep": 1}'
    for (let i = 0; i < 20_000; i++) json = `{"repeat": 1, "steps": [${json}]}`
    const message = refusal(
      `{"name": "caps", "tasks": [{"name": "task01", "workers": 1}], "steps": [${json}]}`,
      'caps.json',
    )
    expect(message).toContain('caps.json is not a valid scenario')
    expect(message).toContain('nested 9 deep')
  })

  it('refuses more than 10,000 steps with repeats multiplied out, and more than 24 h of run time', () => {
    const cube =
      HEAD +
      'steps:\n  - sleep: 10\n  - {repeat: 1000, steps: [{repeat: 1000, steps: [{repeat: 1000, steps: [{sleep: 3600000}]}]}]}\n'
    const message = refusal(cube)
    expect(message).toMatch(
      /steps\[1\]: with repeats multiplied out the steps come to 1001001002 by here; a scenario may run at most 10000/,
    )
    expect(message).toMatch(
      /steps\[1\]: sleeps, `for` durations and waitFor timeouts, repeats multiplied out, come to [\d,]+ h by here; a scenario may run at most 24 h/,
    )
    // Waits count with their timeout; a parallel step as long as its longest branch.
    const waits = refusal(HEAD + 'steps: [{repeat: 25, steps: [{waitFor: failover, timeoutMs: 3600000}]}]')
    expect(waits).toMatch(/steps\[0\]: .* come to 25 h by here/)
    expect(() =>
      parseScenario(HEAD + 'steps: [{repeat: 23, steps: [{parallel: [{sleep: 3600000}, {sleep: 3600000}]}]}]'),
    ).not.toThrow()
    // The repeat step counts too: 1 + 999 × 10 = 9,991 steps pass, 1 + 1000 × 10 do not.
    const ten = Array.from({ length: 10 }, () => '{sleep: 1}').join(', ')
    expect(() => parseScenario(HEAD + `steps: [{repeat: 999, steps: [${ten}]}]`)).not.toThrow()
    expect(refusal(HEAD + `steps: [{repeat: 1000, steps: [${ten}]}]`)).toContain('steps come to 10001 by here')
  })

  it('refuses more than 500 workers in all, naming the task or the addWorkers step', () => {
    const tasks = Array.from({ length: 11 }, (_, i) => `{name: task${i}, workers: 50}`).join(', ')
    expect(refusal(`name: caps\ntasks: [${tasks}]\n`)).toContain(
      'tasks[10].workers: the tasks start 550 workers so far; a scenario may start at most 500',
    )
    const adds = refusal(
      'name: caps\ntasks: [{name: task01, workers: 50}]\nsteps: [{sleep: 1}, {repeat: 10, steps: [{addWorkers: 50, task: task01}]}]\n',
    )
    expect(adds).toContain(
      'steps[1]: the tasks and addWorkers steps start 550 workers by here; a scenario may start at most 500',
    )
  })
})
