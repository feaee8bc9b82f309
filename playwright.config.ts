import { defineConfig } from '@playwright/test'
import { HEADLESS_CHROMIUM_ARGS } from './src/core/report/chromium-args.js'

/**
 * End-to-end tests: browser mode (`zklab serve`) driven through Debian's Chromium, with a real
 * ZooKeeper and real workers. Run `npm run build` first; browsers are never downloaded here.
 */
export default defineConfig({
  testDir: 'test/e2e',
  outputDir: 'test-results/playwright',
  // One lab at a time: each starts a JVM and several Node processes on a 2-core machine.
  workers: 1,
  fullyParallel: false,
  timeout: 240_000,
  expect: { timeout: 30_000 },
  reporter: [['list']],
  use: {
    viewport: { width: 1600, height: 1000 },
    screenshot: 'only-on-failure',
    trace: 'retain-on-failure',
    actionTimeout: 30_000,
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: HEADLESS_CHROMIUM_ARGS,
    },
  },
})
