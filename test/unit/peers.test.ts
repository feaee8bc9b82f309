/**
 * A peer whose toolchain is missing is a PeerUnavailableError naming what is missing and the apt
 * command that installs it; availability answers without building. The machine is faked.
 */
import { describe, expect, it } from 'vitest'
import { PeerUnavailableError, peerAvailability, preparePeer, type Toolchain } from '../../src/core/peers/index.js'

/** A machine with these programs on PATH, these files, and these commands' answers. */
function machine(programs: Record<string, string>, files: string[], ok = true): Toolchain & { ran: string[][] } {
  const ran: string[][] = []
  return {
    ran,
    which: (command) => programs[command],
    exists: (path) => files.includes(path) || Object.values(programs).includes(path),
    run: (command, args) => {
      ran.push([command, ...args])
      return Promise.resolve(ok ? { code: 0, output: 'version 1' } : { code: 1, output: 'ModuleNotFoundError' })
    },
  }
}
const CURATOR_JARS = [
  'curator-recipes',
  'curator-framework',
  'curator-client',
  'zookeeper',
  'zookeeper-jute',
  'guava',
  'slf4j-api',
]

async function unavailable(promise: Promise<unknown>): Promise<PeerUnavailableError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(err).toBeInstanceOf(PeerUnavailableError)
  return err as PeerUnavailableError
}

describe('peers on a machine without their toolchain', () => {
  it('seed-go: no go, then no go-zookeeper source', async () => {
    const noGo = await unavailable(preparePeer('seed-go', { toolchain: machine({}, []) }))
    expect(noGo.message).toBe(
      'The seed-go strategy cannot run here: no Go compiler (`go` is not on PATH). Install it with: apt-get install golang-go',
    )
    const noLibrary = await unavailable(preparePeer('seed-go', { toolchain: machine({ go: '/bin/go' }, []) }))
    expect(noLibrary.problem).toContain('no go-zookeeper source')
    expect(noLibrary.install).toBe('apt-get install golang-github-samuel-go-zookeeper-dev')
  })

  it('kazoo: a python3 without kazoo', async () => {
    const toolchain = machine({ python3: '/opt/pyenv/python3' }, [], false)
    const err = await unavailable(preparePeer('kazoo', { toolchain }))
    expect(err.problem).toMatch(/^no python3 with kazoo \(tried .*\/opt\/pyenv\/python3\)$/)
    expect(err.install).toBe('apt-get install python3-kazoo')
  })

  it('curator: no javac, then a missing jar; availability never builds', async () => {
    const noJavac = await peerAvailability('curator', { toolchain: machine({ java: '/bin/java' }, []) })
    expect(noJavac).toMatchObject({ ok: false, install: 'apt-get install default-jdk-headless' })
    const jars = CURATOR_JARS.filter((j) => j !== 'guava').map((j) => `/usr/share/java/${j}.jar`)
    const toolchain = machine({ javac: '/jdk/bin/javac', java: '/jdk/bin/java' }, jars)
    const noGuava = await peerAvailability('curator', { toolchain })
    expect(noGuava).toEqual({
      peer: 'curator',
      ok: false,
      problem: 'missing Java libraries in /usr/share/java: guava.jar',
      install: 'apt-get install libcurator-recipes-java',
    })
    const complete = machine({ javac: '/jdk/bin/javac', java: '/jdk/bin/java' }, [...jars, '/usr/share/java/guava.jar'])
    expect(await peerAvailability('curator', { toolchain: complete })).toEqual({ peer: 'curator', ok: true })
    expect(complete.ran).toEqual([['/jdk/bin/javac', '-version']])
  })
})
