/**
 * report.html as a reader opens it, months later: from disk (file://), in Chromium, with no lab and
 * no network. A real run (the seed under a paused primary: a failover, alerts, every invariant
 * broken) is exported with the real CLI first.
 *
 *   npx playwright test test/e2e/report.spec.ts
 *
 * Screenshots: test-results/screenshots/report.png (whole page), report-timeline.png.
 */
import { spawn } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { expect, test } from '@playwright/test'

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..')
const SHOTS = join(ROOT, 'test-results', 'screenshots')

function zklab(args: string[]): Promise<{ code: number | null; output: string }> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [join(ROOT, 'bin/zklab.js'), ...args], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let output = ''
    child.stdout.on('data', (d) => (output += d))
    child.stderr.on('data', (d) => (output += d))
    const timer = setTimeout(() => child.kill('SIGKILL'), 180_000)
    child.once('error', fail)
    child.once('exit', (code) => {
      clearTimeout(timer)
      done({ code, output })
    })
  })
}

let dir: string
let session: string

test.beforeAll(async () => {
  test.setTimeout(240_000)
  dir = mkdtempSync(join(tmpdir(), 'zklab-report-e2e-'))
  session = join(dir, 'pause-seed')
  const run = await zklab(['run', 'pause-primary', '--strategy', 'seed', '--out', session])
  expect([0, 1], run.output).toContain(run.code)
  const report = await zklab(['report', session, '--format', 'html'])
  expect(report.code, report.output).toBe(0)
})

test.afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true })
})

test('report.html opens from disk with its charts, no console error and no request at all', async ({ page }) => {
  const url = pathToFileURL(join(session, 'report.html')).href
  const requests: string[] = []
  const problems: string[] = []
  page.on('request', (r) => requests.push(r.url()))
  // A CSP violation (the page reaching for anything) is reported as a console error.
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`${m.type()}: ${m.text()}`)
    else if (m.type() === 'warning') console.log(`console warning (not a failure): ${m.text()}`)
  })
  page.on('pageerror', (err) => problems.push(`pageerror: ${err.message}`))

  await page.goto(url, { waitUntil: 'load' })
  await expect(page.locator('h1')).toContainText('pause-primary')
  await expect(page.locator('h1 .pill')).toContainText('FAILED')

  // The leadership timeline, drawn by the app's chart definition: a lane per worker, the pause marked, the
  // lastCommit line below, a breakdown bar per failover.
  const timeline = page.locator('svg.chart.timeline')
  await expect(timeline).toHaveCount(1)
  for (const worker of ['worker-task01-1', 'worker-task01-2', 'worker-task01-3'])
    await expect(timeline.locator('text', { hasText: worker }).first()).toBeVisible()
  await expect(timeline.locator('text', { hasText: 'lastCommit' }).first()).toBeVisible()
  expect(await timeline.locator('path').count()).toBeGreaterThan(10)
  const box = await timeline.boundingBox()
  expect(box!.width).toBeGreaterThan(600)
  expect(box!.height).toBeGreaterThan(100)
  await expect(page.locator('table.failovers svg.breakdown').first()).toBeVisible()

  // Evidence opens; the log window filters by process.
  const evidence = page.locator('details.evidence').first()
  await evidence.locator('summary').click()
  await expect(evidence.locator('table.context tbody tr').first()).toBeVisible()
  const logWindow = page.locator('details.log-window').first()
  await logWindow.locator('summary').click()
  const zkRows = logWindow.locator('tr[data-process="zk-1"]')
  await expect(zkRows.first()).toBeVisible()
  await logWindow.locator('.chips input[value="zk-1"]').uncheck()
  await expect(zkRows.first()).toBeHidden()
  await logWindow.locator('.chips input[value="zk-1"]').check()
  await page.getByRole('button', { name: 'Collapse all' }).click()
  await expect(logWindow).not.toHaveAttribute('open', '')

  mkdirSync(SHOTS, { recursive: true })
  await page.locator('figure.timeline-figure').screenshot({ path: join(SHOTS, 'report-timeline.png') })
  await page.screenshot({ path: join(SHOTS, 'report.png'), fullPage: true })

  expect(problems).toEqual([])
  // Only the file itself: no CDN, no font, no image, not even a favicon.
  expect(requests.filter((r) => r !== url && !r.startsWith('data:'))).toEqual([])
})
