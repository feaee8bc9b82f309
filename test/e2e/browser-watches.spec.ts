/**
 * The Watches view in browser mode: one task of five `seed` workers, one of five `recipe` workers, on
 * a real ZooKeeper. The seed's four standbys all watch `instance` (child watches, inferred: ZooKeeper
 * 3.8 does not list them); the recipe's four standbys each watch their predecessor's node.
 *
 *   npm run build && npx playwright test test/e2e/browser-watches.spec.ts
 *
 * Screenshots in test-results/screenshots: watches-seed.png, watches-recipe.png (each task's graph)
 * and watches.png (the whole view). With UPDATE_DOCS_IMAGES=1 the two graphs are also written to
 * docs/images/, where the README shows them.
 */
import { copyFileSync, mkdirSync } from 'node:fs'
import type { Page } from '@playwright/test'
import { expect, test } from './browser-lab.js'
import { collectPageErrors, dismissToasts, SHOTS } from './page-helpers.js'

const TASKS = '/customBackUp/tasks'
const WORKERS = 5
const STANDBYS = WORKERS - 1

async function addWorkers(page: Page, task: string, strategy: 'seed' | 'recipe') {
  await page.getByLabel('Task name').fill(task)
  await page.getByRole('button', { name: 'Publish task' }).click()
  const card = page.getByRole('article', { name: `Task ${task}` })
  await expect(card).toBeVisible()
  await page.locator(`#count-${task}`).fill(String(WORKERS))
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
    await expect(page.locator(`[data-worker^="worker-${task}-"][data-role="standby"]`)).toHaveCount(STANDBYS, {
      timeout: 60_000,
    })
  }

  await page.getByRole('tab', { name: 'Watches', exact: true }).click()
  const seed = page.locator('[data-task-graph="seed01"]')
  const recipe = page.locator('[data-task-graph="recipe01"]')

  await test.step('seed: every standby fans in on instance with an inferred child watch', async () => {
    const instance = `${TASKS}/seed01/instance`
    await expect(seed.locator(`[data-watch-path="${instance}"]`)).toHaveAttribute('data-count', String(STANDBYS), {
      timeout: 30_000,
    })
    const fanIn = seed.locator(`[data-watch-edge="child"][data-inferred][data-path="${instance}"]`)
    await expect(fanIn).toHaveCount(STANDBYS)
    // One edge per standby, none from the primary.
    const from = new Set(await fanIn.evaluateAll((els) => els.map((e) => e.getAttribute('data-worker'))))
    expect(from.size).toBe(STANDBYS)
    // No predecessor chain in the seed: nobody watches another worker's node.
    await expect(seed.locator(`[data-watch-edge="data"]:not([data-own])[data-path^="${instance}/"]`)).toHaveCount(0)
  })

  await test.step("recipe: every standby on its predecessor's node, a chain", async () => {
    const instance = `${TASKS}/recipe01/instance`
    const predecessors = recipe.locator(`[data-watch-edge="data"]:not([data-own])[data-path^="${instance}/"]`)
    await expect(predecessors).toHaveCount(STANDBYS, { timeout: 30_000 })
    // Four different nodes from four different workers: a chain, not a fan-in.
    const edges = await predecessors.evaluateAll((els) =>
      els.map((e) => [e.getAttribute('data-worker'), e.getAttribute('data-path')]),
    )
    expect(new Set(edges.map(([, path]) => path)).size).toBe(STANDBYS)
    expect(new Set(edges.map(([worker]) => worker)).size).toBe(STANDBYS)
    // No standby waits on the whole list (the seed's herd): the recipe's primary alone keeps a child watch.
    await expect(recipe.locator(`[data-watch-edge="child"][data-path="${instance}"]`)).toHaveCount(1)
  })

  await test.step('the sessions table lists every worker', async () => {
    const table = page.getByRole('table', { name: 'ZooKeeper sessions' })
    await expect(table.locator('tr[data-worker^="worker-seed01-"]')).toHaveCount(WORKERS, { timeout: 30_000 })
    await expect(table.locator('tr[data-worker^="worker-recipe01-"]')).toHaveCount(WORKERS)
    // Each worker's session owns its election node, as the observer's tree has it.
    for (const task of ['seed01', 'recipe01'])
      await expect(
        table.locator(`tr[data-worker^="worker-${task}-"]`).filter({ hasText: /server_\d+_…\d+/ }),
      ).toHaveCount(WORKERS)
  })

  await dismissToasts(page)
  await expect(page.getByText('child watches inferred from roles: ZooKeeper does not list them')).toBeVisible()
  await seed.screenshot({ path: `${SHOTS}/watches-seed.png` })
  await recipe.screenshot({ path: `${SHOTS}/watches-recipe.png` })
  await page.locator('.view').screenshot({ path: `${SHOTS}/watches.png` })
  if (process.env.UPDATE_DOCS_IMAGES === '1')
    for (const name of ['watches-seed.png', 'watches-recipe.png'])
      copyFileSync(`${SHOTS}/${name}`, `docs/images/${name}`)
  expect(errors).toEqual([])
})
