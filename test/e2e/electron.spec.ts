/**
 * The Electron app end to end, with Playwright Test's Electron support:
 *
 *   npx electron-vite build && npx playwright test test/e2e/electron.spec.ts
 *
 * It launches out/main/index.js with Electron's binary, checks the window, drives the lab through
 * `window.lab` exactly as the renderer does (including starting a real ZooKeeper, so the app owns
 * child processes), closes the window, and checks that the app and every process under it are gone.
 * Where Electron cannot run (its binary is not installed, or Linux has no display) the test reports
 * itself as skipped and says why.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { _electron as electron, expect, test } from '@playwright/test'
import type { LabBridge } from '../../src/preload/lab-bridge.js'
import { LabEventTypes, type LabEvent } from '../../src/shared/events.js'
import { LAB_METHOD_NAMES } from '../../src/shared/lab-methods.js'
import { findElectronBinary } from '../../src/cli/electron-binary.js'

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..')
const MAIN = join(ROOT, 'out/main/index.js')
const TITLE = 'ZooKeeper Failover Lab'

function whyElectronCannotRun(): string | undefined {
  const found = findElectronBinary()
  if ('missing' in found) return `Electron's binary is not installed: ${found.missing}`
  if (process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) {
    return 'no display to open a window on (set DISPLAY, or run under xvfb-run)'
  }
  return undefined
}

const skipReason = whyElectronCannotRun()
// Said once, plainly, whatever reporter is in use.
if (skipReason) console.log(`[electron e2e] SKIPPED: ${skipReason}`)

/** Every process below `root`, with its start time so a reused pid is not mistaken for it (Linux). */
function descendants(root: number): Map<number, string> {
  const children = new Map<number, number[]>()
  const started = new Map<number, string>()
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    try {
      const fields = readFileSync(`/proc/${entry}/stat`, 'utf8').split(') ')[1].split(' ')
      const ppid = Number(fields[1])
      children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)])
      started.set(Number(entry), fields[19])
    } catch {
      // The process ended while we looked.
    }
  }
  const found = new Map<number, string>()
  const queue = [...(children.get(root) ?? [])]
  while (queue.length) {
    const pid = queue.shift()!
    found.set(pid, started.get(pid)!)
    queue.push(...(children.get(pid) ?? []))
  }
  return found
}

function stillRunning(processes: Map<number, string>): number[] {
  return [...processes]
    .filter(([pid, startTime]) => {
      try {
        const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ')
        return fields[0] !== 'Z' && fields[19] === startTime
      } catch {
        return false
      }
    })
    .map(([pid]) => pid)
}

type LabWindow = { lab: LabBridge; labBatches: LabEvent[][] }

test.describe('Electron app', () => {
  test.skip(skipReason !== undefined, `Electron cannot start on this machine: ${skipReason}`)

  test('opens the lab window, serves window.lab, and leaves no process behind when closed', async () => {
    test.setTimeout(180_000)
    expect(existsSync(MAIN), `${MAIN} is missing: run npx electron-vite build first`).toBe(true)
    const sessions = mkdtempSync(join(tmpdir(), 'zklab-e2e-'))
    const binary = findElectronBinary() as { path: string }
    const app = await electron.launch({
      executablePath: binary.path,
      args: [MAIN],
      env: { ...process.env, ZKLAB_SESSIONS: sessions },
      timeout: 60_000,
    })
    const electronPid = app.process().pid!
    const exited = new Promise<void>((resolve) => app.process().once('exit', () => resolve()))
    let processes = new Map<number, string>()
    try {
      const page = await app.firstWindow()
      await expect(page).toHaveTitle(TITLE)
      // The page comes from the app's own scheme, not from file://.
      expect(page.url()).toBe('zklab://app/index.html')
      // Created hidden, shown once ready.
      await expect
        .poll(() =>
          app.evaluate(({ BrowserWindow }) => BrowserWindow.getAllWindows().map((w) => [w.getTitle(), w.isVisible()])),
        )
        .toEqual([[TITLE, true]])

      // The page has the Lab API and nothing of Node or Electron.
      const surface = await page.evaluate(() => ({
        lab: Object.keys((window as unknown as LabWindow).lab).sort(),
        require: typeof (globalThis as Record<string, unknown>).require,
        process: typeof (globalThis as Record<string, unknown>).process,
        ipcRenderer: typeof (globalThis as Record<string, unknown>).ipcRenderer,
      }))
      expect(surface).toEqual({
        lab: [...LAB_METHOD_NAMES, 'subscribe'].sort(),
        require: 'undefined',
        process: 'undefined',
        ipcRenderer: 'undefined',
      })

      const snapshot = await page.evaluate(() => (window as unknown as LabWindow).lab.snapshot())
      expect(snapshot).toHaveProperty('zookeeper.servers')
      expect(snapshot).toHaveProperty('workers')

      // A bad argument comes back as the validator's message, naming the field.
      const refused = await page.evaluate(() =>
        (window as unknown as LabWindow).lab.publishTask({ task: 'a/b' }).then(
          () => 'accepted',
          (error: Error) => error.message,
        ),
      )
      expect(refused).toMatch(/^Invalid argument for publishTask: task: /)

      // A session with a real ZooKeeper, so the app owns child processes; its events reach the page.
      // The page may not choose folders: the session goes to ZKLAB_SESSIONS, the folder this test gave.
      await page.evaluate(async () => {
        const w = window as unknown as LabWindow
        w.labBatches = []
        w.lab.subscribe((batch) => w.labBatches.push(batch))
        if (!(await w.lab.snapshot()).session) await w.lab.createSession({ name: 'electron-e2e' })
        if ((await w.lab.snapshot()).zookeeper.servers.length === 0) await w.lab.startZooKeeper()
      })
      await expect
        .poll(
          () =>
            page.evaluate(
              (ready) => (window as unknown as LabWindow).labBatches.flat().some((e) => e.type === ready),
              LabEventTypes.zkReady,
            ),
          {
            timeout: 60_000,
          },
        )
        .toBe(true)

      processes = descendants(electronPid)
      if (process.platform === 'linux') expect(processes.size).toBeGreaterThan(0)

      // Closing the last window quits the app, which first closes the lab's session.
      await app.evaluate(({ BrowserWindow }) => BrowserWindow.getAllWindows().forEach((w) => w.close()))
      await exited
    } finally {
      if (app.process().exitCode === null && app.process().signalCode === null) await app.close()
    }
    try {
      if (process.platform === 'linux') {
        await expect
          .poll(() => stillRunning(processes), { timeout: 15_000, message: 'processes the app left running' })
          .toEqual([])
      }
    } finally {
      rmSync(sessions, { recursive: true, force: true })
    }
  })
})
