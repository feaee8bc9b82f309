/**
 * The README's CI example, run as the workflow runs it: `zklab run kill-primary` against the minimal
 * Python worker in examples/worker, which must pass (exit 0: five SIGKILLed primaries, every invariant
 * kept, every sink record in place). A real ZooKeeper, the real program, about 40 s.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { zklab } from './helpers/zklab-cli.js'

const PYTHON = '/usr/bin/python3'
const hasKazoo = existsSync('/usr/lib/python3/dist-packages/kazoo')
const base = mkdtempSync(join(tmpdir(), 'zklab-example-worker-'))
afterAll(() => rmSync(base, { recursive: true, force: true }))

// Skipped where Debian's python3-kazoo is missing (npm run ensure-zookeeper -- --with-peers installs it).
describe.skipIf(!hasKazoo)('examples/worker/worker.py', () => {
  it('passes kill-primary, as the CI example runs it', { timeout: 240_000 }, async () => {
    const out = join(base, 'kill-primary')
    const run = await zklab(
      ['run', 'kill-primary', '--external', `${PYTHON} examples/worker/worker.py`, '--out', out],
      {
        timeoutMs: 200_000,
      },
    )
    expect(run.code, run.output.slice(-4000)).toBe(0)
    // Five takeovers, each by another worker, and the ids in the sink with none lost or doubled.
    const session = JSON.parse(readFileSync(join(out, 'session.json'), 'utf8')) as {
      result?: { failovers?: unknown[] }
    }
    expect(session.result?.failovers ?? []).toHaveLength(5)
    const ids = readFileSync(join(out, 'sinks', 'task01.log'), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => (JSON.parse(line) as { id: number }).id)
    expect(ids).toEqual(ids.map((_, i) => i + 1))
  })
})
