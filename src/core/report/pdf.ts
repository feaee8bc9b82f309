/**
 * report.pdf: the HTML report printed by a headless Chromium (the system's, never a downloaded
 * one). Every <details> is opened first, so the pages hold the evidence, not just its summary.
 */
import { accessSync, constants } from 'node:fs'
import { HEADLESS_CHROMIUM_ARGS } from './chromium-args.js'

export const DEFAULT_CHROMIUM = '/usr/bin/chromium'

/** Chromium is not there or would not start: the message names it and the fix. */
export class ChromiumError extends Error {}

export function chromiumPath(): string {
  return process.env.CHROMIUM_PATH || DEFAULT_CHROMIUM
}

export async function renderPdf(
  html: string,
  opts: { executablePath?: string; timeoutMs?: number; footer?: string } = {},
): Promise<Buffer> {
  const executablePath = opts.executablePath ?? chromiumPath()
  const fix = `install it (Debian/Ubuntu, as root: apt-get install chromium) or set CHROMIUM_PATH to a Chromium or Chrome binary`
  try {
    accessSync(executablePath, constants.X_OK)
  } catch {
    throw new ChromiumError(`Chromium not found at ${executablePath} (needed for report.pdf): ${fix}`)
  }
  let chromium: typeof import('playwright-core').chromium
  try {
    ;({ chromium } = await import('playwright-core'))
  } catch (err) {
    throw new ChromiumError(
      `playwright-core cannot be loaded (${(err as Error).message}): run npm install in the lab's folder`,
    )
  }
  const timeout = opts.timeoutMs ?? 120_000
  let browser: Awaited<ReturnType<typeof chromium.launch>>
  try {
    browser = await chromium.launch({
      executablePath,
      timeout,
      args: HEADLESS_CHROMIUM_ARGS,
    })
  } catch (err) {
    throw new ChromiumError(
      `Chromium at ${executablePath} did not start: ${firstLine((err as Error).message)}. If it is broken or not a Chromium, ${fix}`,
    )
  }
  try {
    const page = await browser.newPage()
    page.setDefaultTimeout(timeout)
    await page.setContent(html, { waitUntil: 'load', timeout })
    await page.emulateMedia({ media: 'print' })
    await page.evaluate("document.querySelectorAll('details').forEach((d) => { d.open = true })")
    const footer = `<div style="width:100%;font:8px system-ui,sans-serif;color:#64748b;padding:0 10mm;display:flex;justify-content:space-between"><span>${escapeHtml(opts.footer ?? '')}</span><span><span class="pageNumber"></span> / <span class="totalPages"></span></span></div>`
    return await page.pdf({
      format: 'A4',
      printBackground: true,
      preferCSSPageSize: true,
      displayHeaderFooter: true,
      headerTemplate: '<span></span>',
      footerTemplate: footer,
    })
  } finally {
    await browser.close().catch(() => {})
  }
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!)
}

function firstLine(text: string): string {
  return (
    text
      .split('\n')
      .find((l) => l.trim() !== '')
      ?.trim() ?? text
  )
}
