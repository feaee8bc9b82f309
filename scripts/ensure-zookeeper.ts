/**
 * Makes sure this machine can run the lab's ZooKeeper (Java + a ZooKeeper distribution) and, with
 * --with-chromium, the browser tests (Debian's /usr/bin/chromium) and the report tests' PDF check
 * (poppler's pdftoppm) and, with --with-peers, the peer strategies' toolchains (Go and go-zookeeper,
 * python3-kazoo, a JDK and Curator) and, with --with-faketime, libfaketime (Debian's `faketime`), which
 * runs a worker with its clock skewed and which the clock-skew test needs. Idempotent: when everything is
 * there it prints one line and exits 0 without touching apt. Otherwise, on Debian/Ubuntu as root (or
 * with password-less sudo) it installs the missing packages with apt-get; elsewhere it names what is
 * missing and the command that installs it, and exits 1.
 *
 *   tsx scripts/ensure-zookeeper.ts [--with-chromium] [--with-peers] [--with-faketime] [--no-install]
 */
import { execFileSync, spawnSync } from 'node:child_process'
import { accessSync, constants, existsSync, readFileSync } from 'node:fs'
import {
  findJava,
  findZooKeeper,
  zookeeperPackageHint,
  type JavaRuntime,
  type ZooKeeperDistribution,
} from '../src/core/zookeeper/distribution.js'
import { ZooKeeperSetupError } from '../src/core/zookeeper/errors.js'
import { PEER_PACKAGES, peerAvailability } from '../src/core/peers/index.js'
import { PeerStrategy } from '../src/shared/worker-launch/index.js'
import { FAKETIME_INSTALL, findFaketimeLibrary } from '../src/core/workers/faketime.js'

const CHROMIUM = '/usr/bin/chromium'
const PDFTOPPM = '/usr/bin/pdftoppm'
const args = new Set(process.argv.slice(2))
const withChromium = args.has('--with-chromium')
const withPeers = args.has('--with-peers')
const withFaketime = args.has('--with-faketime')
const mayInstall = !args.has('--no-install')
const started = Date.now()

interface Check {
  java?: JavaRuntime
  zookeeper?: ZooKeeperDistribution
  chromium?: string
  peers?: PeerStrategy[]
  faketime?: string
  problems: {
    what: 'java' | 'zookeeper' | 'chromium' | 'pdftoppm' | 'peer' | 'faketime'
    message: string
    peer?: PeerStrategy
  }[]
}

async function check(): Promise<Check> {
  const result: Check = { problems: [] }
  const [java, zookeeper] = await Promise.allSettled([findJava(), findZooKeeper()])
  if (java.status === 'fulfilled') result.java = java.value
  else result.problems.push({ what: 'java', message: messageOf(java.reason) })
  if (zookeeper.status === 'fulfilled') result.zookeeper = zookeeper.value
  else result.problems.push({ what: 'zookeeper', message: messageOf(zookeeper.reason) })
  if (withChromium) {
    if (isExecutable(CHROMIUM)) result.chromium = CHROMIUM
    else
      result.problems.push({
        what: 'chromium',
        message: `Chromium not found at ${CHROMIUM} (needed by the browser tests): apt-get install chromium`,
      })
    if (!isExecutable(PDFTOPPM))
      result.problems.push({
        what: 'pdftoppm',
        message: `pdftoppm not found at ${PDFTOPPM} (the report tests render a PDF page with it): apt-get install poppler-utils`,
      })
  }
  if (withFaketime) {
    result.faketime = findFaketimeLibrary()
    if (!result.faketime)
      result.problems.push({
        what: 'faketime',
        message: `libfaketime not found (workers with a skewed clock run under it): ${FAKETIME_INSTALL}`,
      })
  }
  if (withPeers) {
    result.peers = []
    for (const peer of PeerStrategy.options) {
      const found = await peerAvailability(peer)
      if (found.ok) result.peers.push(peer)
      else result.problems.push({ what: 'peer', message: `${peer}: ${found.problem}: ${found.install}`, peer })
    }
  }
  return result
}

function summary(c: Check): string {
  const parts = [
    `Java ${c.java!.version} (${c.java!.path})`,
    `ZooKeeper ${c.zookeeper!.version} (${c.zookeeper!.kind}: ${c.zookeeper!.classpath[0]})`,
  ]
  if (c.chromium) parts.push(`Chromium (${c.chromium})`)
  if (c.peers) parts.push(`peers ${c.peers.join(', ')}`)
  if (c.faketime) parts.push(`libfaketime (${c.faketime})`)
  return `ensure-zookeeper: ok: ${parts.join(', ')} [${Date.now() - started} ms]`
}

/** The apt packages that fix each problem; a ZOOKEEPER_HOME or settings path is the user's to fix. */
function packagesFor(problems: Check['problems']): string[] {
  const packages = new Set<string>()
  for (const p of problems) {
    if (p.what === 'zookeeper' && !process.env.ZOOKEEPER_HOME) packages.add('zookeeper')
    // zookeeper depends on default-jre, so Java alone is only needed when ZooKeeper is already there.
    if (p.what === 'java' && !problems.some((q) => q.what === 'zookeeper')) packages.add('default-jre-headless')
    if (p.what === 'java' && process.env.ZOOKEEPER_HOME) packages.add('default-jre-headless')
    if (p.what === 'chromium') packages.add('chromium')
    if (p.what === 'pdftoppm') packages.add('poppler-utils')
    if (p.what === 'faketime') packages.add('faketime')
    // All of a peer's packages, so one install covers what a first look could not see (go-zookeeper without go).
    if (p.peer) for (const name of PEER_PACKAGES[p.peer]) packages.add(name)
  }
  return [...packages]
}

function isDebianLike(): boolean {
  if (existsSync('/etc/debian_version')) return true
  try {
    return /^(ID|ID_LIKE)=.*\b(debian|ubuntu)\b/m.test(readFileSync('/etc/os-release', 'utf8'))
  } catch {
    return false
  }
}

/** The command prefix that runs apt-get as root, or undefined when this process cannot. */
function rootPrefix(): string[] | undefined {
  if (process.getuid?.() === 0) return []
  const sudo = spawnSync('sudo', ['-n', 'true'], { stdio: 'ignore', timeout: 10_000 })
  return sudo.status === 0 ? ['sudo', '-n'] : undefined
}

function aptGet(prefix: string[], aptArgs: string[]): void {
  const [command, ...rest] = [...prefix, 'env', 'DEBIAN_FRONTEND=noninteractive', 'apt-get', ...aptArgs]
  console.error(`ensure-zookeeper: running ${[command, ...rest].join(' ')}`)
  // Output goes straight through so CI logs show apt's progress and errors.
  execFileSync(command, rest, { stdio: ['ignore', 'inherit', 'inherit'], timeout: 15 * 60_000 })
}

function fail(problems: Check['problems'], extra?: string): never {
  for (const p of problems) console.error(`ensure-zookeeper: ${p.message}`)
  const packages = packagesFor(problems)
  if (packages.length > 0) {
    const hint = isDebianLike()
      ? `as root: apt-get update && apt-get install -y ${packages.join(' ')}`
      : process.platform === 'darwin'
        ? packages.includes('zookeeper')
          ? zookeeperPackageHint()
          : 'brew install openjdk'
        : `install ${packages.join(', ')} with your package manager`
    console.error(`ensure-zookeeper: to install: ${hint}`)
  }
  if (extra) console.error(`ensure-zookeeper: ${extra}`)
  process.exit(1)
}

async function main(): Promise<void> {
  const first = await check()
  if (first.problems.length === 0) {
    console.log(summary(first))
    return
  }
  const packages = packagesFor(first.problems)
  if (!mayInstall) fail(first.problems, '--no-install given: nothing was installed.')
  if (packages.length === 0) fail(first.problems, 'nothing to install with apt for this: fix the setting named above.')
  if (process.platform !== 'linux' || !isDebianLike() || !existsSync('/usr/bin/apt-get')) fail(first.problems)
  const prefix = rootPrefix()
  if (!prefix) fail(first.problems, 'not root and sudo -n is not available, so nothing was installed.')

  // One update per run, then one install of everything missing.
  aptGet(prefix, ['update', '-q'])
  aptGet(prefix, ['install', '-y', '-q', '--no-install-recommends', ...packages])

  const second = await check()
  if (second.problems.length > 0) fail(second.problems, `still missing after apt-get install ${packages.join(' ')}.`)
  console.log(summary(second))
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK)
    return true
  } catch {
    return false
  }
}

function messageOf(err: unknown): string {
  return err instanceof ZooKeeperSetupError || err instanceof Error ? err.message : String(err)
}

main().catch((err: unknown) => {
  console.error(`ensure-zookeeper: ${messageOf(err)}`)
  process.exit(1)
})
