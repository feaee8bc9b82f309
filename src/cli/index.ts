import { spawn } from 'node:child_process'
import { mkdirSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { Command, CommanderError, Option } from 'commander'
import { Strategy, type ExternalWorker, type StrategyInfo } from '../shared/api.js'
import { unavailableHint } from '../shared/strategies.js'
import { PeerUnavailableError } from '../core/peers/index.js'
import { FaketimeMissingError } from '../core/workers/faketime.js'
import { parseCommandLine } from '../shared/command-line.js'
import { bundledScenarios, loadScenario, ScenarioError } from '../core/experiments/load-scenario.js'
import { MAX_SEED, parseSeed } from '../shared/nemesis/index.js'
import { runScenario } from '../core/experiments/run-headless.js'
import { ZooKeeperSetupError } from '../core/zookeeper/errors.js'
import { formatSummary } from './summary.js'
import { findElectronBinary } from './electron-binary.js'
import { registerFaultCommand } from './fault-command.js'
import { bridgeFile, claimServeRecord, removeServeRecord, writeServeRecord } from './serve-record.js'
import { defaultSessionsDir, Lab } from '../core/lab.js'
import { startBrowserBridge } from '../core/bridge/browser-bridge.js'
import { registerReportCommand } from './report-command.js'
import { registerTxnLogCommand } from './txnlog-command.js'
import { registerHistoryCommand } from './history-command.js'
import { writeRunJunit } from './junit.js'
import { registerCheckCommand } from './check-command.js'
import { StatusLine } from './status-line.js'
import type { LabEvent } from '../shared/events.js'

/** A problem with what the user asked for (exit code 2), as opposed to a failed run. */
class BadInput extends Error {}
import { labRoot } from '../core/lab-root.js'

/** Exit codes: 0 all steps done, 1 a wait timed out or a step failed, 2 bad input or set-up. */
const EXIT_BAD_INPUT = 2

/** What commander parsed from `zklab run`'s (and `demo`'s) options. */
interface RunOptions {
  out?: string
  sessionsDir?: string
  strategy?: string
  external?: string
  json?: boolean
  seed?: string
  junit?: string
}

async function run(file: string, opts: RunOptions): Promise<number> {
  const scenario = loadScenario(file)
  const strategy = opts.strategy === undefined ? undefined : Strategy.parse(opts.strategy)
  const external = opts.external === undefined ? undefined : externalOption(opts.external)
  const seed = opts.seed === undefined ? undefined : seedOption(opts.seed)
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
  // A status line only where someone watches: a terminal, and not --json (its output is for programs).
  const status = !opts.json && process.stdout.isTTY && process.stderr.isTTY ? new StatusLine() : undefined
  try {
    const print = opts.json ? (line: string) => console.error(line) : (line: string) => console.log(line)
    const result = await runScenario(scenario, {
      out: opts.out,
      sessionsDir: opts.sessionsDir,
      strategy,
      external,
      print: status ? status.around(print) : print,
      ...(status ? { onEvent: (e: LabEvent) => status.onEvent(e) } : {}),
      signal: controller.signal,
      ...(seed === undefined ? {} : { seed }),
    })
    status?.stop()
    if (opts.json) console.log(JSON.stringify(result, null, 2))
    else console.log('\n' + formatSummary(scenario.name, result))
    if (opts.junit) print(`junit: ${writeRunJunit(opts.junit, scenario.name, result)}`)
    if (result.recordingFailed) {
      // The journal ends where the disk gave out; what it holds is whole, the rest of the run is not in it.
      console.error(`zklab: recording failed: ${result.recordingFailed} (session folder ${result.sessionDir})`)
      return 1
    }
    if (interrupts > 0) return 130
    return result.exitCode
  } finally {
    status?.stop()
    process.off('SIGINT', onSigint)
    process.off('SIGTERM', onSigint)
  }
}

/** `--seed N`: an unsigned 32-bit integer, as a run prints and records it. */
function seedOption(text: string): number {
  const seed = parseSeed(text)
  if (seed === undefined)
    throw new BadInput(`--seed ${text}: give a whole number from 0 to ${MAX_SEED} (a run prints its seed)`)
  return seed
}

/** `--external "<command line>"`: every task's workers run this program (placeholders filled in by the lab). */
function externalOption(line: string): ExternalWorker {
  try {
    return parseCommandLine(line)
  } catch (err) {
    throw new BadInput(`--external ${JSON.stringify(line)}: ${(err as Error).message}`)
  }
}

interface ServeOptions {
  port?: string
  sessionsDir?: string
  allowExternal?: boolean
}

async function serve(opts: ServeOptions): Promise<number> {
  const port = opts.port === undefined ? 0 : Number(opts.port)
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new BadInput(`--port ${opts.port}: give a port number (0 picks a free one)`)
  const sessionsDir = resolve(opts.sessionsDir ?? defaultSessionsDir())
  // Private: it will hold serve.json (the lab's URL and token) beside every session's journal and logs.
  mkdirSync(sessionsDir, { recursive: true, mode: 0o700 })
  const recorded = bridgeFile(sessionsDir)
  try {
    claimServeRecord(recorded)
  } catch (err) {
    throw new BadInput((err as Error).message)
  }
  const lab = new Lab()
  const session = await lab.createSession({ name: 'lab', sessionsDir })
  let bridge: Awaited<ReturnType<typeof startBrowserBridge>>
  try {
    bridge = await startBrowserBridge({
      lab,
      staticDir: join(labRoot(), 'out', 'renderer'),
      port,
      allowExternal: opts.allowExternal === true,
    })
  } catch (err) {
    await lab.dispose()
    throw new BadInput((err as Error).message)
  }
  // Recorded so `zklab fault` (and a user) can find the running lab without copying its address.
  try {
    writeServeRecord(recorded, { url: bridge.url, pid: process.pid, session: session.dir })
  } catch (err) {
    await bridge.close()
    await lab.dispose()
    throw new BadInput((err as Error).message)
  }
  console.log(`ZooKeeper Failover Lab in browser mode: ${bridge.url}`)
  console.log(`session folder: ${session.dir}  (Ctrl-C to stop the lab and every process it started)`)
  if (opts.allowExternal)
    console.log(
      '--allow-external: the page may run programs of its choosing (external workers, a ZooKeeper home, Docker)',
    )
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve)
    process.once('SIGTERM', resolve)
  })
  console.log('stopping the lab…')
  removeServeRecord(recorded)
  await bridge.close()
  await lab.dispose()
  return 0
}

/** npm start: the Electron app where it can run, browser mode where it cannot. */
async function app(opts: ServeOptions): Promise<number> {
  const electron = findElectronBinary()
  if ('missing' in electron) {
    console.log(
      `Electron cannot start here (its binary is not installed: ${electron.missing}); starting browser mode instead.`,
    )
    return serve(opts)
  }
  const started = Date.now()
  const child = spawn(electron.path, [labRoot()], { stdio: 'inherit' })
  const forward = (signal: NodeJS.Signals) => child.kill(signal)
  process.on('SIGINT', forward)
  process.on('SIGTERM', forward)
  const code = await new Promise<number>((resolve) => child.once('exit', (c) => resolve(c ?? 1)))
  process.off('SIGINT', forward)
  process.off('SIGTERM', forward)
  // An Electron that dies at once (no display, missing libraries) is a shell that cannot run here.
  if (code !== 0 && Date.now() - started < 10_000) {
    console.log(`Electron exited at start (code ${code}); starting browser mode instead.`)
    return serve(opts)
  }
  return code
}

export function buildProgram(): Command {
  const program = new Command()
    .name('zklab')
    .description('ZooKeeper Failover Lab: run failover experiments against a real ZooKeeper and real workers.')
    .showHelpAfterError()
    // Set before any subcommand is added: they inherit it, so their usage errors exit 2 as well.
    .exitOverride()
  program
    .command('run')
    .description('run a scenario headless and write its session folder')
    .argument('<scenario>', 'scenario file (YAML or JSON), or the name of a bundled scenario')
    .option('-o, --out <dir>', 'session folder to write (default: a new folder under the sessions directory)')
    .option('--sessions-dir <dir>', 'where new session folders go (default: $ZKLAB_SESSIONS or ~/.zklab/sessions)')
    .addOption(
      new Option(
        '--strategy <strategy>',
        "override the strategy of every task: the lab's worker (seed, recipe) or a peer program (zklab strategies)",
      ).choices(Strategy.options),
    )
    .addOption(
      new Option(
        '--external <command line>',
        "run every task's workers as this program instead: NAME=value words first are its env; {connect} {taskPath} {workerId} {sessionTimeoutMs} … are filled in",
      ).conflicts('strategy'),
    )
    .option('--json', 'print the result as JSON on stdout (progress goes to stderr)')
    .option(
      '--seed <n>',
      "seed the run's random choices (nemesis schedules, random targets): replays a run that printed it",
    )
    .option(
      '--junit <file>',
      "also write the run's grades as JUnit XML (one testcase per invariant per task, per expect step)",
    )
    .action(async (file: string, opts: RunOptions) => {
      process.exitCode = await run(resolveScenario(file), opts)
    })
  program
    .command('demo')
    .description('run the bundled kill-primary scenario: 3 workers, the primary killed 5 times')
    .option('--sessions-dir <dir>', 'where the session folder goes')
    .action(async (opts: RunOptions) => {
      process.exitCode = await run(resolveScenario('kill-primary'), opts)
    })
  program
    .command('serve')
    .description('browser mode: serve the app and its bridge to the lab on 127.0.0.1')
    .option('-p, --port <port>', 'port to listen on (default: a free one)')
    .option('--sessions-dir <dir>', 'where the session folder goes')
    .option(
      '--allow-external',
      'let the page run programs of its choosing: external workers, a ZooKeeper home, Docker (refused otherwise)',
    )
    .action(async (opts: ServeOptions) => {
      process.exitCode = await serve(opts)
    })
  program
    .command('app')
    .description('open the desktop app (browser mode where Electron cannot start)')
    .option('-p, --port <port>', 'port for browser mode')
    .option('--sessions-dir <dir>', 'where the session folder goes')
    .option('--allow-external', 'in browser mode: let the page run programs of its choosing (see zklab serve)')
    .action(async (opts: ServeOptions) => {
      process.exitCode = await app(opts)
    })
  registerReportCommand(program)
  registerCheckCommand(program)
  registerFaultCommand(program, (message) => {
    throw new BadInput(message)
  })
  registerTxnLogCommand(program, (message) => {
    throw new BadInput(message)
  })
  registerHistoryCommand(program, (message) => {
    throw new BadInput(message)
  })
  program
    .command('scenarios')
    .description('list the bundled scenarios')
    .action(() => {
      for (const { name, scenario } of bundledScenarios())
        console.log(`${name.padEnd(24)} ${scenario.description ?? ''}`)
    })
  program
    .command('strategies')
    .description("list the strategies a task can run: the lab's worker's, and the peer programs installed here")
    .action(async () => {
      const lab = new Lab()
      try {
        for (const info of await lab.listStrategies()) console.log(formatStrategy(info))
      } finally {
        await lab.dispose()
      }
    })
  return program
}

/** One line of `zklab strategies`: name, kind, and whether it runs here or what installs it. */
export function formatStrategy(info: StrategyInfo): string {
  const where = info.available ? 'available' : `not available: ${unavailableHint(info)}`
  return `${info.name.padEnd(10)} ${info.kind.padEnd(5)} ${where}\n${''.padEnd(17)}${info.description}`
}

/** A path as given, or the name of a bundled scenario (`kill-primary`). */
function resolveScenario(nameOrPath: string): string {
  if (nameOrPath.includes('/') || /\.(ya?ml|json)$/.test(nameOrPath)) return nameOrPath
  return bundledScenarios().find((s) => s.name === nameOrPath)?.file ?? nameOrPath
}

export async function main(argv = process.argv): Promise<void> {
  const program = buildProgram()
  try {
    await program.parseAsync(argv)
  } catch (err) {
    if (err instanceof CommanderError) {
      process.exitCode = err.exitCode === 0 ? 0 : EXIT_BAD_INPUT
    } else if (
      err instanceof ScenarioError ||
      err instanceof ZooKeeperSetupError ||
      err instanceof PeerUnavailableError ||
      err instanceof FaketimeMissingError ||
      err instanceof BadInput
    ) {
      console.error(`zklab: ${err.message}`)
      process.exitCode = EXIT_BAD_INPUT
    } else {
      console.error(`zklab: ${(err as Error).message}`)
      process.exitCode = EXIT_BAD_INPUT
    }
  }
}
