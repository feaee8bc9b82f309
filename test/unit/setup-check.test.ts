/**
 * The first-run set-up: on a machine with neither Java nor ZooKeeper (discovery pointed at empty
 * folders) it names both, hands both packages to the installer, and checks again; an installer that
 * cannot run leaves the command to type. The installer here records what it was asked for and plays
 * apt by writing a fake `java` and a ZooKeeper layout where the discovery looks.
 */
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { ensureSetup, packagesFor, zookeeperSetup, type Installer } from '../../src/core/setup/index.js'
import type { DiscoveryOptions } from '../../src/core/zookeeper/distribution.js'

const root = mkdtempSync(join(tmpdir(), 'zklab-setup-'))
afterAll(() => rmSync(root, { recursive: true, force: true }))

/** A machine of its own per test: an empty PATH folder, an empty Debian folder, one Homebrew place. */
function emptyMachine(name: string): { discovery: DiscoveryOptions; bin: string; brew: string } {
  const bin = join(root, name, 'bin')
  const debian = join(root, name, 'share-java')
  const brew = join(root, name, 'brew')
  mkdirSync(bin, { recursive: true })
  mkdirSync(debian, { recursive: true })
  return { discovery: { env: { PATH: bin }, debianJavaDir: debian, homebrewPaths: [brew] }, bin, brew }
}

/** Records each call; "installs" by creating what the discovery looks for. */
function recordingInstaller(machine: { bin: string; brew: string }, unavailable?: string) {
  const calls: string[][] = []
  const installer: Installer = {
    name: 'fake installer',
    unavailable: () => unavailable,
    install(packages) {
      calls.push(packages)
      if (packages.includes('default-jre-headless')) {
        writeFileSync(join(machine.bin, 'java'), `#!/bin/sh\necho 'openjdk version "17.0.9" 2023-10-17' >&2\n`)
        chmodSync(join(machine.bin, 'java'), 0o755)
      }
      if (packages.includes('zookeeper')) {
        mkdirSync(join(machine.brew, 'lib'), { recursive: true })
        writeFileSync(join(machine.brew, 'lib', 'zookeeper-3.8.4.jar'), '')
      }
      return Promise.resolve()
    },
  }
  return { installer, calls }
}

describe('first-run set-up', () => {
  it('names what is missing and installs it', async () => {
    const machine = emptyMachine('bare')
    const { installer, calls } = recordingInstaller(machine)
    const lines: string[] = []
    const result = await ensureSetup({ discovery: machine.discovery, installer, log: (l) => lines.push(l) })
    expect(calls).toEqual([['default-jre-headless', 'zookeeper']])
    expect(lines.join('\n')).toContain('installing default-jre-headless zookeeper (fake installer)')
    expect(result).toMatchObject({ ok: true, installed: ['default-jre-headless', 'zookeeper'] })
    expect(result.check.java).toMatchObject({ major: 17 })
    expect(result.check.zookeeper).toMatchObject({ version: '3.8.4', kind: 'homebrew' })
  })

  it('installs only what is missing', async () => {
    const machine = emptyMachine('java-only')
    await recordingInstaller(machine).installer.install(['default-jre-headless'], () => {})
    const { installer, calls } = recordingInstaller(machine)
    expect((await ensureSetup({ discovery: machine.discovery, installer })).ok).toBe(true)
    expect(calls).toEqual([['zookeeper']])
  })

  it('says what to type when it cannot install, and the lab reports the same', async () => {
    const machine = emptyMachine('no-root')
    const { installer, calls } = recordingInstaller(machine, 'not root and sudo -n is not available')
    const result = await ensureSetup({ discovery: machine.discovery, installer })
    expect(calls).toEqual([])
    expect(result.ok).toBe(false)
    expect(result.reason).toBe('not root and sudo -n is not available')
    expect(result.check.problems.map((p) => p.what).sort()).toEqual(['java', 'zookeeper'])
    expect(result.install).toContain('default-jre-headless zookeeper')

    const status = await zookeeperSetup(machine.discovery)
    expect(status.ok).toBe(false)
    if (status.ok) return
    expect(status.missing.sort()).toEqual(['java', 'zookeeper'])
    expect(status.install).toBe(result.install)
    expect(status.problems.join('\n')).toContain(join(root, 'no-root', 'share-java', 'zookeeper.jar'))

    // --no-install: nothing is asked of the installer either.
    const report = await ensureSetup({ discovery: machine.discovery, installer, mayInstall: false })
    expect(report).toMatchObject({ ok: false, reason: '--no-install given: nothing was installed.' })
    expect(calls).toEqual([])
  })

  it('installs no package for a ZOOKEEPER_HOME that holds no ZooKeeper', () => {
    const problem = { what: 'zookeeper' as const, message: 'ZooKeeper not found in ZOOKEEPER_HOME=/x' }
    expect(packagesFor([problem], { ZOOKEEPER_HOME: '/x' })).toEqual([])
    expect(packagesFor([problem], {})).toEqual(['zookeeper'])
  })
})
