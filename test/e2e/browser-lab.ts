/**
 * A Playwright fixture that runs the lab in browser mode for one test: `zklab serve` on a free port
 * with its own sessions folder, stopped with SIGINT afterwards (the lab then stops ZooKeeper and
 * every worker). The test fails if anything the lab started outlives it.
 */
import type { ChildProcess } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test as base } from '@playwright/test'
import { startServeProcess, stopServeProcess } from '../../src/cli/serve-process.js'

export interface BrowserLab {
  url: string
  sessionsDir: string
  /** What the lab printed, for failure messages. */
  output(): string
}

async function startLab(env: NodeJS.ProcessEnv): Promise<{ lab: BrowserLab; child: ChildProcess }> {
  const sessionsDir = mkdtempSync(join(tmpdir(), 'zklab-e2e-'))
  // The external-worker tests run programs from the page.
  const serve = await startServeProcess({ sessionsDir, allowExternal: true, env: { ...process.env, ...env } })
  return { lab: { url: serve.url, sessionsDir, output: serve.output }, child: serve.child }
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

export const test = base.extend<{ lab: BrowserLab; labEnv: NodeJS.ProcessEnv }>({
  /** Extra environment for the lab (`test.use({ labEnv: … })`): the set-up test hides ZooKeeper with it. */
  labEnv: [{}, { option: true }],
  lab: async ({ labEnv }, use) => {
    const { lab, child } = await startLab(labEnv)
    try {
      await use(lab)
    } finally {
      await stopServeProcess(child)
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
        // eslint-disable-next-line no-unsafe-finally -- use() resolves even when the test fails, so this hides no error.
        throw new Error(`processes outlived the lab:\n${left.join('\n')}`)
      }
    }
  },
})

export { expect } from '@playwright/test'
