/**
 * External workers from the app, as a person grading their own failover program would use them: a
 * task card's `external…` choice runs a command line as the task's workers (placeholders and env
 * filled in per worker), its primary is killed from its button, then a bundled scenario is run
 * against the same program from the Experiments view and graded. Real ZooKeeper, real processes:
 * the program is test/fixtures/external-worker.sh.
 *
 *   npm run build && npx playwright test test/e2e/browser-external.spec.ts
 */
import { mkdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { expect, test } from './browser-lab.js'
import { collectPageErrors, dismissToasts, openTab, SHOTS, startScenario } from './page-helpers.js'

const PROGRAM = 'test/fixtures/external-worker.sh'
const LINE = `EXTRA=from-the-app ${PROGRAM} --label 'worker {workerId}'`
const LIVE_PRIMARY = '[data-worker][data-role="primary"][data-status="running"]'

test('external workers: add them from a task card, kill their primary, grade them with a bundled scenario', async ({
  page,
  lab,
}) => {
  test.setTimeout(300_000)
  mkdirSync(SHOTS, { recursive: true })
  const errors = collectPageErrors(page)
  await page.goto(lab.url)
  await expect(page.getByRole('status', { name: /Lab connection: connected/ })).toBeVisible()

  await test.step('start ZooKeeper and publish task01', async () => {
    await page.getByRole('button', { name: 'Start ZooKeeper' }).click()
    await expect(page.locator('[data-server="zk-1"]')).toHaveAttribute('data-state', 'running', { timeout: 60_000 })
    await page.getByLabel('Task name').fill('task01')
    await page.getByRole('button', { name: 'Publish task' }).click()
    await expect(page.getByRole('article', { name: 'Task task01' })).toBeVisible()
  })

  const add = page.getByRole('button', { name: 'Add workers to task01' })
  const field = page.getByLabel('Command line')
  const help = page.locator('#external-task01-help')

  await test.step('the picker offers the peers; one that cannot run here is greyed, naming its install command', async () => {
    const picker = page.getByLabel('Strategy')
    await expect(picker).toHaveAttribute('data-strategies', 'listed')
    for (const peer of ['seed-go', 'kazoo', 'curator']) {
      const option = picker.locator(`option[value="${peer}"]`)
      await expect(option).toHaveCount(1)
      // Available, or disabled with the problem and the install command as its hint (listStrategies).
      if (await option.isDisabled()) await expect(option).toHaveAttribute('title', /install with: \S/)
    }
    await expect(page.getByTestId('strategy-task01')).toHaveCount(0)
  })

  await test.step('a command line the lab cannot read is named, and Add waits for one it can', async () => {
    await page.getByLabel('Strategy').selectOption('external')
    await expect(field).toBeVisible()
    await expect(add).toBeDisabled()
    await field.fill(`${PROGRAM} 'worker`)
    await expect(help).toHaveText('a single quote is not closed')
    await expect(field).toHaveAttribute('aria-invalid', 'true')
    await expect(add).toBeDisabled()
    await field.fill(LINE)
    await expect(help).toContainText(`runs ${PROGRAM} with 2 arguments, env EXTRA`)
    await expect(help).toContainText('{connect}')
    await expect(add).toBeEnabled()
  })

  await test.step('three external workers: one primary, read off ZooKeeper', async () => {
    await page.getByLabel('workers', { exact: true }).fill('3')
    await add.click()
    await expect(page.locator('[data-worker][data-strategy="external"][data-status="running"]')).toHaveCount(3, {
      timeout: 60_000,
    })
    await expect(page.locator(LIVE_PRIMARY)).toHaveCount(1, { timeout: 60_000 })
    await expect(page.locator('[data-worker][data-role="standby"]')).toHaveCount(2, { timeout: 60_000 })
    await expect(page.locator('[data-worker="worker-task01-1"]')).toContainText('external')
    await expect(page.getByTestId('strategy-task01')).toHaveText('external')
    // Each worker got its own id and the env typed before the command, as the program itself says.
    const dir = (await page.getByTestId('session-dir').textContent())!.trim()
    const log = readFileSync(join(dir, 'logs', 'worker-task01-2.log'), 'utf8')
    expect(log).toContain('args=--label worker 2')
    expect(log).toContain('EXTRA=from-the-app')
    expect(log).toMatch(
      /connect=127\.0\.0\.1:\d+ root=\/customBackUp task=task01 taskPath=\/customBackUp\/tasks\/task01/,
    )
    await dismissToasts(page)
    await page.locator('.cluster-panel').screenshot({ path: `${SHOTS}/external-workers-light.png` })
  })

  await test.step('kill the primary from its button: a standby takes over once its session expired', async () => {
    const oldPrimary = (await page.locator(LIVE_PRIMARY).getAttribute('data-worker'))!
    await page.getByRole('button', { name: `Kill ${oldPrimary}` }).click()
    await expect(page.locator(`[data-worker="${oldPrimary}"]`)).toHaveAttribute('data-status', 'crashed')
    await expect
      .poll(async () => page.locator(LIVE_PRIMARY).getAttribute('data-worker'), { timeout: 60_000 })
      .toMatch(new RegExp(`^worker-task01-(?!${oldPrimary.slice(-1)}$)\\d$`))
    await openTab(page, 'Leadership timeline')
    await expect(page.getByTestId('failover-row')).toHaveCount(1, { timeout: 60_000 })
    await expect(page.getByTestId('failover-row')).toContainText(oldPrimary)
  })

  await test.step('stop-primary run against the same program: it passes, with no zombie write', async () => {
    await startScenario(page, 'stop-primary', 'external…')
    // The line typed in the task card is the one the run used, and the field shows it.
    await expect(page.locator('#scenario-external')).toHaveValue(LINE)
    const run = page.getByTestId('current-run')
    await expect(run).toContainText('strategy external', { timeout: 60_000 })
    // The run says which program it ran, as a command line that reads back the same.
    await expect(page.getByTestId('run-command')).toHaveText(
      `EXTRA=from-the-app ${PROGRAM} --label 'worker {workerId}'`,
    )
    await expect(run).toHaveAttribute('data-outcome', 'passed', { timeout: 180_000 })
    await expect(page.getByTestId('session-closed')).toBeVisible({ timeout: 60_000 })
    await openTab(page, 'Verdicts')
    await expect(page.locator('[data-testid="verdict-row"][data-invariant="zombie-write"]')).toHaveAttribute(
      'data-ok',
      'true',
    )
    await expect(page.locator('[data-testid="verdict-row"][data-invariant="single-primary"]')).toHaveAttribute(
      'data-ok',
      'true',
    )
    await expect(page.locator('[data-testid="verdict-row"][data-invariant="sink-integrity"]')).toHaveAttribute(
      'data-ok',
      'true',
    )
    // The program it ran: every worker of the new session is the external one.
    const dir = (await page.getByTestId('session-dir').textContent())!.trim()
    const spawned = readFileSync(join(dir, 'events.jsonl'), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map(
        (line) => JSON.parse(line) as { type: string; name?: string; command?: string; labels?: { strategy?: string } },
      )
      .filter((e) => e.type === 'process.spawned' && e.name?.startsWith('worker-'))
    expect(spawned.length).toBeGreaterThanOrEqual(3)
    for (const e of spawned) {
      expect(e.command).toBe(join(process.cwd(), PROGRAM))
      expect(e.labels?.strategy).toBe('external')
    }
    await dismissToasts(page)
    await openTab(page, 'Experiments')
    await page.locator('.view').screenshot({ path: `${SHOTS}/experiments-external-light.png` })
  })

  expect(errors).toEqual([])
})
