/**
 * The lab's peer programs: well-known election recipes run as they are, next to the lab's own worker,
 * and graded like any external program (roles read off the election, sessions off the proxy).
 *
 * preparePeer checks the peer's toolchain, builds it once into a cache (Go, Java) and returns the
 * external-worker spec that runs it, with the lab's placeholders ({connect}, {taskPath}, {sink} …).
 * A missing toolchain is a PeerUnavailableError naming the package that installs it.
 *
 * The programs live in resources/peers/<peer>/ as source (see its README): a build is keyed by the
 * hash of the source and the toolchain's version, made in a temporary folder and renamed into place,
 * so two labs building at once never see half a build.
 */
import { execFile } from 'node:child_process'
import { createHash, randomBytes } from 'node:crypto'
import { accessSync, constants, existsSync, mkdirSync, readFileSync, realpathSync, renameSync, rmSync } from 'node:fs'
import { copyFile, mkdir } from 'node:fs/promises'
import { homedir } from 'node:os'
import { delimiter, dirname, join } from 'node:path'
import type { ExternalWorker } from '../../shared/api.js'
import type { PeerStrategy } from '../../shared/worker-launch/index.js'
import { labRoot } from '../lab-root.js'

export class PeerUnavailableError extends Error {
  constructor(
    readonly peer: PeerStrategy,
    readonly problem: string,
    /** The command that installs what is missing. */
    readonly install: string,
  ) {
    super(`The ${peer} strategy cannot run here: ${problem}. Install it with: ${install}`)
    this.name = 'PeerUnavailableError'
  }
}

export type PeerAvailability =
  { peer: PeerStrategy; ok: true } | { peer: PeerStrategy; ok: false; problem: string; install: string }

/** How the lab looks at this machine's toolchains; tests give their own. */
export interface Toolchain {
  /** The path of a program on PATH, or undefined. */
  which(command: string): string | undefined
  exists(path: string): boolean
  /** Runs a short command; its exit code (undefined when it could not start) and output. */
  run(command: string, args: string[], options?: { env?: NodeJS.ProcessEnv; cwd?: string }): Promise<RunResult>
}
export interface RunResult {
  code: number | undefined
  output: string
}

/** Debian's folders for Go sources and Java libraries: where golang-*-dev and lib*-java install. */
const DEBIAN_GOPATH = '/usr/share/gocode'
const DEBIAN_JARS = '/usr/share/java'
/** Debian's own python3: python3-kazoo installs for it, not for a python3 a version manager put first on PATH. */
const DEBIAN_PYTHON = '/usr/bin/python3'
const GO_ZOOKEEPER = 'src/github.com/samuel/go-zookeeper/zk'
const CURATOR_JARS = [
  'curator-recipes.jar',
  'curator-framework.jar',
  'curator-client.jar',
  'zookeeper.jar',
  'zookeeper-jute.jar',
  'guava.jar',
  'slf4j-api.jar',
]
/** Quiets slf4j ("no binding") when it is there; optional. */
const SLF4J_NOP = 'slf4j-nop.jar'

/** Every Debian package a peer needs (apt-get install is idempotent: the set-up script installs them all). */
export const PEER_PACKAGES: Record<PeerStrategy, string[]> = {
  'seed-go': ['golang-go', 'golang-github-samuel-go-zookeeper-dev'],
  kazoo: ['python3-kazoo'],
  curator: ['default-jdk-headless', 'libcurator-recipes-java'],
}

const apt = (...packages: string[]): string => `apt-get install ${packages.join(' ')}`

export const systemToolchain: Toolchain = {
  which(command) {
    for (const dir of (process.env.PATH ?? '').split(delimiter)) {
      if (!dir) continue
      const candidate = join(dir, command)
      try {
        accessSync(candidate, constants.X_OK)
        return candidate
      } catch {
        // not here
      }
    }
    return undefined
  },
  exists: (path) => existsSync(path),
  run: (command, args, options = {}) =>
    new Promise((resolve) => {
      execFile(command, args, { ...options, timeout: 120_000, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : undefined) : 0
        resolve({ code: err && code === 0 ? 1 : code, output: `${stdout}${stderr}`.trim() })
      })
    }),
}

export interface PeerOptions {
  toolchain?: Toolchain
  /** Where builds are cached; default `<XDG_CACHE_HOME or ~/.cache>/zklab/peers`. */
  cacheDir?: string
}

/** What a peer needs on this machine, found without building anything. */
type Found =
  | { ok: true; peer: PeerStrategy; version: string; run: Record<string, string> }
  | { ok: false; peer: PeerStrategy; problem: string; install: string }

async function findSeedGo(tc: Toolchain): Promise<Found> {
  const peer = 'seed-go'
  const go = tc.which('go')
  if (!go) return { ok: false, peer, problem: 'no Go compiler (`go` is not on PATH)', install: apt('golang-go') }
  const gopath = [DEBIAN_GOPATH, ...(process.env.GOPATH ?? '').split(delimiter).filter(Boolean)].find((dir) =>
    tc.exists(join(dir, GO_ZOOKEEPER)),
  )
  if (!gopath)
    return {
      ok: false,
      peer,
      problem: `no go-zookeeper source (github.com/samuel/go-zookeeper/zk under ${DEBIAN_GOPATH} or GOPATH)`,
      install: apt('golang-github-samuel-go-zookeeper-dev'),
    }
  const version = await tc.run(go, ['version'])
  if (version.code !== 0)
    return { ok: false, peer, problem: `\`${go} version\` failed: ${version.output}`, install: apt('golang-go') }
  return { ok: true, peer, version: version.output, run: { go, gopath } }
}

async function findKazoo(tc: Toolchain): Promise<Found> {
  const peer = 'kazoo'
  const candidates = [...new Set([DEBIAN_PYTHON, tc.which('python3')].filter((p): p is string => !!p && tc.exists(p)))]
  if (candidates.length === 0) return { ok: false, peer, problem: 'no python3', install: apt('python3-kazoo') }
  for (const python of candidates) {
    const probe = await tc.run(python, ['-c', 'from kazoo.version import __version__; print(__version__)'])
    if (probe.code === 0) return { ok: true, peer, version: `kazoo ${probe.output}`, run: { python } }
  }
  return {
    ok: false,
    peer,
    problem: `no python3 with kazoo (tried ${candidates.join(', ')})`,
    install: apt('python3-kazoo'),
  }
}

async function findCurator(tc: Toolchain): Promise<Found> {
  const peer = 'curator'
  const javaHome = process.env.JAVA_HOME ? join(process.env.JAVA_HOME, 'bin', 'javac') : undefined
  const javac = javaHome && tc.exists(javaHome) ? javaHome : tc.which('javac')
  if (!javac)
    return {
      ok: false,
      peer,
      problem: 'no Java compiler (`javac` is not on PATH nor in JAVA_HOME)',
      install: apt('default-jdk-headless'),
    }
  const missing = CURATOR_JARS.filter((jar) => !tc.exists(join(DEBIAN_JARS, jar)))
  if (missing.length > 0)
    return {
      ok: false,
      peer,
      problem: `missing Java libraries in ${DEBIAN_JARS}: ${missing.join(', ')}`,
      install: apt('libcurator-recipes-java'),
    }
  // The JVM next to the compiler runs what it compiled.
  const sibling = join(dirname(javac), 'java')
  const java = tc.exists(sibling) ? sibling : tc.which('java')
  if (!java)
    return { ok: false, peer, problem: 'no `java` next to javac nor on PATH', install: apt('default-jdk-headless') }
  const version = await tc.run(javac, ['-version'])
  if (version.code !== 0)
    return {
      ok: false,
      peer,
      problem: `\`${javac} -version\` failed: ${version.output}`,
      install: apt('default-jdk-headless'),
    }
  const jars = CURATOR_JARS.map((jar) => join(DEBIAN_JARS, jar))
  if (tc.exists(join(DEBIAN_JARS, SLF4J_NOP))) jars.push(join(DEBIAN_JARS, SLF4J_NOP))
  return { ok: true, peer, version: version.output, run: { javac, java, classpath: jars.join(delimiter) } }
}

const FINDERS: Record<PeerStrategy, (tc: Toolchain) => Promise<Found>> = {
  'seed-go': findSeedGo,
  kazoo: findKazoo,
  curator: findCurator,
}

/** Whether a peer's toolchain is on this machine (no build, no network): for pickers and `--strategies`. */
export async function peerAvailability(peer: PeerStrategy, options: PeerOptions = {}): Promise<PeerAvailability> {
  const found = await FINDERS[peer](options.toolchain ?? systemToolchain)
  return found.ok ? { peer, ok: true } : { peer, ok: false, problem: found.problem, install: found.install }
}

const sourceDir = (peer: PeerStrategy): string => join(labRoot(), 'resources', 'peers', peer)
const SOURCES: Record<PeerStrategy, string> = {
  'seed-go': 'main.go',
  kazoo: 'worker.py',
  curator: 'CuratorWorker.java',
}

export function defaultPeerCacheDir(): string {
  const base = process.env.XDG_CACHE_HOME || join(homedir(), '.cache')
  return join(base, 'zklab', 'peers')
}

// One build per key per process: two workers added at once share it.
const building = new Map<string, Promise<string>>()

/**
 * The external-worker spec that runs a peer, built first when it needs to be (once per source and
 * toolchain version, cached). Throws PeerUnavailableError when its toolchain is missing or its build fails.
 */
export async function preparePeer(peer: PeerStrategy, options: PeerOptions = {}): Promise<ExternalWorker> {
  const tc = options.toolchain ?? systemToolchain
  const found = await FINDERS[peer](tc)
  if (!found.ok) throw new PeerUnavailableError(peer, found.problem, found.install)
  const source = join(sourceDir(peer), SOURCES[peer])
  if (peer === 'kazoo') return { command: found.run.python, args: ['-u', source] }

  const key = `${peer}-${buildHash(source, found)}`
  const cacheDir = options.cacheDir ?? defaultPeerCacheDir()
  const dir = join(cacheDir, key)
  if (!existsSync(dir)) {
    let build = building.get(dir)
    if (!build) {
      build = buildInto(tc, peer, found.run, source, cacheDir, dir).finally(() => building.delete(dir))
      building.set(dir, build)
    }
    await build
  }
  if (peer === 'seed-go') return { command: join(dir, 'seed-go'), args: ['{workerId}'] }
  return {
    command: found.run.java,
    // A small heap and the serial collector keep a JVM worker near 60 MB.
    args: ['-Xmx64m', '-XX:+UseSerialGC', '-cp', [dir, found.run.classpath].join(delimiter), 'CuratorWorker'],
  }
}

function buildHash(source: string, found: Extract<Found, { ok: true }>): string {
  const hash = createHash('sha256').update(readFileSync(source)).update(found.version)
  // The versioned jars the unversioned names point at: a Curator upgrade is a new build.
  for (const jar of (found.run.classpath ?? '').split(delimiter).filter(Boolean)) hash.update(realpathOr(jar))
  return hash.digest('hex').slice(0, 16)
}

function realpathOr(path: string): string {
  try {
    return realpathSync(path)
  } catch {
    return path
  }
}

async function buildInto(
  tc: Toolchain,
  peer: PeerStrategy,
  run: Record<string, string>,
  source: string,
  cacheDir: string,
  dir: string,
): Promise<string> {
  mkdirSync(cacheDir, { recursive: true })
  const temp = `${dir}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`
  try {
    const result =
      peer === 'seed-go' ? await buildGo(tc, run, source, cacheDir, temp) : await buildJava(tc, run, source, temp)
    if (result.code !== 0) {
      const tail = result.output.split('\n').slice(-20).join('\n')
      throw new PeerUnavailableError(
        peer,
        `building it failed (exit ${result.code ?? 'not started'}):\n${tail}\n`,
        apt(...PEER_PACKAGES[peer]),
      )
    }
    try {
      renameSync(temp, dir)
    } catch (err) {
      // Another lab finished the same build first: theirs is as good as ours.
      if (!existsSync(dir)) throw err
    }
    return dir
  } finally {
    rmSync(temp, { recursive: true, force: true })
  }
}

async function buildGo(
  tc: Toolchain,
  run: Record<string, string>,
  source: string,
  cacheDir: string,
  temp: string,
): Promise<RunResult> {
  // GOPATH mode, as Debian packages Go libraries: the program is a package of its own temporary GOPATH.
  const pkg = join(temp, 'src', 'seedgo')
  await mkdir(pkg, { recursive: true })
  await copyFile(source, join(pkg, 'main.go'))
  return tc.run(run.go, ['build', '-o', join(temp, 'seed-go'), '.'], {
    cwd: pkg,
    env: {
      ...process.env,
      GO111MODULE: 'off',
      GOPATH: [temp, run.gopath].join(delimiter),
      GOCACHE: join(cacheDir, 'go-build-cache'),
      GOFLAGS: '',
    },
  })
}

async function buildJava(tc: Toolchain, run: Record<string, string>, source: string, temp: string): Promise<RunResult> {
  await mkdir(temp, { recursive: true })
  return tc.run(run.javac, ['-nowarn', '-d', temp, '-cp', run.classpath, source])
}
