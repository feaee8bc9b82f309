/**
 * What this machine needs to run the lab, and installing what is missing: Java and a ZooKeeper
 * distribution always; Chromium and poppler's pdftoppm for the browser and report tests; the peers'
 * toolchains; libfaketime; MariaDB for the binlog workload's source. One answer for `npm run ensure-zookeeper`, `npm start`, `npm run serve` and
 * the lab itself (its set-up panel), so all of them name the same packages and the same command.
 */
import { accessSync, constants } from 'node:fs'
import {
  findJava,
  findZooKeeper,
  zookeeperPackageHint,
  type DiscoveryOptions,
  type JavaRuntime,
  type ZooKeeperDistribution,
} from '../zookeeper/distribution.js'
import { ZooKeeperSetupError } from '../zookeeper/errors.js'
import { PEER_PACKAGES, peerAvailability } from '../peers/index.js'
import { FAKETIME_INSTALL, findFaketimeLibrary } from '../workers/faketime.js'
import { findMariaDb } from '../mariadb/installation.js'
import { PeerStrategy } from '../../shared/worker-launch/index.js'
import type { ZooKeeperSetup } from '../../shared/api.js'
import { aptInstaller, isDebianLike, type Installer } from './installer.js'

export { aptInstaller, isDebianLike, type Installer } from './installer.js'

const CHROMIUM = '/usr/bin/chromium'
const PDFTOPPM = '/usr/bin/pdftoppm'

export interface SetupOptions {
  /** Where to look for Java and ZooKeeper (tests point it at empty folders). */
  discovery?: DiscoveryOptions
  /** The browser tests' Chromium and the report tests' pdftoppm. */
  chromium?: boolean
  /** Every peer strategy's toolchain. */
  peers?: boolean
  /** libfaketime, for workers with a skewed clock. */
  faketime?: boolean
  /** MariaDB's server, datadir initialiser and binlog reader, for the binlog workload's source. */
  mariadb?: boolean
}

export interface SetupProblem {
  what: 'java' | 'zookeeper' | 'chromium' | 'pdftoppm' | 'peer' | 'faketime' | 'mariadb'
  message: string
  peer?: PeerStrategy
}

export interface SetupCheck {
  java?: JavaRuntime
  zookeeper?: ZooKeeperDistribution
  chromium?: string
  peers?: PeerStrategy[]
  faketime?: string
  /** mariadbd's path. */
  mariadb?: string
  problems: SetupProblem[]
}

export async function checkSetup(options: SetupOptions = {}): Promise<SetupCheck> {
  const result: SetupCheck = { problems: [] }
  const [java, zookeeper] = await Promise.allSettled([findJava(options.discovery), findZooKeeper(options.discovery)])
  if (java.status === 'fulfilled') result.java = java.value
  else result.problems.push({ what: 'java', message: messageOf(java.reason) })
  if (zookeeper.status === 'fulfilled') result.zookeeper = zookeeper.value
  else result.problems.push({ what: 'zookeeper', message: messageOf(zookeeper.reason) })
  if (options.chromium) {
    if (isExecutable(CHROMIUM)) result.chromium = CHROMIUM
    else
      result.problems.push({
        what: 'chromium',
        message: `Chromium not found at ${CHROMIUM} (needed by the browser tests)`,
      })
    if (!isExecutable(PDFTOPPM))
      result.problems.push({
        what: 'pdftoppm',
        message: `pdftoppm not found at ${PDFTOPPM} (the report tests render a PDF page with it)`,
      })
  }
  if (options.faketime) {
    result.faketime = findFaketimeLibrary()
    if (!result.faketime)
      result.problems.push({
        what: 'faketime',
        message: `libfaketime not found (workers with a skewed clock run under it): ${FAKETIME_INSTALL}`,
      })
  }
  if (options.mariadb) {
    try {
      result.mariadb = findMariaDb(options.discovery?.env).mariadbd
    } catch (err) {
      result.problems.push({ what: 'mariadb', message: `${messageOf(err)} (the binlog workload's source)` })
    }
  }
  if (options.peers) {
    result.peers = []
    for (const peer of PeerStrategy.options) {
      const found = await peerAvailability(peer)
      if (found.ok) result.peers.push(peer)
      else result.problems.push({ what: 'peer', message: `${peer}: ${found.problem}: ${found.install}`, peer })
    }
  }
  return result
}

/**
 * The apt packages that fix the problems. A ZOOKEEPER_HOME (or a settings path) that does not hold
 * ZooKeeper is the user's to fix: installing the package would not change what the lab runs.
 */
export function packagesFor(problems: SetupProblem[], env: NodeJS.ProcessEnv = process.env): string[] {
  const packages = new Set<string>()
  for (const p of problems) {
    if (p.what === 'zookeeper' && !env.ZOOKEEPER_HOME) packages.add('zookeeper')
    if (p.what === 'java') packages.add('default-jre-headless')
    if (p.what === 'chromium') packages.add('chromium')
    if (p.what === 'pdftoppm') packages.add('poppler-utils')
    if (p.what === 'faketime') packages.add('faketime')
    // mariadb-server brings mariadb-server-core (mariadbd, mariadb-install-db) and mariadb-client (mariadb-binlog).
    if (p.what === 'mariadb') packages.add('mariadb-server')
    // All of a peer's packages, so one install covers what a first look could not see (go-zookeeper without go).
    if (p.peer) for (const name of PEER_PACKAGES[p.peer]) packages.add(name)
  }
  return [...packages]
}

/** The one command a person types to install the packages on this kind of machine. */
export function installCommand(packages: string[]): string {
  if (packages.length === 0) return ''
  if (process.platform === 'darwin')
    return packages.includes('zookeeper') ? zookeeperPackageHint() : 'brew install openjdk'
  if (isDebianLike()) {
    const sudo = process.getuid?.() === 0 ? '' : 'sudo '
    return `${sudo}apt-get update && ${sudo}apt-get install -y ${packages.join(' ')}`
  }
  return `install ${packages.join(', ')} with your package manager`
}

export interface EnsureResult {
  ok: boolean
  check: SetupCheck
  /** The packages handed to the installer (empty when nothing was installed). */
  installed: string[]
  /** When not ok: the command that would fix it, or '' when it is a setting to change, not a package. */
  install: string
  /** When not ok: why nothing (more) was installed. */
  reason?: string
}

export interface EnsureOptions extends SetupOptions {
  /** false: only report (`--no-install`). */
  mayInstall?: boolean
  /** Who installs; apt-get as root or through password-less sudo by default. */
  installer?: Installer
  /** Progress lines (what is being installed). */
  log?: (line: string) => void
}

/** Checks, installs what is missing where it can, and checks again. */
export async function ensureSetup(options: EnsureOptions = {}): Promise<EnsureResult> {
  const env = options.discovery?.env ?? process.env
  const first = await checkSetup(options)
  if (first.problems.length === 0) return { ok: true, check: first, installed: [], install: '' }
  const packages = packagesFor(first.problems, env)
  const notInstalled = (reason: string): EnsureResult => ({
    ok: false,
    check: first,
    installed: [],
    install: installCommand(packages),
    reason,
  })
  if (packages.length === 0) return notInstalled('nothing to install for this: change the setting named above.')
  if (options.mayInstall === false) return notInstalled('--no-install given: nothing was installed.')
  const installer = options.installer ?? aptInstaller()
  const unable = installer.unavailable()
  if (unable) return notInstalled(unable)
  options.log?.(`installing ${packages.join(' ')} (${installer.name})`)
  try {
    await installer.install(packages, options.log ?? (() => {}))
  } catch (err) {
    return { ...notInstalled(`${installer.name} failed: ${messageOf(err)}`), installed: packages }
  }
  const second = await checkSetup(options)
  return second.problems.length === 0
    ? { ok: true, check: second, installed: packages, install: '' }
    : {
        ok: false,
        check: second,
        installed: packages,
        install: installCommand(packagesFor(second.problems, env)),
        reason: `still missing after installing ${packages.join(' ')}.`,
      }
}

/** Java and ZooKeeper as the Lab API reports them to its set-up panel. */
export async function zookeeperSetup(discovery?: DiscoveryOptions): Promise<ZooKeeperSetup> {
  const check = await checkSetup({ discovery })
  if (check.java && check.zookeeper)
    return {
      ok: true,
      java: { path: check.java.path, version: check.java.version },
      zookeeper: { kind: check.zookeeper.kind, home: check.zookeeper.home, version: check.zookeeper.version },
    }
  return {
    ok: false,
    missing: check.problems
      .map((p) => p.what)
      .filter((w): w is 'java' | 'zookeeper' => w === 'java' || w === 'zookeeper'),
    problems: check.problems.map((p) => p.message),
    install: installCommand(packagesFor(check.problems, discovery?.env ?? process.env)),
  }
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK)
    return true
  } catch {
    return false
  }
}

export function messageOf(err: unknown): string {
  return err instanceof ZooKeeperSetupError || err instanceof Error ? err.message : String(err)
}
