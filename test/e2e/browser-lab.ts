/**
 * A Playwright fixture that runs the lab in browser mode for one test: `zklab serve` on a free port
 * with its own sessions folder, stopped with SIGINT afterwards (the lab then stops ZooKeeper and
 * every worker). The test fails if anything the lab started outlives it.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { test as base } from '@playwright/test'

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..')
const START_TIMEOUT_MS = 60_000
const STOP_TIMEOUT_MS = 30_000

export interface BrowserLab {
  url: string
  sessionsDir: string
  /** What the lab printed, for failure messages. */
  output(): string
}

async function startLab(): Promise<{ lab: BrowserLab; child: ChildProcess }> {
  const sessionsDir = mkdtempSync(join(tmpdir(), 'zklab-e2e-'))
  const child = spawn(process.execPath, [join(ROOT, 'bin/zklab.js'), 'serve', '--port', '0', '--sessions-dir', sessionsDir], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const lines: string[] = []
  child.stderr!.on('data', (chunk: Buffer) => lines.push(chunk.toString()))
  const url = await new Promise<string>((resolveUrl, reject) => {
    const timer = setTimeout(() => reject(new Error(`zklab serve printed no URL within ${START_TIMEOUT_MS} ms:\n${lines.join('')}`)), START_TIMEOUT_MS)
    const rl = createInterface({ input: child.stdout! })
    rl.on('line', (line) => {
      lines.push(line + '\n')
      const match = /(http:\/\/127\.0\.0\.1:\d+\/)/.exec(line)
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
  return { lab: { url, sessionsDir, output: () => lines.join('') }, child }
}

async function stopLab(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return
  const exited = new Promise<void>((done) => child.once('exit', () => done()))
  child.kill('SIGINT')
  const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS)
  await exited
  clearTimeout(timer)
}

/** Processes whose command line mentions the folder: ZooKeeper and workers all carry the session path. */
function processesUsing(folder: string): string[] {
  const found: string[] = []
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8').replace(/\0/g, ' ')
      if (cmdline.includes(folder)) found.push(`${entry}: ${cmdline.slice(0, 160)}`)
    } catch {
      // Gone while we looked.
    }
  }
  return found
}

export const test = base.extend<{ lab: BrowserLab }>({
  lab: async ({}, use) => {
    const { lab, child } = await startLab()
    try {
      await use(lab)
    } finally {
      await stopLab(child)
      // Children die with the lab (parent-death signal); give the kernel a moment to reap them.
      let left = processesUsing(lab.sessionsDir)
      for (let i = 0; i < 50 && left.length > 0; i++) {
        await new Promise((r) => setTimeout(r, 100))
        left = processesUsing(lab.sessionsDir)
      }
      if (left.length === 0) rmSync(lab.sessionsDir, { recursive: true, force: true })
      if (left.length > 0) {
        // Ours (they carry this test's folder): end them, then fail.
        for (const line of left) {
          try {
            process.kill(Number(line.split(':')[0]), 'SIGKILL')
          } catch {
            // Already gone.
          }
        }
        throw new Error(`processes outlived the lab:\n${left.join('\n')}`)
      }
    }
  },
})

export { expect } from '@playwright/test'
