/** Chromium as the lab drives it headless (report PDFs, the browser-mode tests, the bench): no sandbox
 * (containers and CI runners have no user namespaces), no GPU, nothing fetched in the background. */
export const HEADLESS_CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
]
