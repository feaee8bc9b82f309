import { spawn, spawnSync } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'

/** Who installs missing packages; tests pass one that records what it was asked for. */
export interface Installer {
  /** For progress lines: `apt-get (as root)`. */
  name: string
  /** Why this installer cannot run here, or undefined when it can. */
  unavailable(): string | undefined
  install(packages: string[], log: (line: string) => void): Promise<void>
}

/**
 * Packages whose install would start a system service (Debian's mariadb-server enables and, outside a
 * container, starts mariadb.service). The lab runs private servers only, so while these install a
 * policy-rc.d that denies every start is put in place, unless one is there already (containers
 * usually have one), and removed afterwards.
 */
const NO_SERVICE_PACKAGES = new Set(['mariadb-server'])
const POLICY_RC_D = '/usr/sbin/policy-rc.d'

/** apt-get on Debian/Ubuntu, as root or through password-less sudo; its own output goes to the terminal. */
export function aptInstaller(): Installer {
  let prefix: string[] | undefined
  const rootPrefix = (): string[] | undefined => {
    if (process.getuid?.() === 0) return []
    const sudo = spawnSync('sudo', ['-n', 'true'], { stdio: 'ignore', timeout: 10_000 })
    return sudo.status === 0 ? ['sudo', '-n'] : undefined
  }
  const asRoot = (args: string[]) =>
    new Promise<void>((resolve, reject) => {
      const [command, ...rest] = [...prefix!, ...args]
      const child = spawn(command, rest, { stdio: ['ignore', process.stderr, process.stderr], timeout: 60_000 })
      child.once('error', reject)
      child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${args[0]} exited with ${code}`))))
    })
  const aptGet = (args: string[], log: (line: string) => void) => {
    const [command, ...rest] = [...prefix!, 'env', 'DEBIAN_FRONTEND=noninteractive', 'apt-get', ...args]
    log(`running ${[command, ...rest].join(' ')}`)
    return new Promise<void>((resolve, reject) => {
      // Output goes straight through (to stderr) so a terminal or CI log shows apt's progress and errors.
      const child = spawn(command, rest, { stdio: ['ignore', process.stderr, process.stderr], timeout: 15 * 60_000 })
      child.once('error', reject)
      child.once('exit', (code, signal) =>
        code === 0 ? resolve() : reject(new Error(`apt-get ${args[0]} exited with ${signal ?? code}`)),
      )
    })
  }
  return {
    get name() {
      return prefix?.length ? 'apt-get through sudo' : 'apt-get as root'
    },
    unavailable() {
      if (process.platform !== 'linux' || !isDebianLike() || !existsSync('/usr/bin/apt-get'))
        return 'not a Debian/Ubuntu machine with apt-get, so nothing was installed.'
      prefix ??= rootPrefix()
      return prefix ? undefined : 'not root and sudo -n is not available, so nothing was installed.'
    },
    async install(packages, log) {
      // One update per run, then one install of everything missing.
      await aptGet(['update', '-q'], log)
      const holdServices = packages.some((p) => NO_SERVICE_PACKAGES.has(p)) && !existsSync(POLICY_RC_D)
      if (holdServices)
        await asRoot(['sh', '-c', `printf '#!/bin/sh\\nexit 101\\n' > ${POLICY_RC_D} && chmod 755 ${POLICY_RC_D}`])
      try {
        await aptGet(['install', '-y', '-q', '--no-install-recommends', ...packages], log)
      } finally {
        if (holdServices) await asRoot(['rm', '-f', POLICY_RC_D])
      }
    },
  }
}

export function isDebianLike(): boolean {
  if (existsSync('/etc/debian_version')) return true
  try {
    return /^(ID|ID_LIKE)=.*\b(debian|ubuntu)\b/m.test(readFileSync('/etc/os-release', 'utf8'))
  } catch {
    return false
  }
}
