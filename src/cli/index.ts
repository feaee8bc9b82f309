import { readdirSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { Command, CommanderError, Option } from 'commander'
import { Strategy } from '../shared/api.js'
import { loadScenario, ScenarioError } from '../core/experiments/load-scenario.js'
import { runScenario } from '../core/experiments/run-scenario.js'
import { ZooKeeperSetupError } from '../core/zookeeper/errors.js'
import { formatSummary } from './summary.js'

/** Exit codes: 0 all steps done, 1 a wait timed out or a step failed, 2 bad input or set-up. */
const EXIT_BAD_INPUT = 2

export const SCENARIOS_DIR = fileURLToPath(new URL('../../resources/scenarios/', import.meta.url))

async function run(file: string, opts: { out?: string; sessionsDir?: string; strategy?: string; json?: boolean }): Promise<number> {
  const scenario = loadScenario(file)
  const strategy = opts.strategy === undefined ? undefined : Strategy.parse(opts.strategy)
  const controller = new AbortController()
  let interrupts = 0
  const onSigint = () => {
    // First Ctrl-C: stop between steps and close the session cleanly; second: leave now.
    if (++interrupts > 1) process.exit(130)
    console.error('\ninterrupted: closing the session (Ctrl-C again to quit at once)')
    controller.abort()
  }
  process.on('SIGINT', onSigint)
  process.on('SIGTERM', onSigint)
  try {
    const print = opts.json ? (line: string) => console.error(line) : (line: string) => console.log(line)
    const result = await runScenario(scenario, { out: opts.out, sessionsDir: opts.sessionsDir, strategy, print, signal: controller.signal })
    if (opts.json) console.log(JSON.stringify(result, null, 2))
    else console.log('\n' + formatSummary(scenario.name, result))
    if (interrupts > 0) return 130
    return result.exitCode
  } finally {
    process.off('SIGINT', onSigint)
    process.off('SIGTERM', onSigint)
  }
}

export function buildProgram(): Command {
  const program = new Command()
    .name('zklab')
    .description('ZooKeeper Failover Lab: run failover experiments against a real ZooKeeper and real workers.')
    .showHelpAfterError()
  program
    .command('run')
    .description('run a scenario headless and write its session folder')
    .argument('<scenario>', 'scenario file (YAML or JSON), or the name of a bundled scenario')
    .option('-o, --out <dir>', 'session folder to write (default: a new folder under the sessions directory)')
    .option('--sessions-dir <dir>', 'where new session folders go (default: $ZKLAB_SESSIONS or ~/.zklab/sessions)')
    .addOption(new Option('--strategy <strategy>', 'override the strategy of every task').choices(Strategy.options))
    .option('--json', 'print the result as JSON on stdout (progress goes to stderr)')
    .action(async (file: string, opts) => {
      process.exitCode = await run(resolveScenario(file), opts)
    })
  program
    .command('demo')
    .description('run the bundled kill-primary scenario: 3 workers, the primary killed 5 times')
    .option('--sessions-dir <dir>', 'where the session folder goes')
    .action(async (opts) => {
      process.exitCode = await run(resolveScenario('kill-primary'), opts)
    })
  program
    .command('scenarios')
    .description('list the bundled scenarios')
    .action(() => {
      for (const file of bundledScenarios()) {
        const s = loadScenario(SCENARIOS_DIR + file)
        console.log(`${file.replace(/\.(ya?ml|json)$/, '').padEnd(24)} ${s.description ?? ''}`)
      }
    })
  return program
}

function bundledScenarios(): string[] {
  return readdirSync(SCENARIOS_DIR).filter((f) => /\.(ya?ml|json)$/.test(f)).sort()
}

/** A path as given, or the name of a bundled scenario (`kill-primary`). */
function resolveScenario(nameOrPath: string): string {
  const bundled = bundledScenarios().find((f) => f.replace(/\.(ya?ml|json)$/, '') === nameOrPath)
  return bundled && !nameOrPath.includes('/') ? SCENARIOS_DIR + bundled : nameOrPath
}

export async function main(argv = process.argv): Promise<void> {
  const program = buildProgram().exitOverride()
  try {
    await program.parseAsync(argv)
  } catch (err) {
    if (err instanceof CommanderError) {
      process.exitCode = err.exitCode === 0 ? 0 : EXIT_BAD_INPUT
    } else if (err instanceof ScenarioError || err instanceof ZooKeeperSetupError) {
      console.error(`zklab: ${err.message}`)
      process.exitCode = EXIT_BAD_INPUT
    } else {
      console.error(`zklab: ${(err as Error).message}`)
      process.exitCode = EXIT_BAD_INPUT
    }
  }
}
