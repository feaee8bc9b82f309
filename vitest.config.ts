import { defineConfig } from 'vitest/config'

// Integration tests start real ZooKeeper servers and real processes: on a 2-core machine they run
// one file at a time, with timeouts that a loaded machine can keep.
export default defineConfig({
  test: {
    include: ['test/unit/**/*.test.ts', 'test/integration/**/*.test.ts'],
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    reporters: ['default', './test/summary-reporter.ts'],
    globalSetup: ['./test/leftover-processes.ts'],
  },
})
