/**
 * scripts/ensure-zookeeper.ts as CI runs it, but with --no-install so a test never calls apt-get:
 * one line and exit 0 when all is there, and the missing pieces named with their fix otherwise.
 */
import { execFile } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'

const repo = join(import.meta.dirname, '..', '..')
const tsx = createRequire(import.meta.url).resolve('tsx/cli')
const empty = mkdtempSync(join(tmpdir(), 'zklab-ensure-'))
afterAll(() => rmSync(empty, { recursive: true, force: true }))

function run(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [tsx, join(repo, 'scripts', 'ensure-zookeeper.ts'), ...args],
      { env, cwd: repo, timeout: 60_000 },
      (err, stdout, stderr) => {
        resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr })
      },
    )
  })
}

describe('scripts/ensure-zookeeper.ts', () => {
  it.skipIf(!existsSync('/usr/share/java/zookeeper.jar'))(
    'prints one line and exits 0 when Java and ZooKeeper are there',
    async () => {
      const { ZOOKEEPER_HOME: _ignored, ...env } = process.env
      const result = await run(['--no-install'], env)
      expect(result.code).toBe(0)
      expect(result.stdout.trim().split('\n')).toHaveLength(1)
      expect(result.stdout).toMatch(
        /^ensure-zookeeper: ok: Java \S+ \(.+\), ZooKeeper \d+\.\d+\.\d+ \(debian: \/usr\/share\/java\/zookeeper\.jar\)/,
      )
    },
  )

  it('names what is missing and the command that installs it, exit 1', async () => {
    const result = await run(['--no-install', '--with-chromium', '--with-peers'], { PATH: empty, HOME: empty })
    expect(result.code).toBe(1)
    expect(result.stderr).toContain('Java not found (not on PATH, JAVA_HOME unset): install a JRE 11+')
    if (!existsSync('/usr/bin/chromium')) expect(result.stderr).toContain('Chromium not found at /usr/bin/chromium')
    if (existsSync('/etc/debian_version'))
      // Root runs it as it is; anyone else is told to use sudo.
      expect(result.stderr).toMatch(
        /to install: (sudo )?apt-get update && (sudo )?apt-get install -y .*default-jre-headless/,
      )
    expect(result.stderr).toContain(
      'ensure-zookeeper: seed-go: no Go compiler (`go` is not on PATH): apt-get install golang-go',
    )
    if (existsSync('/etc/debian_version'))
      expect(result.stderr).toMatch(/apt-get install -y .*golang-go golang-github-samuel-go-zookeeper-dev/)
    expect(result.stderr).toContain('--no-install given: nothing was installed.')
  })

  it('leaves a wrong ZOOKEEPER_HOME to the user', async () => {
    const result = await run(['--no-install'], { ...process.env, ZOOKEEPER_HOME: empty })
    expect(result.code).toBe(1)
    expect(result.stderr).toContain(`ZooKeeper not found in ZOOKEEPER_HOME=${empty}`)
  })
})
