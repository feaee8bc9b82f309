/**
 * Finding Java and ZooKeeper: the search order, each layout, and the wording when something is
 * missing. Fake installations are built in temp folders; Debian's real package is read where present.
 */
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { discoverZooKeeper, findJava, findZooKeeper, parseJavaVersion } from '../../src/core/zookeeper/distribution.js'
import { ZooKeeperSetupError } from '../../src/core/zookeeper/errors.js'
import { parseManifest, readJarManifest } from '../../src/core/zookeeper/jar-manifest.js'

const root = mkdtempSync(join(tmpdir(), 'zklab-dist-'))
afterAll(() => rmSync(root, { recursive: true, force: true }))
const folder = (name: string) => {
  const dir = join(root, name)
  mkdirSync(dir, { recursive: true })
  return dir
}
/** A `java` that only answers -version, like the real one does (on stderr). */
const fakeJava = (name: string, versionLine: string) => {
  const bin = folder(join(name, 'bin'))
  const java = join(bin, 'java')
  writeFileSync(java, `#!/bin/sh\necho '${versionLine}' >&2\n`)
  chmodSync(java, 0o755)
  return { home: join(root, name), bin, java }
}
const nowhere = { debianJavaDir: '/nonexistent', homebrewPaths: [] }
const DEBIAN_JAR = '/usr/share/java/zookeeper.jar'

describe('parseJavaVersion', () => {
  it.each([
    ['openjdk version "17.0.15" 2025-04-15', '17.0.15', 17],
    ['openjdk version "21" 2023-09-19', '21', 21],
    ['java version "1.8.0_392"', '1.8.0_392', 8],
    ['Picked up JAVA_TOOL_OPTIONS: -Xss1m\nopenjdk version "11.0.22" 2024-01-16', '11.0.22', 11],
  ])('%s', (text, version, major) => {
    expect(parseJavaVersion(text)).toEqual({ version, major })
  })

  it('gives undefined without a version', () => {
    expect(parseJavaVersion('Unable to locate a Java Runtime.')).toBeUndefined()
  })
})

describe('findJava', () => {
  it('prefers JAVA_HOME/bin/java, then PATH', async () => {
    const home = fakeJava('jdk11', 'openjdk version "11.0.2" 2019-01-15')
    const onPath = fakeJava('jdk21', 'openjdk version "21.0.1" 2023-10-17')
    expect(await findJava({ env: { JAVA_HOME: home.home, PATH: onPath.bin } })).toEqual({
      path: home.java,
      version: '11.0.2',
      major: 11,
    })
    expect(await findJava({ env: { PATH: `/nonexistent:${onPath.bin}` } })).toMatchObject({
      path: onPath.java,
      major: 21,
    })
  })

  it('names what is missing and how to get it', async () => {
    const empty = folder('empty-java')
    const err = await findJava({ env: { JAVA_HOME: empty, PATH: empty } }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(ZooKeeperSetupError)
    expect((err as Error).message).toBe(
      `Java not found (JAVA_HOME=${empty} has no bin/java, and none on PATH): install a JRE 11+ (Debian/Ubuntu: apt-get install default-jre-headless) or set JAVA_HOME`,
    )
    await expect(findJava({ env: { PATH: empty } })).rejects.toThrow('Java not found (not on PATH, JAVA_HOME unset)')
  })

  it('refuses a Java too old for ZooKeeper', async () => {
    const old = fakeJava('jdk7', 'java version "1.7.0_80"')
    await expect(findJava({ env: { PATH: old.bin } })).rejects.toThrow(
      /is version 1\.7\.0_80; ZooKeeper needs 8 or later/,
    )
  })

  it('reports a java that does not run', async () => {
    const broken = folder(join('broken', 'bin'))
    writeFileSync(join(broken, 'java'), '#!/bin/sh\necho "Unable to locate a Java Runtime." >&2\nexit 1\n')
    chmodSync(join(broken, 'java'), 0o755)
    await expect(findJava({ env: { PATH: broken } })).rejects.toThrow(
      /does not run \(Unable to locate a Java Runtime\.\)/,
    )
  })
})

describe('findZooKeeper', () => {
  it('says clearly that an empty ZOOKEEPER_HOME holds no ZooKeeper', async () => {
    const empty = folder('empty-zk')
    const err = await findZooKeeper({ env: { ZOOKEEPER_HOME: empty } }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(ZooKeeperSetupError)
    expect((err as ZooKeeperSetupError).missing).toEqual(['zookeeper'])
    expect((err as Error).message).toBe(
      `ZooKeeper not found in ZOOKEEPER_HOME=${empty} (no lib/zookeeper-*.jar there): set ZOOKEEPER_HOME to an unpacked Apache ZooKeeper, or unset it to use the installed package (apt-get install zookeeper)`,
    )
  })

  it('says clearly that an empty settings path holds no ZooKeeper, before ZOOKEEPER_HOME', async () => {
    const empty = folder('empty-settings')
    await expect(findZooKeeper({ zookeeperPath: empty, env: { ZOOKEEPER_HOME: '/also/ignored' } })).rejects.toThrow(
      `ZooKeeper not found in ${empty} (the path in settings`,
    )
  })

  it('lists every place it looked when nothing is installed', async () => {
    await expect(
      findZooKeeper({ env: {}, debianJavaDir: '/nope/java', homebrewPaths: ['/nope/brew'] }),
    ).rejects.toThrow(
      'ZooKeeper not found in /nope/java/zookeeper.jar, /nope/brew (ZOOKEEPER_HOME unset): apt-get install zookeeper, or set ZOOKEEPER_HOME to an unpacked Apache ZooKeeper',
    )
  })

  it("reads Apache's tarball layout (lib/*.jar), version from the jar name, logback for logging", async () => {
    const home = folder('apache-zookeeper-3.9.2-bin')
    const lib = folder('apache-zookeeper-3.9.2-bin/lib')
    for (const jar of [
      'zookeeper-3.9.2.jar',
      'zookeeper-jute-3.9.2.jar',
      'logback-classic-1.2.13.jar',
      'slf4j-api-1.7.30.jar',
    ]) {
      writeFileSync(join(lib, jar), '')
    }
    const found = await findZooKeeper({ env: { ZOOKEEPER_HOME: home }, ...nowhere })
    expect(found).toMatchObject({
      kind: 'zookeeper-home',
      layout: 'tarball',
      home,
      version: '3.9.2',
      logging: 'logback',
    })
    expect(found.classpath).toContain(join(lib, 'zookeeper-3.9.2.jar'))
    expect(found.classpath).toHaveLength(4)
    // The same folder from settings wins over ZOOKEEPER_HOME.
    expect(await findZooKeeper({ zookeeperPath: home, env: { ZOOKEEPER_HOME: '/nope' } })).toMatchObject({
      kind: 'settings',
      version: '3.9.2',
    })
    // Homebrew's libexec has the same layout.
    expect(await findZooKeeper({ env: {}, debianJavaDir: '/nope', homebrewPaths: ['/nope/brew', home] })).toMatchObject(
      { kind: 'homebrew' },
    )
  })

  it.skipIf(!existsSync(DEBIAN_JAR))(
    "finds Debian's package the way zkEnv.sh does, plus a logging back-end",
    async () => {
      const found = await findZooKeeper({ env: {} })
      expect(found).toMatchObject({ kind: 'debian', layout: 'debian', home: '/usr/share/java' })
      expect(found.classpath[0]).toBe(DEBIAN_JAR)
      expect(found.version).toMatch(/^\d+\.\d+\.\d+/)
      expect(['log4j', 'slf4j-simple']).toContain(found.logging)
    },
  )
})

describe('discoverZooKeeper', () => {
  it('names both when Java and ZooKeeper are missing', async () => {
    const empty = folder('empty-both')
    const err = await discoverZooKeeper({ env: { PATH: empty, ZOOKEEPER_HOME: empty } }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(ZooKeeperSetupError)
    expect((err as ZooKeeperSetupError).missing).toEqual(['java', 'zookeeper'])
    expect((err as Error).message).toMatch(/^Java not found.*\nZooKeeper not found in ZOOKEEPER_HOME=/)
  })
})

describe('jar manifests', () => {
  it('joins continuation lines', () => {
    expect(parseManifest('Manifest-Version: 1.0\r\nClass-Path: /a.jar /b.j\r\n ar /c.jar\r\nX: y\r\n')).toEqual({
      'Manifest-Version': '1.0',
      'Class-Path': '/a.jar /b.jar /c.jar',
      X: 'y',
    })
  })

  it.skipIf(!existsSync(DEBIAN_JAR))("reads Debian's zookeeper.jar Class-Path", async () => {
    const manifest = await readJarManifest(DEBIAN_JAR)
    expect(manifest['Class-Path']).toContain('/usr/share/java/zookeeper-jute.jar')
  })
})
