/**
 * What the browser specs do to the app the same way: open a tab, switch the theme, clear toasts,
 * collect page errors, start a bundled scenario from the Experiments view.
 */
import type { Page } from '@playwright/test'
import { expect } from './browser-lab.js'

export const SHOTS = 'test-results/screenshots'

export type Tab = 'Znode tree' | 'Logs' | 'Leadership timeline' | 'Experiments' | 'Verdicts' | 'Library'

export async function openTab(page: Page, name: Tab): Promise<void> {
  await page.getByRole('tab', { name, exact: true }).click()
  await expect(page.getByRole('tab', { name, exact: true })).toHaveAttribute('aria-selected', 'true')
}

export async function setTheme(page: Page, theme: 'light' | 'dark'): Promise<void> {
  const toggle = page.getByRole('button', { name: `Switch to ${theme} theme` })
  if (await toggle.isVisible()) await toggle.click()
  await expect(page.locator('html')).toHaveAttribute('data-theme', theme)
}

export async function dismissToasts(page: Page): Promise<void> {
  for (const dismiss of await page.getByRole('button', { name: 'Dismiss notification' }).all())
    await dismiss.click().catch(() => {})
}

/** Uncaught errors and console errors of the page, gathered for a final "none" check. */
export function collectPageErrors(page: Page): string[] {
  const errors: string[] = []
  page.on('pageerror', (err) => errors.push(err.message))
  page.on('console', (msg) => {
    if (msg.type() === 'error') errors.push(msg.text())
  })
  return errors
}

/**
 * Starts a bundled scenario from the Experiments view with a strategy chip (`external…` needs its
 * command line typed first) and waits until its own session is open.
 */
export async function startScenario(
  page: Page,
  name: string,
  strategy: 'seed' | 'recipe' | 'external…',
): Promise<void> {
  await openTab(page, 'Experiments')
  await page.getByRole('radio', { name, exact: true }).check()
  await page.getByRole('radio', { name: strategy, exact: true }).click()
  await expect(page.getByRole('radio', { name: strategy, exact: true })).toHaveAttribute('aria-checked', 'true')
  const before = await page.getByTestId('session-dir').textContent()
  await page.getByRole('button', { name: `Run ${name}`, exact: true }).click()
  // A session of its own: the header moves to the new folder.
  await expect(page.getByTestId('session-dir')).not.toHaveText(before ?? '', { timeout: 60_000 })
  await expect(page.getByTestId('session-dir')).toContainText(name)
}
