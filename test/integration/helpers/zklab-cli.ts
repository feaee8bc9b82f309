import { spawn } from 'node:child_process'
import { join } from 'node:path'
import type { RunResult } from '../../../src/core/experiments/run-scenario.js'

export const ROOT = new URL('../../../', import.meta.url).pathname
export const ZKLAB = join(ROOT, 'bin', 'zklab.js')

export interface ZklabRun {
  code: number | null
  stdout: string
  stderr: string
  /** stdout and stderr as they came, for failure messages. */
  output: string
}

/**
 * Runs the real `zklab` command as a user would. Past the timeout it gets SIGINT first, so it can
 * take its ZooKeeper and workers down with it, and SIGKILL 15 s later.
 */
export function zklab(
  args: string[],
  options: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
): Promise<ZklabRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [ZKLAB, ...args], {
      cwd: ROOT,
      env: options.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    let output = ''
    child.stdout.on('data', (d) => ((stdout += d), (output += d)))
    child.stderr.on('data', (d) => ((stderr += d), (output += d)))
    const interrupt = setTimeout(() => child.kill('SIGINT'), options.timeoutMs ?? 300_000)
    const kill = setTimeout(() => child.kill('SIGKILL'), (options.timeoutMs ?? 300_000) + 15_000)
    child.once('error', reject)
    child.once('exit', (code) => {
      clearTimeout(interrupt)
      clearTimeout(kill)
      resolve({ code, stdout, stderr, output })
    })
  })
}

/** `zklab run <args> --json`: the exit code and the printed RunResult (progress is on stderr). */
export async function zklabRunJson(
  args: string[],
  timeoutMs = 240_000,
): Promise<{ code: number | null; result: RunResult; stderr: string }> {
  const run = await zklab(['run', ...args, '--json'], { timeoutMs })
  try {
    return { code: run.code, result: JSON.parse(run.stdout) as RunResult, stderr: run.stderr }
  } catch {
    throw new Error(`zklab run ${args.join(' ')} printed no result (exit ${run.code}):\n${run.stderr.slice(-3000)}`)
  }
}
