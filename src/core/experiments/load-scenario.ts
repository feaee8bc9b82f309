import { readdirSync, readFileSync, statSync } from 'node:fs'
import { dirname, extname, isAbsolute, join, resolve } from 'node:path'
import { labRoot } from '../lab-root.js'
import { parse as parseYaml, YAMLParseError } from 'yaml'
import { describeIssues, findTooDeepStep, Scenario, SCENARIO_LIMITS } from '../../shared/scenario.js'

/** A scenario that cannot be run as written; `problems` name the field and what is wrong with it. */
export class ScenarioError extends Error {
  constructor(
    readonly file: string,
    readonly problems: string[],
    headline = `${file} is not a valid scenario:`,
  ) {
    super(`${headline}\n${problems.map((p) => `  - ${p}`).join('\n')}`)
  }
}

/** Reads a YAML or JSON scenario file and validates it. */
export function loadScenario(file: string): Scenario {
  let text: string
  try {
    // Refused before it is read: a huge file would cost its size several times over in parsed form.
    const bytes = statSync(file).size
    if (bytes > SCENARIO_LIMITS.fileBytes) {
      throw new ScenarioError(file, [
        `the file is ${bytes} bytes; a scenario file may be at most ${SCENARIO_LIMITS.fileBytes} bytes (1 MB)`,
      ])
    }
    text = readFileSync(file, 'utf8')
  } catch (err) {
    if (err instanceof ScenarioError) throw err
    const code = (err as NodeJS.ErrnoException).code
    const problem =
      code === 'ENOENT'
        ? 'no such file (give a path, or the name of a bundled scenario: zklab scenarios)'
        : (err as Error).message
    throw new ScenarioError(file, [problem], `cannot read the scenario ${file}:`)
  }
  const scenario = parseScenario(text, file)
  // An external worker's relative path (./worker.sh) means next to the scenario, wherever it is run from.
  for (const task of scenario.tasks) {
    const command = task.external?.command
    if (command && command.includes('/') && !isAbsolute(command))
      task.external!.command = resolve(dirname(file), command)
  }
  return scenario
}

export function parseScenario(text: string, file = 'scenario'): Scenario {
  if (Buffer.byteLength(text) > SCENARIO_LIMITS.fileBytes) {
    throw new ScenarioError(file, [
      `the text is ${Buffer.byteLength(text)} bytes; a scenario may be at most ${SCENARIO_LIMITS.fileBytes} bytes (1 MB)`,
    ])
  }
  let raw: unknown
  try {
    // JSON is YAML, but JSON files get JSON's own error messages.
    raw = extname(file).toLowerCase() === '.json' ? JSON.parse(text) : parseYaml(text)
  } catch (err) {
    // The YAML parser recurses into nested collections: a deep enough nesting exhausts its stack.
    if (err instanceof RangeError || /maximum call stack/i.test((err as Error).message)) {
      throw new ScenarioError(file, [
        `steps: nested too deeply to read; repeat and parallel may nest at most ${SCENARIO_LIMITS.nestingDepth} levels`,
      ])
    }
    const where =
      err instanceof YAMLParseError && err.linePos ? ` (line ${err.linePos[0].line}, column ${err.linePos[0].col})` : ''
    throw new ScenarioError(file, [`cannot parse it${where}: ${(err as Error).message.split('\n')[0]}`])
  }
  const tooDeep = findTooDeepStep(raw)
  if (tooDeep) throw new ScenarioError(file, [`${tooDeep.path}: ${tooDeep.message}`])
  const parsed = Scenario.safeParse(raw)
  if (!parsed.success) throw new ScenarioError(file, describeIssues(parsed.error))
  return parsed.data
}

/** The scenarios that ship with the lab (resources/scenarios), valid ones only, by name. */
export function bundledScenarios(): Array<{ name: string; file: string; scenario: Scenario }> {
  const dir = join(labRoot(), 'resources', 'scenarios')
  return readdirSync(dir)
    .filter((f) => /\.(ya?ml|json)$/.test(f))
    .sort()
    .map((f) => ({ name: f.replace(/\.(ya?ml|json)$/, ''), file: join(dir, f), scenario: loadScenario(join(dir, f)) }))
}
