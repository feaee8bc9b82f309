/**
 * The binlog workload by hand in browser mode: ZooKeeper, then the MariaDB source from its panel, a
 * binlog task with two recipe workers, the source's GTID advancing and the backup's position next
 * to it, a restart from the panel's button (a new pid, the GTID going on), then the session closed
 * and graded: the Binlog backups table with backup-integrity ok, and the lag chart. Real ZooKeeper,
 * real MariaDB (a private instance in the session folder), real workers.
 *
 *   npm run build && npx playwright test test/e2e/browser-binlog.spec.ts
 *
 * Screenshots go to test-results/screenshots/ (binlog-*.png).
 */
import { mkdirSync } from 'node:fs'
import type { Locator, Page } from '@playwright/test'
import { parseGtid } from '../../src/shared/binlog.js'
import { findMariaDb } from '../../src/core/mariadb/installation.js'
import { expect, test } from './browser-lab.js'
import { collectPageErrors, dismissToasts, openTab, SHOTS } from './page-helpers.js'

/** The value of a labelled fact (`port`, `pid`, `lastCommit`…) in a row. */
const fact = (scope: Locator, label: string) =>
  scope
    .locator('.fact')
    .filter({ has: scope.page().locator(`dt:text-is("${label}")`) })
    .locator('dd')

async function gtidSeq(page: Page): Promise<number> {
  return parseGtid((await page.getByTestId('source-gtid').textContent()) ?? '')?.seq ?? 0
}

test('binlog by hand: the source panel, a restart from its button, then backup-integrity and the lag chart', async ({
  page,
  lab,
}) => {
  // npm test installs MariaDB (ensure-zookeeper --with-mariadb): a missing one fails here, naming the fix.
  findMariaDb()
  test.setTimeout(120_000)
  mkdirSync(SHOTS, { recursive: true })
  const errors = collectPageErrors(page)
  await page.goto(lab.url)
  await expect(page.getByRole('status', { name: /Lab connection: connected/ })).toBeVisible()
  const panel = page.getByTestId('source-panel')
  const row = page.getByTestId('source-row')

  await test.step('the experiments view offers the bundled binlog scenarios, marked binlog', async () => {
    await openTab(page, 'Experiments')
    const scenario = page
      .getByRole('table', { name: 'Bundled scenarios' })
      .locator('[data-scenario="binlog-source-restart"]')
    await expect(scenario).toContainText('binlog')
    await expect(scenario).toContainText('recipe')
  })

  await test.step('ZooKeeper, then the source from its panel', async () => {
    await expect(panel).toHaveCount(0)
    await page.getByRole('button', { name: 'Start ZooKeeper' }).click()
    await expect(page.locator('[data-server="zk-1"]')).toHaveAttribute('data-state', 'running', { timeout: 60_000 })
    // The rate is checked against the API's own bounds before anything is sent.
    await panel.getByLabel('rate').fill('-1')
    await expect(panel.getByRole('button', { name: 'Start source' })).toBeDisabled()
    await expect(panel.getByRole('alert')).toContainText('rate')
    await panel.getByLabel('rate').fill('40')
    await panel.getByRole('button', { name: 'Start source' }).click()
    await expect(row).toHaveAttribute('data-state', 'running', { timeout: 60_000 })
    await expect(page.getByTestId('source-state')).toHaveText('running')
    await expect(fact(row, 'port')).toHaveText(/^\d+$/)
  })

  await test.step('a binlog task: the GTID advances and the backup follows it', async () => {
    await page.getByLabel('Task name').fill('task01')
    await page.getByRole('button', { name: 'Publish task' }).click()
    const task = page.getByRole('article', { name: 'Task task01' })
    await task.getByLabel('workers', { exact: true }).fill('2')
    await task.getByLabel('Strategy').selectOption('recipe')
    await task.getByLabel('Workload').selectOption('binlog')
    await page.getByRole('button', { name: 'Add workers to task01' }).click()
    await expect(page.getByTestId('primary-count-task01')).toContainText('primary #', { timeout: 60_000 })
    await expect(page.getByTestId('source-rate')).toHaveText('40 tx/s', { timeout: 30_000 })
    const first = await gtidSeq(page)
    await expect.poll(() => gtidSeq(page), { timeout: 30_000 }).toBeGreaterThan(first)
    const backup = page.getByTestId('backup-task01')
    await expect(fact(backup, 'lastCommit')).toHaveText(/^0-1-\d+$/, { timeout: 30_000 })
    await expect(fact(backup, 'written')).toHaveText(/^0-1-\d+$/)
    await expect(page.getByTestId('backup-behind-task01')).toHaveText(/^\d+ behind$/)
    await expect(fact(row, 'committed')).toHaveText(/^[1-9]\d*$/)
    await expect(task).toContainText(/lastCommit 0-1-\d+/)
  })

  await test.step('restart from the panel: running again with a new pid, the GTID going on', async () => {
    const pid = await fact(row, 'pid').textContent()
    expect(pid).toMatch(/^\d+$/)
    const before = await gtidSeq(page)
    await page.getByRole('button', { name: 'Restart the MariaDB source' }).click()
    await expect(fact(row, 'pid')).not.toHaveText(pid!, { timeout: 30_000 })
    await expect(fact(row, 'pid')).toHaveText(/^\d+$/)
    await expect(row).toHaveAttribute('data-state', 'running')
    await expect.poll(() => gtidSeq(page), { timeout: 30_000 }).toBeGreaterThan(before)
    await panel.getByRole('button', { name: 'Burst of extra transactions' }).click()
    const afterRestart = await gtidSeq(page)
    // The backup catches up past the restart: lastCommit moves beyond where the source was before it.
    await expect
      .poll(
        async () =>
          parseGtid((await fact(page.getByTestId('backup-task01'), 'lastCommit').textContent()) ?? '')?.seq ?? 0,
        {
          timeout: 30_000,
        },
      )
      .toBeGreaterThan(before)
    expect(afterRestart).toBeGreaterThan(before)
    await dismissToasts(page)
    await openTab(page, 'Leadership timeline')
    await page.screenshot({ path: `${SHOTS}/binlog-running.png` })
  })

  await test.step('closed and graded: Binlog backups with backup-integrity ok, and the lag chart', async () => {
    await openTab(page, 'Verdicts')
    await page.getByRole('button', { name: 'Close session and grade' }).click()
    await expect(page.getByTestId('verdicts-ok')).toBeVisible({ timeout: 60_000 })
    await expect(page.locator('[data-testid="verdict-row"][data-invariant="backup-integrity"]')).toHaveAttribute(
      'data-ok',
      'true',
    )
    const backups = page.getByRole('table', { name: 'Binlog backups' })
    await expect(backups.getByTestId('backup-row')).toHaveAttribute('data-state', 'ok')
    await expect(backups).toContainText(/0-1-\d+/)
    await expect(row).toHaveAttribute('data-state', 'stopped')
    await expect(page.getByTestId('source-rate')).toContainText('(stopped)')
    await openTab(page, 'Leadership timeline')
    await expect(page.getByTestId('backup-lag-chart')).toBeVisible()
    await dismissToasts(page)
    await page.screenshot({ path: `${SHOTS}/binlog-graded.png` })
  })
  expect(errors).toEqual([])
})
