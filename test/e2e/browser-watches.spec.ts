/**
 * The Watches view in browser mode: one task of four `seed` workers, one of four `recipe` workers, on
 * a real ZooKeeper. The seed's three standbys all watch `instance` (child watches, inferred: ZooKeeper
 * 3.8 does not list them); the recipe's three standbys each watch their predecessor's node.
 *
 *   npm run build && npx playwright test test/e2e/browser-watches.spec.ts
 *
 * Screenshots: watches-seed.png and watches-recipe.png in the temporary folder, the whole view in
 * test-results/screenshots/watches.png.
 */
import { mkdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Page } from '@playwright/test'
import { expect, test } from './browser-lab.js'
import { collectPageErrors, dismissToasts, SHOTS } from './page-helpers.js'

const TASKS = '/customBackUp/tasks'

async function addWorkers(page: Page, task: string, strategy: 'seed' | 'recipe') {
  await page.getByLabel('Task name').fill(task)
  await page.getByRole('button', { name: 'Publish task' }).click()
  const card = page.getByRole('article', { name: `Task ${task}` })
  await expect(card).toBeVisible()
  await page.locator(`#count-${task}`).fill('4')
  await expect(page.locator(`#strategy-${task}`)).toHaveAttribute('data-strategies', 'listed')
  await page.locator(`#strategy-${task}`).selectOption(strategy)
  await page.getByRole('button', { name: `Add workers to ${task}` }).click()
}

test('the Watches view: the seed fans in on instance, the recipe chains predecessors', async ({ page, lab }) => {
  mkdirSync(SHOTS, { recursive: true })
  const errors = collectPageErrors(page)
  await page.goto(lab.url)
  await expect(page.getByRole('status', { name: /Lab connection: connected/ })).toBeVisible()

  await page.getByRole('button', { name: 'Start ZooKeeper' }).click()
  await expect(page.locator('[data-server="zk-1"]')).toHaveAttribute('data-state', 'running', { timeout: 60_000 })
  await addWorkers(page, 'seed01', 'seed')
  await addWorkers(page, 'recipe01', 'recipe')
  for (const task of ['seed01', 'recipe01']) {
    await expect(page.locator(`[data-worker^="worker-${task}-"][data-role="primary"]`)).toHaveCount(1, {
      timeout: 60_000,
    })
    await expect(page.locator(`[data-worker^="worker-${task}-"][data-role="standby"]`)).toHaveCount(3, {
      timeout: 60_000,
    })
  }

  await page.getByRole('tab', { name: 'Watches', exact: true }).click()
  const seed = page.locator('[data-task-graph="seed01"]')
  const recipe = page.locator('[data-task-graph="recipe01"]')

  await test.step('seed: three inferred child watches on instance', async () => {
    const instance = `${TASKS}/seed01/instance`
    await expect(seed.locator(`[data-watch-path="${instance}"]`)).toHaveAttribute('data-count', '3', {
      timeout: 30_000,
    })
    await expect(seed.locator(`[data-watch-edge="child"][data-inferred][data-path="${instance}"]`)).toHaveCount(3)
  })

  await test.step("recipe: three standbys, each on its predecessor's node", async () => {
    const predecessors = recipe.locator(
      `[data-watch-edge="data"]:not([data-own])[data-path^="${TASKS}/recipe01/instance/"]`,
    )
    await expect(predecessors).toHaveCount(3, { timeout: 30_000 })
    // Three different nodes: a chain, not a fan-in.
    const paths = new Set(await predecessors.evaluateAll((els) => els.map((e) => e.getAttribute('data-path'))))
    expect(paths.size).toBe(3)
  })

  await test.step('the sessions table lists every worker', async () => {
    const table = page.getByRole('table', { name: 'ZooKeeper sessions' })
    await expect(table.locator('tr[data-worker^="worker-seed01-"]')).toHaveCount(4, { timeout: 30_000 })
    await expect(table.locator('tr[data-worker^="worker-recipe01-"]')).toHaveCount(4)
  })

  await dismissToasts(page)
  await expect(page.getByText('child watches inferred from roles: ZooKeeper does not list them')).toBeVisible()
  await seed.screenshot({ path: join(tmpdir(), 'watches-seed.png') })
  await recipe.screenshot({ path: join(tmpdir(), 'watches-recipe.png') })
  await page.locator('.view').screenshot({ path: `${SHOTS}/watches.png` })
  expect(errors).toEqual([])
})
