/**
 * The lab in browser mode, used as a person would: start ZooKeeper, publish a task, start three
 * workers, kill the primary from its button and watch the takeover in the cluster panel, the znode
 * tree, the timeline and the logs. Real ZooKeeper, real worker processes.
 *
 *   npm run build && npx playwright test test/e2e/browser-failover.spec.ts
 *
 * Screenshots of every panel, in both themes, go to test-results/screenshots/.
 */
import { mkdirSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import type { Page } from '@playwright/test'
import { expect, test } from './browser-lab.js'
import { collectPageErrors, openTab, setTheme, SHOTS } from './page-helpers.js'

const LIVE_PRIMARY = '[data-worker][data-role="primary"][data-status="running"]'
const INSTANCE = '/customBackUp/tasks/task01/instance'

async function screenshotPanels(page: Page, theme: 'light' | 'dark') {
  await setTheme(page, theme)
  await page.locator('.cluster-panel').screenshot({ path: `${SHOTS}/cluster-${theme}.png` })
  await openTab(page, 'Znode tree')
  await page.locator('.view').screenshot({ path: `${SHOTS}/tree-${theme}.png` })
  await openTab(page, 'Logs')
  await page.locator('.view').screenshot({ path: `${SHOTS}/logs-${theme}.png` })
  await openTab(page, 'Leadership timeline')
  // Let ECharts draw with the new palette.
  await page.waitForTimeout(1200)
  await page.locator('.view').screenshot({ path: `${SHOTS}/timeline-${theme}.png` })
  await page.screenshot({ path: `${SHOTS}/app-${theme}.png` })
}

test('kill the primary: a standby takes over, and every panel shows it', async ({ page, lab }) => {
  mkdirSync(SHOTS, { recursive: true })
  const errors = collectPageErrors(page)

  await page.goto(lab.url)
  await expect(page).toHaveTitle('ZooKeeper Failover Lab')
  await expect(page.getByRole('status', { name: /Lab connection: connected/ })).toBeVisible()
  await expect(page.getByTestId('session-dir')).toContainText(lab.sessionsDir)

  // Nothing runs yet: publishing says why, in the form.
  await page.getByLabel('Task name').fill('task01')
  await page.getByRole('button', { name: 'Publish task' }).click()
  await expect(page.locator('#publish-error')).toContainText(/ZooKeeper is not started/)

  await test.step('start ZooKeeper', async () => {
    await expect(page.locator('#zk-tick-help')).toContainText('1000–10000 ms')
    await page.locator('section[aria-labelledby="zk-title"]').screenshot({ path: `${SHOTS}/zookeeper-start.png` })
    await page.getByRole('button', { name: 'Start ZooKeeper' }).click()
    await expect(page.locator('[data-server="zk-1"]')).toHaveAttribute('data-state', 'running', { timeout: 60_000 })
    await expect(page.getByRole('button', { name: 'Kill zk-1' })).toBeVisible()
    await expect(page.getByTestId('zk-tick-time')).toHaveText('tick 500 ms')
  })

  await test.step('publish task01, with the API validation error shown first', async () => {
    await page.getByLabel('Task name').fill('bad/name')
    await page.getByRole('button', { name: 'Publish task' }).click()
    await expect(page.locator('#publish-error')).toContainText('must not contain "/"')
    await page.getByLabel('Task name').fill('task01')
    await page.getByRole('button', { name: 'Publish task' }).click()
    await expect(page.getByRole('article', { name: 'Task task01' })).toBeVisible()
    await expect(page.locator('#publish-error')).toHaveCount(0)
  })

  await test.step('start three workers: exactly one primary', async () => {
    await page.getByLabel('workers', { exact: true }).fill('3')
    // A timeout ZooKeeper would not grant with its 500 ms tick is refused in the form, with the range.
    await page.getByLabel('session timeout').fill('12000')
    await expect(page.getByRole('alert').filter({ hasText: '1000–10000 ms' })).toBeVisible()
    await expect(page.getByRole('button', { name: 'Add workers to task01' })).toBeDisabled()
    await page.getByRole('article', { name: 'Task task01' }).screenshot({ path: `${SHOTS}/worker-form-refused.png` })
    await page.getByLabel('session timeout').fill('4000')
    await expect(page.getByTestId('timeout-task01-help')).toContainText('noticed 4000 to 4500 ms')
    await page.getByRole('button', { name: 'Add workers to task01' }).click()
    await expect(page.locator('[data-worker][data-status="running"]')).toHaveCount(3, { timeout: 60_000 })
    await expect(page.locator(LIVE_PRIMARY)).toHaveCount(1, { timeout: 60_000 })
    await expect(page.locator('[data-worker][data-role="standby"]')).toHaveCount(2, { timeout: 60_000 })
    await expect(page.getByTestId('primary-count-task01')).toContainText('primary #')
  })

  await test.step('the tree shows three ephemeral children under instance, each with its owner', async () => {
    await openTab(page, 'Znode tree')
    const instances = page.locator(`[role="treeitem"][data-parent="${INSTANCE}"]`)
    await expect(instances).toHaveCount(3)
    await expect(page.locator(`[role="treeitem"][data-parent="${INSTANCE}"][data-ephemeral="true"]`)).toHaveCount(3)
    for (const item of await instances.all()) await expect(item).toContainText(/ephemeral · worker-task01-\d/)
    await instances.first().click()
    const details = page.getByRole('complementary', { name: 'Znode details' })
    await expect(details).toContainText('ephemeralOwner')
    await expect(details).toContainText(/owned by\s*worker-task01-\d/)
    // lastCommit moves: the primary is working.
    await expect(page.locator('[data-path="/customBackUp/tasks/task01/lastCommit"]')).toContainText(/= [1-9]/, {
      timeout: 30_000,
    })
  })

  const oldPrimary = (await page.locator(LIVE_PRIMARY).getAttribute('data-worker'))!
  expect(oldPrimary).toMatch(/^worker-task01-\d$/)

  await test.step('kill the primary from its button; another worker becomes primary', async () => {
    await page.getByRole('button', { name: `Kill ${oldPrimary}` }).click()
    await expect(page.locator(`[data-worker="${oldPrimary}"]`)).toHaveAttribute('data-status', 'crashed')
    // Its session expires after the 4 s timeout; then a standby takes over.
    await expect
      .poll(async () => page.locator(LIVE_PRIMARY).getAttribute('data-worker'), { timeout: 60_000 })
      .toMatch(new RegExp(`^worker-task01-(?!${oldPrimary.slice(-1)}$)\\d$`))
    await expect(page.locator(LIVE_PRIMARY)).toHaveCount(1)
  })
  const newPrimary = (await page.locator(LIVE_PRIMARY).getAttribute('data-worker'))!

  await test.step("the killed primary's ephemeral node is gone once its session expired", async () => {
    await openTab(page, 'Znode tree')
    await expect(page.locator(`[role="treeitem"][data-parent="${INSTANCE}"]`)).toHaveCount(2)
    await expect(
      page.locator(`[role="treeitem"][data-parent="${INSTANCE}"]`).filter({ hasText: oldPrimary }),
    ).toHaveCount(0)
  })

  await test.step('the timeline lists the failover with its gap', async () => {
    await openTab(page, 'Leadership timeline')
    const row = page.getByTestId('failover-row')
    await expect(row).toHaveCount(1, { timeout: 60_000 })
    await expect(row).toContainText(oldPrimary)
    await expect(row).toContainText(newPrimary)
    await expect(row).toContainText('kill')
    await expect(row.locator('td').nth(6)).toHaveText(/^\d+(\.\d+)? (ms|s)$/)
    await expect(page.locator('.timeline-chart canvas').first()).toBeVisible()
    // Zooming stops following live time; the button brings it back.
    await page.locator('.timeline-chart').hover()
    await page.mouse.wheel(0, -400)
    await expect(page.getByRole('button', { name: /Back to live/ })).toBeVisible()
    await page.getByRole('button', { name: /Back to live/ }).click()
    await expect(page.getByRole('status').filter({ hasText: 'live' })).toBeVisible()
  })

  await test.step("the new primary's log has the line that says so, highlighted", async () => {
    await openTab(page, 'Logs')
    await page.getByRole('tab', { name: newPrimary, exact: true }).click()
    const log = page.getByRole('log', { name: `Log of ${newPrimary}` })
    await expect(log).toBeVisible()
    await page.getByLabel('Search logs').fill('role=primary')
    await expect(log.locator('mark').first()).toHaveText('role=primary')
    await expect(log.locator('.log-row').first()).toContainText('worker.role')
    // A regex, then an invalid one, which is reported as such.
    await page.getByRole('button', { name: 'Regular expression' }).click()
    await page.getByLabel('Search logs').fill('commit id=\\d+')
    await expect(log.locator('mark').first()).toHaveText(/^commit id=\d+$/)
    await page.getByLabel('Search logs').fill('commit id=(')
    await expect(page.getByRole('alert').filter({ hasText: 'Invalid regex' })).toBeVisible()
    await page.getByLabel('Search logs').fill('')
    await page.getByRole('button', { name: 'Regular expression' }).click()
  })

  await test.step('follow pauses when scrolled up and resumes from its button; export downloads what is shown', async () => {
    await page.getByRole('tab', { name: 'All processes' }).click()
    const log = page.getByRole('log', { name: 'All processes' })
    await expect(log.locator('.log-row').first()).toBeVisible()
    await log.evaluate((el) => el.scrollTo({ top: 0 }))
    const follow = page.getByRole('button', { name: /Follow/ })
    await expect(follow).toBeVisible()
    await follow.click()
    await expect(follow).toHaveCount(0)
    await expect.poll(() => log.evaluate((el) => el.scrollHeight - el.scrollTop - el.clientHeight)).toBeLessThan(40)

    await page.getByRole('tab', { name: newPrimary, exact: true }).click()
    const download = page.waitForEvent('download')
    await page.getByRole('button', { name: 'Export' }).click()
    const file = await download
    expect(file.suggestedFilename()).toBe(`${newPrimary}.log`)
    const text = await readFile(await file.path(), 'utf8')
    expect(text).toMatch(/^\d{4}-\d\d-\d\dT\S+Z INFO {2}worker\.started /m)
    expect(text).toContain('worker.role role=primary')
  })

  await test.step('screenshots of every panel, light and dark', async () => {
    await openTab(page, 'Logs')
    await page.getByRole('tab', { name: 'All processes' }).click()
    await openTab(page, 'Znode tree')
    await page
      .locator('[role="treeitem"]')
      .filter({ hasText: `ephemeral · ${newPrimary}` })
      .click()
    for (const dismiss of await page.getByRole('button', { name: 'Dismiss notification' }).all()) await dismiss.click()
    await screenshotPanels(page, 'light')
    await screenshotPanels(page, 'dark')
  })

  expect(errors, 'errors in the page console').toEqual([])
})
