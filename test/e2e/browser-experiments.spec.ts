/**
 * Experiments in browser mode, as a person would run them: the bundled `stop-primary` scenario with
 * the seed strategy (its standbys flap the status: the checker reports status-truth live and the run
 * fails), then with the recipe (it passes, and hands over in milliseconds), then a new session by
 * hand; and a ZooKeeper ensemble whose leader is killed from its button. Real ZooKeeper, real workers.
 *
 *   npm run build && npx playwright test test/e2e/browser-experiments.spec.ts
 *
 * Screenshots of the experiments and verdicts panels, in both themes, go to test-results/screenshots/.
 */
import { mkdirSync, readdirSync } from 'node:fs'
import type { Page } from '@playwright/test'
import { expect, test } from './browser-lab.js'
import { collectPageErrors, dismissToasts, openTab, setTheme, SHOTS, startScenario } from './page-helpers.js'

/** The scenario's session timeout: the seed waits it out, the recipe must not. */
const SESSION_TIMEOUT_MS = 6000

/** The experiments and verdicts views of the current run, light and dark, plus the whole window. */
async function screenshotRun(page: Page, label: string) {
  await dismissToasts(page)
  for (const theme of ['light', 'dark'] as const) {
    await setTheme(page, theme)
    await openTab(page, 'Experiments')
    await page.locator('.view').screenshot({ path: `${SHOTS}/experiments-${label}-${theme}.png` })
    await openTab(page, 'Verdicts')
    await page.locator('.view').screenshot({ path: `${SHOTS}/verdicts-${label}-${theme}.png` })
    await page.screenshot({ path: `${SHOTS}/app-${label}-${theme}.png` })
    await page
      .getByRole('region', { name: 'Failover breakdown' })
      .screenshot({ path: `${SHOTS}/breakdown-${label}-${theme}.png` })
  }
  await setTheme(page, 'light')
}

async function runScenario(page: Page, name: string, strategy: 'seed' | 'recipe') {
  await startScenario(page, name, strategy)
  const run = page.getByTestId('current-run')
  await expect(run).toHaveAttribute('data-outcome', /running|passed|failed/, { timeout: 60_000 })
  await expect(page.getByTestId('run-scenario')).toHaveText(name)
  await expect(run).toContainText(`strategy ${strategy}`)
}

test('run stop-primary with seed, then recipe: live violations, verdicts and the failover breakdown', async ({
  page,
  lab,
}) => {
  test.setTimeout(360_000)
  mkdirSync(SHOTS, { recursive: true })
  const errors = collectPageErrors(page)

  await page.goto(lab.url)
  await expect(page.getByRole('status', { name: /Lab connection: connected/ })).toBeVisible()
  await expect(page.getByTestId('session-dir')).toContainText(lab.sessionsDir)
  await expect(page.getByTestId('violations-badge')).toHaveText('0 violations')

  await test.step('the experiments view lists the bundled scenarios', async () => {
    await openTab(page, 'Experiments')
    const table = page.getByRole('table', { name: 'Bundled scenarios' })
    // Every bundled scenario is offered.
    const bundled = readdirSync(new URL('../../resources/scenarios/', import.meta.url)).filter((f) =>
      f.endsWith('.yaml'),
    )
    await expect(table.locator('[data-scenario]')).toHaveCount(bundled.length)
    const row = table.locator('[data-scenario="stop-primary"]')
    await expect(row).toContainText('SIGTERM the primary 3 times')
    await expect(row).toContainText('standalone')
    await expect(row.locator('td').nth(3)).toHaveText('3')
    await expect(table.locator('[data-scenario="ensemble-leader-kill"]')).toContainText('ensemble of 3')
    await expect(page.getByTestId('current-run')).toContainText('No scenario in this session')
  })

  await test.step('seed: a status-truth violation shows live, in the header and the verdicts view', async () => {
    await runScenario(page, 'stop-primary', 'seed')
    // Right after the start: the run lasts tens of seconds, while a loaded machine may take long
    // between later assertions, so "running" is checked here and not after the violation shows.
    await expect(page.getByTestId('current-run')).toHaveAttribute('data-outcome', 'running')
    await expect(page.getByRole('button', { name: 'Stop scenario' })).toBeVisible()
    await expect(page.getByTestId('run-step')).toHaveText(/^steps\[\d\]/, { timeout: 60_000 })
    await expect(page.getByTestId('run-elapsed')).toContainText(/\d/)
    await page.locator('.view').screenshot({ path: `${SHOTS}/experiments-running-light.png` })
    // The seed's standbys write status "0" under a working primary at the first stop.
    await expect(page.getByTestId('violations-badge')).toHaveText(/^[1-9]\d* violations?$/, { timeout: 90_000 })
    await openTab(page, 'Verdicts')
    const violation = page.getByTestId('violation').first()
    await expect(violation).toHaveAttribute('data-invariant', 'status-truth')
    await expect(violation).toContainText('stopped-while-working')
    await expect(violation).toContainText(/\+\d+\.\d\d s/)
    await expect(violation).toContainText(/worker-task01-\d/)
    await expect(page.locator('[data-invariant="status-truth"].invariant-tile')).not.toHaveAttribute('data-count', '0')
    await dismissToasts(page)
    await page.locator('.view').screenshot({ path: `${SHOTS}/verdicts-live-light.png` })
    await openTab(page, 'Experiments')
  })

  await test.step('seed: the run ends FAILED, with the final verdicts', async () => {
    const run = page.getByTestId('current-run')
    await expect(run).toHaveAttribute('data-outcome', 'failed', { timeout: 150_000 })
    await expect(page.getByTestId('run-outcome')).toHaveText('FAILED')
    await expect(page.getByTestId('run-error')).toContainText('status-truth')
    await expect(page.getByRole('button', { name: 'Stop scenario' })).toHaveCount(0)
    // The scenario closed its session: final verdicts, and a way to go on.
    await expect(page.getByTestId('session-closed')).toBeVisible({ timeout: 60_000 })
    await expect(page.getByRole('button', { name: 'New session' })).toBeVisible()
    // The closed session's controls are inert; the panel says why.
    await expect(page.getByTestId('session-notice')).toContainText('closed')
    await expect(page.getByRole('button', { name: 'Publish task' })).toBeDisabled()
    await openTab(page, 'Verdicts')
    // One verdict per invariant the checker grades (four at least), for task01.
    await expect.poll(() => page.getByTestId('verdict-row').count()).toBeGreaterThanOrEqual(4)
    await expect(page.locator('[data-testid="verdict-row"][data-invariant="status-truth"]')).toHaveAttribute(
      'data-ok',
      'false',
    )
    await expect(page.locator('[data-testid="verdict-row"][data-invariant="single-primary"]')).toHaveAttribute(
      'data-ok',
      'true',
    )
    await expect(page.getByTestId('verdicts-ok')).toHaveText(/^\d+ of \d+ checks? failed/)
    await expect(page.getByTestId('violations-badge')).toHaveText(/^[1-9]\d* violations?$/)
    // The seed hands over only when the stopped primary's session expires.
    const breakdown = page.getByTestId('breakdown-row')
    await expect(breakdown).toHaveCount(3)
    for (const row of await breakdown.all()) {
      expect(Number(await row.getAttribute('data-new-primary-ms'))).toBeGreaterThan(SESSION_TIMEOUT_MS - 1000)
      await expect(row.locator('td[data-step="sessionEnded"]')).toContainText('expired')
    }
    await screenshotRun(page, 'seed')
  })

  await test.step('recipe: the run PASSES, every verdict ok, three fast failovers', async () => {
    await runScenario(page, 'stop-primary', 'recipe')
    const run = page.getByTestId('current-run')
    await expect(run).toHaveAttribute('data-outcome', 'passed', { timeout: 150_000 })
    await expect(page.getByTestId('run-outcome')).toHaveText('PASSED')
    await expect(page.getByTestId('run-error')).toHaveCount(0)
    await expect(page.getByTestId('run-result')).toContainText(/all \d+ checks passed/)
    await openTab(page, 'Verdicts')
    await expect.poll(() => page.getByTestId('verdict-row').count()).toBeGreaterThanOrEqual(4)
    await expect(page.locator('[data-testid="verdict-row"][data-ok="false"]')).toHaveCount(0)
    await expect(page.getByTestId('verdicts-ok')).toHaveText(/^all \d+ checks? passed/)
    await expect(page.getByTestId('violations-badge')).toHaveText('all checks passed')
    await expect(page.getByTestId('violation')).toHaveCount(0)
    const breakdown = page.getByTestId('breakdown-row')
    await expect(breakdown).toHaveCount(3)
    for (const row of await breakdown.all()) {
      const newPrimary = await row.getAttribute('data-new-primary-ms')
      expect(newPrimary, 'every failover has a new primary').not.toBe('')
      expect(Number(newPrimary)).toBeLessThan(3000)
      await expect(row.locator('td[data-step="sessionEnded"]')).toContainText('closed')
      await expect(row.locator('.step-tick.step-newPrimary')).toHaveCount(1)
    }
    // Both runs, side by side.
    await openTab(page, 'Experiments')
    const runs = page.getByTestId('run-row')
    await expect(runs).toHaveCount(2)
    await expect(runs.nth(0)).toHaveAttribute('data-ok', 'true')
    await expect(runs.nth(0)).toContainText('recipe')
    await expect(runs.nth(1)).toHaveAttribute('data-ok', 'false')
    await expect(runs.nth(1)).toContainText('seed')
    await screenshotRun(page, 'recipe')
  })

  await test.step('stop a run midway: STOPPED, and graded as far as it got', async () => {
    await runScenario(page, 'kill-primary', 'recipe')
    // Into the kill-and-wait loop: a killed primary's session takes its 4 s timeout to expire.
    await expect(page.getByTestId('run-step')).toHaveText(/^steps\[2\]/, { timeout: 60_000 })
    await page.getByRole('button', { name: 'Stop scenario' }).click()
    await expect(page.getByTestId('current-run')).toHaveAttribute('data-outcome', 'stopped', { timeout: 60_000 })
    await expect(page.getByTestId('run-outcome')).toHaveText('STOPPED')
    await expect(page.getByTestId('run-error')).toHaveCount(0)
    await expect(page.getByTestId('session-closed')).toBeVisible()
    await expect(page.getByTestId('run-row').first()).toContainText('STOPPED')
    await openTab(page, 'Verdicts')
    await expect.poll(() => page.getByTestId('verdict-row').count()).toBeGreaterThanOrEqual(4)
  })

  await test.step('a new session by hand: an empty lab to go on with', async () => {
    await openTab(page, 'Experiments')
    const before = await page.getByTestId('session-dir').textContent()
    await page.getByRole('button', { name: 'New session' }).click()
    await expect(page.getByTestId('session-dir')).not.toHaveText(before ?? '')
    await expect(page.getByTestId('session-dir')).toContainText(lab.sessionsDir)
    await expect(page.getByTestId('session-closed')).toHaveCount(0)
    await expect(page.getByRole('button', { name: 'New session' })).toHaveCount(0)
    await expect(page.getByTestId('violations-badge')).toHaveText('0 violations')
    await expect(page.getByTestId('session-notice')).toHaveCount(0)
    await expect(page.getByRole('button', { name: 'Quick start' })).toBeEnabled()
    await expect(page.getByTestId('current-run')).toContainText('No scenario in this session')
    // Past runs stay for comparison.
    await expect(page.getByTestId('run-row')).toHaveCount(3)
  })

  expect(errors, 'errors in the page console').toEqual([])
})

test('ZooKeeper ensemble of 3: modes shown, kill the leader, another is elected', async ({ page, lab }) => {
  test.setTimeout(240_000)
  mkdirSync(SHOTS, { recursive: true })
  const errors = collectPageErrors(page)
  await page.goto(lab.url)
  await expect(page.getByRole('status', { name: /Lab connection: connected/ })).toBeVisible()

  await page.getByLabel('ZooKeeper set-up').selectOption({ label: 'Ensemble of 3' })
  await page.getByRole('button', { name: 'Start ZooKeeper' }).click()
  for (const name of ['zk-1', 'zk-2', 'zk-3']) {
    await expect(page.locator(`[data-server="${name}"]`)).toHaveAttribute('data-state', 'running', { timeout: 120_000 })
  }
  const modes = page.locator('[data-testid^="zk-mode-"]')
  await expect(modes.filter({ hasText: /^leader$/ })).toHaveCount(1, { timeout: 60_000 })
  await expect(modes.filter({ hasText: /^follower$/ })).toHaveCount(2, { timeout: 60_000 })
  const leaderTag = modes.filter({ hasText: /^leader$/ })
  const leader = ((await leaderTag.getAttribute('data-testid')) ?? '').replace('zk-mode-', '')
  expect(leader).toMatch(/^zk-[123]$/)
  const killLeader = page.getByRole('button', { name: 'Kill the ZooKeeper leader' })
  await expect(killLeader).toContainText(`Kill leader (${leader})`)
  for (const action of ['Stop', 'Kill', 'Pause', 'Restart'])
    await expect(page.getByRole('button', { name: `${action} ${leader}`, exact: true })).toBeVisible()
  await page.locator('.cluster-panel').screenshot({ path: `${SHOTS}/ensemble-light.png` })

  await killLeader.click()
  await expect(page.locator(`[data-server="${leader}"]`)).toHaveAttribute('data-state', /stopped|crashed/, {
    timeout: 30_000,
  })
  await expect(page.getByRole('button', { name: `Start ${leader}`, exact: true })).toBeVisible()
  // The two left elect a new leader among themselves.
  await expect
    .poll(
      async () =>
        (
          await modes
            .filter({ hasText: /^leader$/ })
            .getAttribute('data-testid')
            .catch(() => null)
        )?.replace('zk-mode-', ''),
      { timeout: 90_000 },
    )
    .toMatch(new RegExp(`^zk-(?!${leader.slice(-1)}$)[123]$`))
  await expect(killLeader).toBeEnabled()

  // Pause and resume a follower from its own buttons.
  const follower = (
    (await modes
      .filter({ hasText: /^follower$/ })
      .first()
      .getAttribute('data-testid')) ?? ''
  ).replace('zk-mode-', '')
  await page.getByRole('button', { name: `Pause ${follower}`, exact: true }).click()
  await expect(page.locator(`[data-server="${follower}"]`)).toHaveAttribute('data-state', 'paused')
  await page.getByRole('button', { name: `Resume ${follower}`, exact: true }).click()
  await expect(page.locator(`[data-server="${follower}"]`)).toHaveAttribute('data-state', 'running')
  await setTheme(page, 'dark')
  await page.locator('.cluster-panel').screenshot({ path: `${SHOTS}/ensemble-dark.png` })

  expect(errors, 'errors in the page console').toEqual([])
})

test('ZooKeeper ensemble of 3: isolate the leader, the cut is listed, a new leader in a new epoch, heal', async ({
  page,
  lab,
}) => {
  test.setTimeout(180_000)
  mkdirSync(SHOTS, { recursive: true })
  const errors = collectPageErrors(page)
  await page.goto(lab.url)
  await expect(page.getByRole('status', { name: /Lab connection: connected/ })).toBeVisible()
  await page.getByLabel('ZooKeeper set-up').selectOption({ label: 'Ensemble of 3' })
  await page.getByRole('button', { name: 'Start ZooKeeper' }).click()
  const quorum = page.getByTestId('zk-quorum')
  await expect(quorum).toHaveText('quorum 3/3', { timeout: 120_000 })
  const leaderTag = page.getByTestId('zk-leader')
  await expect(leaderTag).toHaveText(/^leader zk-[123] · epoch \d+$/, { timeout: 60_000 })
  const [, leader, epoch] = /leader (zk-\d) · epoch (\d+)/.exec((await leaderTag.textContent()) ?? '')!

  await page.getByRole('button', { name: `Isolate ${leader}`, exact: true }).click()
  const cuts = page.getByTestId('zk-cuts')
  await expect(cuts.getByRole('listitem')).toHaveCount(2)
  await expect(cuts).toContainText(`${leader} ✕ zk-`)
  await expect(cuts).toContainText('(both ways)')
  // The two others elect a leader among themselves, in a later epoch.
  await expect
    .poll(
      async () => {
        const m = /leader (zk-\d) · epoch (\d+)/.exec((await leaderTag.textContent()) ?? '')
        return m !== null && m[1] !== leader && Number(m[2]) > Number(epoch)
      },
      { timeout: 90_000 },
    )
    .toBe(true)
  await expect(quorum).toHaveText('quorum 2/3')
  await dismissToasts(page)
  await page.getByRole('region', { name: 'ZooKeeper' }).screenshot({ path: `${SHOTS}/ensemble-cut-light.png` })

  await page.getByRole('button', { name: 'Heal links between servers' }).click()
  await expect(cuts).toHaveCount(0)
  await expect(quorum).toHaveText('quorum 3/3', { timeout: 60_000 })
  expect(errors, 'errors in the page console').toEqual([])
})
