import { execFile } from 'node:child_process'
import { constants as fsc } from 'node:fs'
import { access, readdir, realpath, stat } from 'node:fs/promises'
import { basename, delimiter, dirname, isAbsolute, join, resolve } from 'node:path'
import { ZooKeeperSetupError } from './errors.js'
import { readJarManifest } from './jar-manifest.js'

/**
 * Finds a Java runtime and a ZooKeeper distribution on this machine, plain Node (no Electron), so the
 * lab, the CLI and scripts/ensure-zookeeper share one answer and one wording for what is missing.
 */

export interface JavaRuntime {
  /** The `java` binary that will run ZooKeeper. */
  path: string
  /** As printed by `java -version`: `17.0.15`, `1.8.0_392`. */
  version: string
  /** Feature release: 8, 11, 17, 21 … */
  major: number
}

/** Where the distribution was found, in search order. */
export type DistributionKind = 'settings' | 'zookeeper-home' | 'debian' | 'homebrew'

/** Which logging back-end the server's jars carry, so the lab can route its log to stdout. */
export type ZooKeeperLogging = 'log4j' | 'logback' | 'slf4j-simple' | 'none'

export interface ZooKeeperDistribution {
  kind: DistributionKind
  /** `tarball`: Apache's layout (lib/*.jar, conf/); `debian`: /usr/share/java/zookeeper.jar and its manifest. */
  layout: 'tarball' | 'debian'
  home: string
  /** Jars to put on `-cp`, after the per-server config folder the provider prepends. */
  classpath: string[]
  /** `3.8.0`, or `unknown` when no jar name tells. */
  version: string
  logging: ZooKeeperLogging
}

export interface ZooKeeperInstallation {
  java: JavaRuntime
  zookeeper: ZooKeeperDistribution
}

export interface DiscoveryOptions {
  /** An explicit distribution from the lab's settings: an unpacked Apache ZooKeeper, a folder holding zookeeper.jar, or that jar. */
  zookeeperPath?: string
  /** An explicit `java` binary from the lab's settings. */
  javaPath?: string
  /** Environment to read JAVA_HOME, PATH and ZOOKEEPER_HOME from; defaults to process.env. */
  env?: NodeJS.ProcessEnv
  /** Where Debian/Ubuntu put Java libraries; tests point it elsewhere (or set ZKLAB_DEBIAN_JAVA_DIR). */
  debianJavaDir?: string
  /** Homebrew prefixes to try, Apple silicon first. */
  homebrewPaths?: string[]
  /** Upper bound for `java -version`; a JVM starts slowly on a loaded machine. */
  javaVersionTimeoutMs?: number
}

const DEBIAN_JAVA_DIR = '/usr/share/java'
const HOMEBREW_PATHS = ['/opt/homebrew/opt/zookeeper/libexec', '/usr/local/opt/zookeeper/libexec']
/** Oldest Java that ZooKeeper 3.5–3.9 runs on. */
const MIN_JAVA = 8

/**
 * Jars ZooKeeperServerMain and QuorumPeerMain cannot start without. Debian's zookeeper.jar names more
 * in its Class-Path (jetty for the admin server, jline for the CLI), which the lab does not use.
 */
const DEBIAN_REQUIRED_JARS = [
  'zookeeper-jute.jar',
  'slf4j-api.jar',
  'netty-buffer.jar',
  'netty-common.jar',
  'netty-handler.jar',
  'netty-transport.jar',
  'metrics-core.jar',
  'snappy-java.jar',
  'commons-io.jar',
  'commons-cli.jar',
]

const isWindows = process.platform === 'win32'

export function javaMissingHint(): string {
  if (process.platform === 'darwin') return 'install a JRE 11+ (brew install openjdk) or set JAVA_HOME'
  return 'install a JRE 11+ (Debian/Ubuntu: apt-get install default-jre-headless) or set JAVA_HOME'
}

/** The package-manager command that installs ZooKeeper here. */
export function zookeeperPackageHint(): string {
  return process.platform === 'darwin' ? 'brew install zookeeper' : 'apt-get install zookeeper'
}

export function zookeeperMissingHint(): string {
  return `${zookeeperPackageHint()}, or set ZOOKEEPER_HOME to an unpacked Apache ZooKeeper`
}

/** Java and ZooKeeper together; when both are missing the one error names both. */
export async function discoverZooKeeper(opts: DiscoveryOptions = {}): Promise<ZooKeeperInstallation> {
  const [java, zookeeper] = await Promise.allSettled([findJava(opts), findZooKeeper(opts)])
  if (java.status === 'fulfilled' && zookeeper.status === 'fulfilled') {
    return { java: java.value, zookeeper: zookeeper.value }
  }
  const failures = [java, zookeeper].filter((r): r is PromiseRejectedResult => r.status === 'rejected')
  const setupErrors = failures
    .map((f): unknown => f.reason)
    .filter((e): e is ZooKeeperSetupError => e instanceof ZooKeeperSetupError)
  // Anything else is a bug or an I/O failure, not a missing install: pass it on untouched.
  if (setupErrors.length !== failures.length)
    throw failures.find((f) => !(f.reason instanceof ZooKeeperSetupError))!.reason
  if (setupErrors.length === 1) throw setupErrors[0]
  throw new ZooKeeperSetupError(
    setupErrors.map((e) => e.message).join('\n'),
    setupErrors.flatMap((e) => e.missing),
  )
}

// ---------------------------------------------------------------------------------------------- Java

/** JAVA_HOME/bin/java, then `java` on PATH (or the explicit path from settings). */
export async function findJava(opts: DiscoveryOptions = {}): Promise<JavaRuntime> {
  const env = opts.env ?? process.env
  const exe = isWindows ? 'java.exe' : 'java'
  const tried: string[] = []

  if (opts.javaPath) {
    if (!(await isExecutable(opts.javaPath))) {
      throw new ZooKeeperSetupError(`Java not found at ${opts.javaPath} (from settings): ${javaMissingHint()}`, [
        'java',
      ])
    }
    return describeJava(opts.javaPath, opts)
  }

  const candidates: string[] = []
  if (env.JAVA_HOME) candidates.push(join(env.JAVA_HOME, 'bin', exe))
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (dir) candidates.push(join(dir, exe))
  }
  for (const candidate of candidates) {
    tried.push(candidate)
    if (await isExecutable(candidate)) return describeJava(candidate, opts)
  }
  const where = env.JAVA_HOME
    ? ` (JAVA_HOME=${env.JAVA_HOME} has no bin/${exe}, and none on PATH)`
    : ' (not on PATH, JAVA_HOME unset)'
  throw new ZooKeeperSetupError(`Java not found${where}: ${javaMissingHint()}`, ['java'])
}

async function describeJava(path: string, opts: DiscoveryOptions): Promise<JavaRuntime> {
  let output: string
  try {
    output = await run(path, ['-version'], opts.javaVersionTimeoutMs ?? 20_000, opts.env)
  } catch (err) {
    throw new ZooKeeperSetupError(
      `Java at ${path} does not run (${(err as Error).message.split('\n')[0]}): ${javaMissingHint()}`,
      ['java'],
    )
  }
  const version = parseJavaVersion(output)
  if (!version) {
    throw new ZooKeeperSetupError(
      `Java at ${path} printed no version (${output.trim().split('\n')[0] ?? ''}): ${javaMissingHint()}`,
      ['java'],
    )
  }
  if (version.major < MIN_JAVA) {
    throw new ZooKeeperSetupError(
      `Java at ${path} is version ${version.version}; ZooKeeper needs ${MIN_JAVA} or later: ${javaMissingHint()}`,
      ['java'],
    )
  }
  return { path, ...version }
}

/** `openjdk version "17.0.15" 2025-04-15` → 17; `java version "1.8.0_392"` → 8. */
export function parseJavaVersion(output: string): { version: string; major: number } | undefined {
  const match = /version "([^"]+)"/.exec(output)
  if (!match) return undefined
  const version = match[1]
  const parts = version.split(/[._+-]/).map((p) => Number.parseInt(p, 10))
  const major = parts[0] === 1 && parts[1] !== undefined ? parts[1] : parts[0]
  if (major === undefined || Number.isNaN(major)) return undefined
  return { version, major }
}

// ----------------------------------------------------------------------------------------- ZooKeeper

/** Settings path, then ZOOKEEPER_HOME, then Debian/Ubuntu's package, then Homebrew's. */
export async function findZooKeeper(opts: DiscoveryOptions = {}): Promise<ZooKeeperDistribution> {
  const env = opts.env ?? process.env

  // An explicit choice that does not work is an error, not a reason to quietly run another ZooKeeper.
  if (opts.zookeeperPath) {
    const found = await inspectExplicit(resolve(opts.zookeeperPath), 'settings')
    if (found) return found
    throw new ZooKeeperSetupError(
      `ZooKeeper not found in ${opts.zookeeperPath} (the path in settings; no lib/zookeeper-*.jar or zookeeper.jar there): ` +
        `point it at an unpacked Apache ZooKeeper, or clear it to use the installed package (${zookeeperPackageHint()})`,
      ['zookeeper'],
    )
  }
  if (env.ZOOKEEPER_HOME) {
    const found = await inspectExplicit(resolve(env.ZOOKEEPER_HOME), 'zookeeper-home')
    if (found) return found
    throw new ZooKeeperSetupError(
      `ZooKeeper not found in ZOOKEEPER_HOME=${env.ZOOKEEPER_HOME} (no lib/zookeeper-*.jar there): ` +
        `set ZOOKEEPER_HOME to an unpacked Apache ZooKeeper, or unset it to use the installed package (${zookeeperPackageHint()})`,
      ['zookeeper'],
    )
  }

  const tried: string[] = []
  // ZKLAB_DEBIAN_JAVA_DIR is for tests that play a machine without ZooKeeper (an empty folder); it
  // replaces Homebrew's places too, so nothing installed on the test machine is found.
  const testDir = env.ZKLAB_DEBIAN_JAVA_DIR
  const debianDir = opts.debianJavaDir ?? testDir ?? DEBIAN_JAVA_DIR
  const debianJar = join(debianDir, 'zookeeper.jar')
  tried.push(debianJar)
  if (await isFile(debianJar)) return inspectDebian(debianJar, 'debian')

  for (const brew of opts.homebrewPaths ?? (testDir ? [] : HOMEBREW_PATHS)) {
    tried.push(brew)
    const found = await inspectTarball(brew, 'homebrew')
    if (found) return found
  }
  throw new ZooKeeperSetupError(
    `ZooKeeper not found in ${tried.join(', ')} (ZOOKEEPER_HOME unset): ${zookeeperMissingHint()}`,
    ['zookeeper'],
  )
}

async function inspectExplicit(path: string, kind: DistributionKind): Promise<ZooKeeperDistribution | undefined> {
  if (path.endsWith('.jar') && (await isFile(path))) return inspectDebian(path, kind)
  const tarball = await inspectTarball(path, kind)
  if (tarball) return tarball
  if (await isFile(join(path, 'zookeeper.jar'))) return inspectDebian(join(path, 'zookeeper.jar'), kind)
  return undefined
}

/** Apache's layout: lib/zookeeper-X.Y.Z.jar beside its dependencies (Homebrew keeps it under libexec). */
async function inspectTarball(home: string, kind: DistributionKind): Promise<ZooKeeperDistribution | undefined> {
  for (const libDir of [join(home, 'lib'), home]) {
    const jars = (await listDir(libDir)).filter((f) => f.endsWith('.jar'))
    const main = jars.map((f) => /^zookeeper-(\d+\.\d+\.\d+)\.jar$/.exec(f)).find((m) => m !== null)
    if (!main) continue
    const classpath = jars.sort().map((f) => join(libDir, f))
    return { kind, layout: 'tarball', home, classpath, version: main[1], logging: detectLogging(jars) }
  }
  return undefined
}

/**
 * Debian/Ubuntu: zkEnv.sh's CLASSPATH is just the config folder and zookeeper.jar, whose manifest
 * Class-Path pulls in the rest. That manifest names no logging back-end, so the lab adds log4j 1.2
 * (a dependency of libzookeeper-java) to get the server's log on stdout.
 */
async function inspectDebian(jar: string, kind: DistributionKind): Promise<ZooKeeperDistribution> {
  const dir = dirname(jar)
  let manifestPath: string[]
  try {
    const manifest = await readJarManifest(jar)
    manifestPath = (manifest['Class-Path'] ?? '').split(/\s+/).filter(Boolean)
  } catch (err) {
    throw new ZooKeeperSetupError(
      `ZooKeeper jar ${jar} is unreadable (${(err as Error).message}): ${zookeeperMissingHint()}`,
      ['zookeeper'],
    )
  }
  const byName = new Map(manifestPath.map((entry) => [basename(entry), isAbsolute(entry) ? entry : join(dir, entry)]))
  const missing: string[] = []
  for (const name of DEBIAN_REQUIRED_JARS) {
    // A manifest that does not list a jar (another packaging) is checked in the jar's own folder.
    const path = byName.get(name) ?? join(dir, name)
    if (!(await isFile(path))) missing.push(path)
  }
  if (missing.length > 0) {
    throw new ZooKeeperSetupError(
      `ZooKeeper at ${jar} is incomplete: missing ${missing.join(', ')}. ` +
        `Reinstall it (apt-get install --reinstall zookeeper libzookeeper-java), or set ZOOKEEPER_HOME to an unpacked Apache ZooKeeper`,
      ['zookeeper'],
    )
  }
  const classpath = [jar]
  let logging: ZooKeeperLogging = 'none'
  const log4j = [join(dir, 'slf4j-log4j12.jar'), join(dir, 'log4j-1.2.jar')]
  const simple = join(dir, 'slf4j-simple.jar')
  if ((await isFile(log4j[0])) && (await isFile(log4j[1]))) {
    classpath.push(...log4j)
    logging = 'log4j'
  } else if (await isFile(simple)) {
    classpath.push(simple)
    logging = 'slf4j-simple'
  }
  return { kind, layout: 'debian', home: dir, classpath, version: await debianVersion(jar), logging }
}

/** Debian ships zookeeper-3.8.0.jar as a link to zookeeper.jar; the link's name is the version. */
async function debianVersion(jar: string): Promise<string> {
  const dir = dirname(jar)
  let target: string
  try {
    target = await realpath(jar)
  } catch {
    return 'unknown'
  }
  for (const file of await listDir(dir)) {
    const m = /^zookeeper-(\d+\.\d+\.\d+[^/]*)\.jar$/.exec(file)
    if (!m) continue
    try {
      if ((await realpath(join(dir, file))) === target) return m[1]
    } catch {
      // A dangling link: not the one.
    }
  }
  return 'unknown'
}

function detectLogging(jars: string[]): ZooKeeperLogging {
  if (jars.some((j) => j.startsWith('logback-classic'))) return 'logback'
  if (jars.some((j) => /^slf4j-(log4j12|reload4j)/.test(j))) return 'log4j'
  if (jars.some((j) => j.startsWith('slf4j-simple'))) return 'slf4j-simple'
  return 'none'
}

// ------------------------------------------------------------------------------------------- helpers

async function isExecutable(path: string): Promise<boolean> {
  try {
    if (!(await stat(path)).isFile()) return false
    await access(path, fsc.X_OK)
    return true
  } catch {
    return false
  }
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile()
  } catch {
    return false
  }
}

async function listDir(dir: string): Promise<string[]> {
  try {
    return await readdir(dir)
  } catch {
    return []
  }
}

/** Runs a short command; `java -version` prints on stderr, so both streams are returned together. */
function run(command: string, args: string[], timeoutMs: number, env?: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    execFile(
      command,
      args,
      { timeout: timeoutMs, env: env ?? process.env, encoding: 'utf8' },
      (err, stdout, stderr) => {
        if (err) {
          const detail = (stderr || stdout || err.message).trim()
          reject(new Error(err.killed ? `no answer within ${timeoutMs} ms` : detail || err.message))
          return
        }
        resolvePromise(`${stderr}\n${stdout}`)
      },
    )
  })
}
