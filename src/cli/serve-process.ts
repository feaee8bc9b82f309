/**
 * `zklab serve` as a child process, for what drives browser mode from outside (the end-to-end
 * fixture, the bench): start it on a free port, wait for the URL it prints, stop it as Ctrl-C would
 * (the lab then closes its session and stops ZooKeeper and every worker).
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { labRoot } from '../core/lab-root.js'

export interface ServeProcess {
  child: ChildProcess
  /** http://127.0.0.1:<port>/?token=… : the page to open, and what connectBridge takes. */
  url: string
  /** Everything it printed so far, for failure messages. */
  output(): string
}

/** The line `zklab serve` prints once it listens (see serve() in index.ts). */
const URL_LINE = /(http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]+)/

export interface ServeProcessOptions {
  sessionsDir: string
  env?: NodeJS.ProcessEnv
  startTimeoutMs?: number
  /** `--allow-external`: the page may run external workers (the end-to-end tests of external workers do). */
  allowExternal?: boolean
}

export async function startServeProcess(options: ServeProcessOptions): Promise<ServeProcess> {
  const root = labRoot()
  const args = [
    join(root, 'bin', 'zklab.js'),
    'serve',
    '--port',
    '0',
    '--sessions-dir',
    options.sessionsDir,
    ...(options.allowExternal ? ['--allow-external'] : []),
  ]
  const child = spawn(process.execPath, args, {
    cwd: root,
    env: options.env ?? process.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const lines: string[] = []
  child.stderr.on('data', (chunk: Buffer) => lines.push(chunk.toString()))
  const timeoutMs = options.startTimeoutMs ?? 60_000
  try {
    const url = await new Promise<string>((resolveUrl, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`zklab serve printed no URL within ${timeoutMs} ms:\n${lines.join('')}`)),
        timeoutMs,
      )
      createInterface({ input: child.stdout }).on('line', (line) => {
        lines.push(line + '\n')
        const match = URL_LINE.exec(line)
        if (match) {
          clearTimeout(timer)
          resolveUrl(match[1])
        }
      })
      child.once('exit', (code) => {
        clearTimeout(timer)
        reject(new Error(`zklab serve exited (${code}) before printing its URL:\n${lines.join('')}`))
      })
    })
    return { child, url, output: () => lines.join('') }
  } catch (err) {
    await stopServeProcess(child)
    throw err
  }
}

/** SIGINT, then SIGKILL if it has not exited after stopTimeoutMs. */
export async function stopServeProcess(child: ChildProcess, stopTimeoutMs = 30_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return
  const exited = new Promise<void>((done) => child.once('exit', () => done()))
  child.kill('SIGINT')
  const timer = setTimeout(() => child.kill('SIGKILL'), stopTimeoutMs)
  await exited
  clearTimeout(timer)
}
