/**
 * First run on a machine without ZooKeeper: the lab's discovery is pointed at an empty folder
 * (ZKLAB_DEBIAN_JAVA_DIR), Quick start is clicked, and the set-up panel names what is missing and the
 * command that installs it; "Check again" looks again (still missing here). No ZooKeeper runs.
 *
 *   npm run build && npx playwright test test/e2e/browser-setup.spec.ts
 *
 * A screenshot of the panel goes to test-results/screenshots/setup-panel.png.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect, test } from './browser-lab.js'
import { collectPageErrors, SHOTS } from './page-helpers.js'

const noZooKeeper = mkdtempSync(join(tmpdir(), 'zklab-no-zookeeper-'))
test.afterAll(() => rmSync(noZooKeeper, { recursive: true, force: true }))
test.use({ labEnv: { ZKLAB_DEBIAN_JAVA_DIR: noZooKeeper, ZOOKEEPER_HOME: '' } })

test('quick start without ZooKeeper shows the set-up panel with the install command', async ({ page, lab }) => {
  mkdirSync(SHOTS, { recursive: true })
  const errors = collectPageErrors(page)
  await page.goto(lab.url)
  await expect(page.getByRole('status', { name: /Lab connection: connected/ })).toBeVisible()

  await page.getByRole('button', { name: 'Quick start' }).click()
  const panel = page.getByTestId('setup-panel')
  await expect(panel).toBeVisible({ timeout: 30_000 })
  await expect(panel.getByRole('heading')).toHaveText('Set-up needed: ZooKeeper not found')
  await expect(panel).toContainText(join(noZooKeeper, 'zookeeper.jar'))
  await expect(page.getByTestId('setup-command')).toContainText(/apt-get install -y zookeeper$/)
  // The panel says it; no error toast repeats it, and Quick start did not go on to publish a task.
  await expect(page.getByRole('button', { name: 'Dismiss notification' })).toHaveCount(0)
  await expect(page.getByRole('article', { name: 'Task task01' })).toHaveCount(0)
  await panel.screenshot({ path: `${SHOTS}/setup-panel.png` })
  await page.screenshot({ path: `${SHOTS}/setup-app.png` })

  await panel.getByRole('button', { name: 'Check again' }).click()
  await expect(panel.getByRole('button', { name: 'Check again' })).toBeEnabled()
  await expect(page.getByTestId('setup-command')).toContainText('zookeeper')

  // The ZooKeeper section's Start says the same.
  await page.getByRole('button', { name: 'Start ZooKeeper' }).click()
  await expect(panel).toBeVisible({ timeout: 30_000 })
  expect(errors).toEqual([])
})
