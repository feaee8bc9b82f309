/**
 * `zklab strategies` and `--strategy <peer>` as a user meets them: the real command, no ZooKeeper.
 * A peer whose toolchain is missing here is refused before anything starts, with its install command.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { Strategy } from '../../src/shared/api.js'
import { zklab } from './helpers/zklab-cli.js'

describe('zklab strategies', () => {
  const dir = mkdtempSync(join(tmpdir(), 'zklab-cli-strategies-'))
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  it('lists every strategy with its kind, and a peer that cannot run with what installs it', async () => {
    const run = await zklab(['strategies'])
    expect(run.code).toBe(0)
    const lines = run.stdout.split('\n').filter((l) => /^\S/.test(l))
    expect(lines.map((l) => l.split(/\s+/)[0])).toEqual(Strategy.options)
    expect(lines.filter((l) => / lab +available$/.test(l)).map((l) => l.split(' ')[0])).toEqual(['seed', 'recipe'])
    for (const line of lines.filter((l) => / peer /.test(l)))
      expect(line).toMatch(/ peer {2}(available|not available: .+; install with: .+)$/)
  })

  it('offers the peers to --strategy', async () => {
    const help = await zklab(['run', '--help'])
    expect(help.code).toBe(0)
    for (const s of Strategy.options) expect(help.stdout.replace(/\s+/g, ' ')).toContain(`"${s}"`)
  })

  it('refuses a peer whose toolchain is missing with exit code 2 and the install command, starting nothing', async () => {
    const listed = await zklab(['strategies'])
    const missing = /^(\S+) +peer {2}not available: .+; install with: (.+)$/m.exec(listed.stdout)
    // With every peer installed there is nothing to refuse: the peers' own tests run them.
    if (!missing) return
    const [, peer, install] = missing
    const sessionsDir = join(dir, 'sessions')
    const run = await zklab(['run', 'kill-primary', '--strategy', peer, '--sessions-dir', sessionsDir], {
      timeoutMs: 60_000,
    })
    expect(run.code).toBe(2)
    expect(run.stderr).toContain(`zklab: The ${peer} strategy cannot run here`)
    expect(run.stderr).toContain(`Install it with: ${install}`)
    expect(existsSync(sessionsDir)).toBe(false)
  })
})
