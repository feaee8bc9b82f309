/**
 * The session library in browser mode: run `stop-primary` with the seed and with the recipe (real
 * ZooKeeper, real workers), then find both in the Library, replay the recipe run read-only and scrub
 * it to before its first failover (the stopped primary's ephemeral node is in the tree) and to its
 * end (it is gone), compare the two runs, export a report, and delete a session.
 *
 *   npm run build && npx playwright test test/e2e/browser-library.spec.ts
 *
 * Screenshots of the library, the replay with its scrubber and the comparison, in both themes, go to
 * test-results/screenshots/.
 */
import { cpSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Page } from '@playwright/test'
import { readJsonFile } from '../json-files.js'
import { expect, test } from './browser-lab.js'
import { collectPageErrors, dismissToasts, openTab, setTheme, SHOTS, startScenario } from './page-helpers.js'

const INSTANCE = '/customBackUp/tasks/task01/instance'

/** Runs a bundled scenario from the Experiments view and waits for its verdicts; returns its session folder. */
async function runScenario(
  page: Page,
  name: string,
  strategy: 'seed' | 'recipe',
  outcome: 'passed' | 'failed',
): Promise<string> {
  await startScenario(page, name, strategy)
  await expect(page.getByTestId('current-run')).toHaveAttribute('data-outcome', outcome, { timeout: 180_000 })
  await expect(page.getByTestId('session-closed')).toBeVisible({ timeout: 60_000 })
  return (await page.getByTestId('session-dir').textContent())!.trim()
}

/** From the journal on disk: the first primary the scenario stopped, the seq of that stop, and its instance node. */
function firstStop(dir: string): { worker: string; seq: number; node: string } {
  const events = readFileSync(join(dir, 'events.jsonl'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Record<string, unknown>)
  const stop = events.find(
    (e) => e.type === 'process.action' && e.action === 'stop' && String(e.name).startsWith('worker-'),
  )!
  const registered = events
    .filter((e) => e.type === 'worker.registered' && e.source === stop.name && Number(e.seq) < Number(stop.seq))
    .at(-1)!
  return { worker: String(stop.name), seq: Number(stop.seq), node: String(registered.node) }
}

test('library: replay a run and scrub it, compare seed with recipe, export a report, delete a session', async ({
  page,
  lab,
}) => {
  test.setTimeout(600_000)
  mkdirSync(SHOTS, { recursive: true })
  const errors = collectPageErrors(page)

  await page.goto(lab.url)
  await expect(page.getByRole('status', { name: /Lab connection: connected/ })).toBeVisible()
  const firstDir = (await page.getByTestId('session-dir').textContent())!.trim()
  expect(firstDir).toContain(lab.sessionsDir)

  // The seed waits out a 6 s session timeout at each of its three failovers and fails status-truth;
  // the recipe hands over at once and passes.
  const seedDir = await test.step('run stop-primary with the seed', () =>
    runScenario(page, 'stop-primary', 'seed', 'failed'))
  const recipeDir = await test.step('run stop-primary with the recipe', () =>
    runScenario(page, 'stop-primary', 'recipe', 'passed'))
  const stopped = firstStop(recipeDir)
  const oldNode = `${INSTANCE}/${stopped.node}`

  const liveDir = await test.step('open a new session: the live one, open', async () => {
    await page.getByRole('button', { name: 'New session' }).click()
    await expect(page.getByTestId('session-dir')).not.toHaveText(recipeDir, { timeout: 60_000 })
    await expect(page.getByRole('button', { name: 'Quick start' })).toBeVisible()
    return (await page.getByTestId('session-dir').textContent())!.trim()
  })

  // A run whose lab was killed mid-way: no closedAt, no verdicts, a torn last journal line.
  const cutDir = join(lab.sessionsDir, '20990101-000000-cut-off')
  cpSync(recipeDir, cutDir, { recursive: true })
  const {
    closedAt: _closed,
    check: _check,
    result: _result,
    ...open
  } = JSON.parse(readFileSync(join(cutDir, 'session.json'), 'utf8')) as Record<string, unknown>
  writeFileSync(join(cutDir, 'session.json'), JSON.stringify({ ...open, name: 'killed mid-run' }))
  const journal = readFileSync(join(cutDir, 'events.jsonl'), 'utf8').split('\n')
  writeFileSync(join(cutDir, 'events.jsonl'), journal.slice(0, 200).join('\n') + '\n' + journal[200].slice(0, 40))

  const row = (dir: string) => page.locator(`tr[data-session-dir="${dir}"]`)
  const group = (dir: string) => page.locator('tbody.session-group').filter({ has: row(dir) })

  await test.step('the library lists every session with its outcome', async () => {
    await dismissToasts(page)
    await openTab(page, 'Library')
    // The folder is the one `zklab serve --sessions-dir` was started with; a page cannot change it.
    await expect(page.getByTestId('sessions-dir')).toHaveText(lab.sessionsDir)
    await expect(page.getByTestId('sessions-dir-hint')).toContainText('zklab serve --sessions-dir')
    await expect(page.getByRole('button', { name: /Choose folder|Change/ })).toHaveCount(0)
    await expect(page.getByRole('textbox', { name: /folder/i })).toHaveCount(0)
    await expect(page.locator('tr[data-session-dir]')).toHaveCount(5)
    await expect(row(seedDir)).toHaveAttribute('data-verdict', 'fail')
    await expect(row(seedDir)).toContainText('FAIL')
    await expect(row(seedDir)).toContainText('stop-primary')
    await expect(row(seedDir).locator('td').nth(4)).toHaveText('seed')
    await expect(row(recipeDir)).toHaveAttribute('data-verdict', 'ok')
    await expect(row(recipeDir).locator('td').nth(4)).toHaveText('recipe')
    await expect(row(recipeDir).locator('td').nth(5)).toHaveText(/^\d+(\.\d+)? s$/)
    // The live session is open: it says so, and it cannot be deleted.
    await expect(row(liveDir)).toContainText('open')
    await expect(row(liveDir).getByRole('button', { name: /^Delete / })).toBeDisabled()
    await expect(row(cutDir)).toHaveAttribute('data-verdict', 'ungraded')
    await expect(row(cutDir)).toHaveAttribute('data-cut-off', 'true')
    await expect(row(cutDir)).toContainText('cut off')
    for (const theme of ['light', 'dark'] as const) {
      await setTheme(page, theme)
      await page.locator('.view').screenshot({ path: `${SHOTS}/library-${theme}.png` })
    }
    await setTheme(page, 'light')
  })

  await test.step('export a report from the library: the paths of the files written are shown', async () => {
    await row(recipeDir)
      .getByRole('button', { name: /^Export report of / })
      .click()
    const paths = group(recipeDir).getByTestId('export-paths')
    await expect(paths).toBeVisible({ timeout: 180_000 })
    await expect(paths).toContainText(`${recipeDir}/report.html`)
    await expect(paths).toContainText(`${recipeDir}/report.json`)
    await expect(paths).toContainText(`${recipeDir}/report.pdf`)
    await page.locator('.view').screenshot({ path: `${SHOTS}/library-export-light.png` })
  })

  await test.step('rename a session', async () => {
    await row(seedDir)
      .getByRole('button', { name: /^Rename / })
      .click()
    const input = row(seedDir).getByRole('textbox', { name: /^New name for / })
    await input.fill('stop-primary, seed')
    await input.press('Enter')
    await expect(row(seedDir).locator('td').nth(1)).toContainText('stop-primary, seed')
    expect(readJsonFile<{ name: string }>(join(seedDir, 'session.json')).name).toBe('stop-primary, seed')
  })

  await test.step('delete a session, after confirming', async () => {
    await row(firstDir)
      .getByRole('button', { name: /^Delete / })
      .click()
    const confirm = page.getByRole('group', { name: /^Confirm deleting / })
    await expect(confirm).toContainText(firstDir)
    await confirm.getByRole('button', { name: 'Cancel' }).click()
    await expect(row(firstDir)).toHaveCount(1)
    await row(firstDir)
      .getByRole('button', { name: /^Delete / })
      .click()
    await page.getByRole('button', { name: 'Delete for good' }).click()
    await expect(row(firstDir)).toHaveCount(0)
    await expect(page.locator('tr[data-session-dir]')).toHaveCount(4)
  })

  await test.step('replay the recipe run: read-only, in the same panels', async () => {
    await row(recipeDir)
      .getByRole('button', { name: /^Replay / })
      .click()
    await expect(page.getByTestId('replay-banner')).toHaveText('Replaying stop-primary — read-only')
    await expect(page.getByTestId('session-dir')).toHaveText(recipeDir)
    await expect(page.getByTestId('session-notice')).toContainText('Read-only replay')
    // It opens at the end: the final verdicts, and the stopped primary's first node long gone.
    await expect(page.getByTestId('replay-position')).toHaveAttribute('data-position', /^[1-9]\d*$/)
    await openTab(page, 'Verdicts')
    await expect(page.getByTestId('verdicts-ok')).toHaveText(/^all \d+ checks? passed/)
    await openTab(page, 'Experiments')
    await expect(page.getByRole('button', { name: 'Run stop-primary', exact: true })).toBeDisabled()
  })

  await test.step('scrub to before the first failover: the old primary and its ephemeral node are there', async () => {
    // A process's log tab open at the end of the session follows the replay back.
    await openTab(page, 'Logs')
    await page.getByRole('tab', { name: stopped.worker, exact: true }).click()
    const workerLog = page.getByRole('log', { name: `Log of ${stopped.worker}` })
    await expect(workerLog.locator('.log-row').last()).toHaveAttribute('data-seq', /^\d+$/)
    expect(Number(await workerLog.locator('.log-row').last().getAttribute('data-seq'))).toBeGreaterThan(stopped.seq)
    await page.getByRole('button', { name: 'Jump to start' }).click()
    await expect(page.getByTestId('replay-position')).toHaveAttribute('data-position', '0')
    await page.getByRole('button', { name: 'Next fault or failover' }).click()
    // The first marker is the stop itself: the fault has been fired, the takeover has not happened.
    await expect(page.getByTestId('replay-position')).toHaveAttribute('data-seq', String(stopped.seq))
    await expect(workerLog.locator('.log-row').last()).toHaveAttribute('data-seq', /^\d+$/)
    expect(Number(await workerLog.locator('.log-row').last().getAttribute('data-seq'))).toBeLessThan(stopped.seq)
    await page.getByRole('tab', { name: 'All processes' }).click()
    await expect(page.locator(`[data-worker="${stopped.worker}"]`)).toHaveAttribute('data-role', 'primary')
    await openTab(page, 'Znode tree')
    const node = page.locator(`[role="treeitem"][data-path="${oldNode}"]`)
    await expect(node).toBeVisible()
    await expect(node).toContainText(`ephemeral · ${stopped.worker}`)
    // The logs end at the same moment.
    await openTab(page, 'Logs')
    const log = page.getByRole('log', { name: 'All processes' })
    await expect(log.locator('.log-row').last()).toHaveAttribute('data-seq', String(stopped.seq))
    await expect(log.locator('.log-row').last()).toContainText(`process.action name=${stopped.worker} action=stop`)
    // One step back: the stop has not been fired yet.
    await page.getByRole('button', { name: 'Step back one event' }).click()
    await expect(page.getByTestId('replay-position')).toHaveAttribute('data-seq', String(stopped.seq - 1))
    await expect(log.locator('.log-row').last()).toHaveAttribute('data-seq', String(stopped.seq - 1))
    await page.getByRole('button', { name: 'Step forward one event' }).click()
    await expect(page.getByTestId('replay-position')).toHaveAttribute('data-seq', String(stopped.seq))
  })

  await test.step('the timeline shows the whole run with a cursor at the position; screenshots', async () => {
    await openTab(page, 'Leadership timeline')
    await expect(page.locator('.timeline-chart')).toHaveAttribute('data-cursor', /^\d+$/)
    await expect(page.getByTestId('failover-row')).toHaveCount(3)
    await dismissToasts(page)
    for (const theme of ['light', 'dark'] as const) {
      await setTheme(page, theme)
      await openTab(page, 'Leadership timeline')
      await page.waitForTimeout(1200)
      await page.screenshot({ path: `${SHOTS}/replay-${theme}.png` })
      await openTab(page, 'Znode tree')
      await page.locator(`[role="treeitem"][data-path="${oldNode}"]`).click()
      await page.screenshot({ path: `${SHOTS}/replay-tree-${theme}.png` })
    }
    await setTheme(page, 'light')
  })

  await test.step('scrub to the end: the old primary’s node is gone', async () => {
    await openTab(page, 'Znode tree')
    await page.getByRole('slider', { name: 'Replay position' }).focus()
    await page.keyboard.press('End')
    const total = await page.getByTestId('replay-position').getAttribute('data-position')
    expect(Number(total)).toBeGreaterThan(stopped.seq)
    await expect(page.locator(`[role="treeitem"][data-path="${oldNode}"]`)).toHaveCount(0)
    await expect(page.getByRole('complementary', { name: 'Znode details' })).toContainText(
      'does not exist at this moment of the replay',
    )
    // Home, then the stop again by marker; End once more.
    await page.keyboard.press('Home')
    await expect(page.getByTestId('replay-position')).toHaveAttribute('data-position', '0')
    await page.keyboard.press('PageDown')
    await expect(page.locator(`[role="treeitem"][data-path="${oldNode}"]`)).toBeVisible()
    await page.getByRole('button', { name: 'Jump to end' }).click()
    await expect(page.locator(`[role="treeitem"][data-path="${oldNode}"]`)).toHaveCount(0)
  })

  await test.step('back to live: the live session, with its controls', async () => {
    await page.getByRole('button', { name: /Back to live/ }).click()
    await expect(page.getByTestId('replay-banner')).toHaveCount(0)
    await expect(page.getByTestId('session-dir')).toHaveText(liveDir, { timeout: 60_000 })
    await expect(page.getByRole('button', { name: 'Quick start' })).toBeEnabled()
    await expect(page.getByTestId('session-notice')).toHaveCount(0)
  })

  await test.step('only sessions directly in the folder are listed, no link; replay a cut-off one from the list', async () => {
    // A copy further down and a link to it: neither is a session of the library.
    const nested = join(lab.sessionsDir, 'elsewhere', 'a-copy')
    cpSync(seedDir, nested, { recursive: true })
    symlinkSync(nested, join(lab.sessionsDir, 'a-link'))
    await openTab(page, 'Library')
    await page.getByRole('button', { name: /Refresh/ }).click()
    await expect(page.getByRole('button', { name: /Refresh/ })).toBeEnabled()
    await expect(page.locator('tr[data-session-dir]')).toHaveCount(4)
    await expect(row(nested)).toHaveCount(0)
    await expect(row(join(lab.sessionsDir, 'a-link'))).toHaveCount(0)
    await row(seedDir)
      .getByRole('button', { name: /^Replay / })
      .click()
    await expect(page.getByTestId('replay-banner')).toHaveText('Replaying stop-primary, seed — read-only')
    // From one replay to another: the torn line is reported, the rest replays.
    await openTab(page, 'Library')
    await row(cutDir)
      .getByRole('button', { name: /^Replay / })
      .click()
    await expect(page.getByTestId('replay-banner')).toHaveText('Replaying killed mid-run — read-only')
    const bar = page.getByRole('region', { name: 'Replay' })
    await expect(bar).toContainText('cut off')
    await expect(bar).toContainText('1 unreadable journal line skipped')
    await expect(page.getByTestId('replay-position')).toHaveAttribute('data-position', '200')
    await page.getByRole('button', { name: /Back to live/ }).click()
    await expect(page.getByTestId('session-dir')).toHaveText(liveDir, { timeout: 60_000 })
  })

  await test.step('compare the seed and the recipe runs', async () => {
    await openTab(page, 'Library')
    await row(seedDir).getByRole('checkbox').check()
    await row(recipeDir).getByRole('checkbox').check()
    await page.getByRole('button', { name: 'Compare (2)' }).click()
    const table = page.getByRole('table', { name: 'Session comparison' })
    await expect(table).toBeVisible({ timeout: 120_000 })
    await expect(table.getByTestId('compare-session')).toHaveCount(2)
    await expect(table.getByTestId('compare-session').nth(0)).toHaveAttribute('data-session-dir', seedDir)
    await expect(table.getByTestId('compare-session').nth(1)).toHaveAttribute('data-session-dir', recipeDir)
    await expect(table.getByTestId('compare-result').nth(0)).toHaveText('FAILED')
    await expect(table.getByTestId('compare-result').nth(1)).toHaveText('PASSED')
    await expect(table.getByTestId('compare-verdict-status-truth').locator('td').nth(0)).toContainText('FAIL')
    await expect(table.getByTestId('compare-verdict-status-truth').locator('td').nth(1)).toHaveText('ok')
    await expect(table.getByTestId('compare-verdict-single-primary').locator('td')).toHaveText(['ok', 'ok'])
    for (const key of ['compare-newPrimaryMs-p50', 'compare-firstCommitMs-p95', 'compare-firstCommitMs-max']) {
      await expect(table.getByTestId(key).locator('td')).toHaveText([/^\d+(\.\d+)? m?s$/, /^\d+(\.\d+)? m?s$/])
    }
    await expect(page.getByTestId('compare-timeline')).toHaveCount(2)
    await expect(page.getByTestId('compare-timeline').nth(1).locator('canvas').first()).toBeVisible()
    for (const theme of ['light', 'dark'] as const) {
      await setTheme(page, theme)
      await page.waitForTimeout(800)
      // The table first (the timelines' screenshot below scrolls the view down to them).
      await page.locator('.view .pane-body').evaluate((el) => el.scrollTo({ top: 0 }))
      await page.locator('.view').screenshot({ path: `${SHOTS}/compare-${theme}.png` })
      await page
        .getByRole('region', { name: 'Leadership timelines' })
        .screenshot({ path: `${SHOTS}/compare-timelines-${theme}.png` })
    }
    await setTheme(page, 'light')
  })

  expect(errors, 'errors in the page console').toEqual([])
})
