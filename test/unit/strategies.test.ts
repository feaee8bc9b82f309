/**
 * The strategies as every picker sees them: the Lab lists the lab's own and the peers with whether
 * they can run here, a run naming a missing peer is refused before its session exists, and the
 * browser bridge lets a page pick a peer as it picks seed or recipe.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, describe, expect, it } from 'vitest'
import { Lab } from '../../src/core/lab.js'
import { PeerUnavailableError, type PeerAvailability } from '../../src/core/peers/index.js'
import { runScenarioInLab, scenarioStrategies } from '../../src/core/experiments/run-scenario.js'
import { parseScenario } from '../../src/core/experiments/load-scenario.js'
import { formatStrategy } from '../../src/cli/index.js'
import { LabInputError, parseLabCall, Strategy, type PeerStrategy } from '../../src/shared/api.js'
import { remoteCallGate } from '../../src/shared/remote-policy.js'

const only =
  (installed: PeerStrategy[]) =>
  async (peer: PeerStrategy): Promise<PeerAvailability> =>
    installed.includes(peer)
      ? { peer, ok: true }
      : { peer, ok: false, problem: `${peer}'s toolchain is missing`, install: `sudo apt-get install ${peer}-pkg` }

const scenario = parseScenario(`
name: two-tasks
tasks:
  - name: a
    workers: 1
    strategy: kazoo
  - name: b
    workers: 1
  - name: c
    workers: 1
    external: { command: /bin/true }
`)

describe('strategies', () => {
  const labs: Lab[] = []
  const lab = (options?: ConstructorParameters<typeof Lab>[0]) => {
    const made = new Lab(options)
    labs.push(made)
    return made
  }
  const dir = mkdtempSync(join(tmpdir(), 'zklab-strategies-'))
  afterEach(async () => {
    await Promise.all(labs.splice(0).map((l) => l.dispose()))
  })
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  it('lists every strategy; the peers with what is missing and what installs it', async () => {
    const list = await lab({ peerAvailability: only([]) }).listStrategies()
    expect(list.map((s) => s.name)).toEqual(Strategy.options)
    for (const s of list) expect(s.description).not.toBe('')
    expect(list.filter((s) => s.kind === 'lab').map((s) => s.name)).toEqual(['seed', 'recipe'])
    expect(list.filter((s) => s.kind === 'lab').every((s) => s.available && !s.problem)).toBe(true)
    // With no toolchain installed, each peer says what is missing, with an install command.
    for (const peer of list.filter((s) => s.kind === 'peer')) {
      expect(peer.available).toBe(false)
      expect(peer.problem).toBeTruthy()
      expect(peer.install).toBeTruthy()
    }
  })

  it('lists a peer whose toolchain is installed as available', async () => {
    const list = await lab({ peerAvailability: only(['kazoo']) }).listStrategies()
    expect(list.find((s) => s.name === 'kazoo')).toEqual({
      name: 'kazoo',
      kind: 'peer',
      description: expect.any(String) as string,
      available: true,
    })
    expect(list.find((s) => s.name === 'curator')).toMatchObject({
      available: false,
      problem: "curator's toolchain is missing",
      install: 'sudo apt-get install curator-pkg',
    })
  })

  it('refuses a missing peer with its install command, and lets the rest through', async () => {
    const l = lab({ peerAvailability: only(['kazoo']) })
    await expect(l.requireStrategies(['seed', 'recipe', 'kazoo'])).resolves.toBeUndefined()
    const refused = l.requireStrategies(['recipe', 'seed-go'])
    await expect(refused).rejects.toBeInstanceOf(PeerUnavailableError)
    await expect(refused).rejects.toThrow(/seed-go.*toolchain is missing.*sudo apt-get install seed-go-pkg/)
  })

  it('takes the strategies of a run from its tasks, the override, or none for external programs', () => {
    expect(scenarioStrategies(scenario)).toEqual(['kazoo', 'recipe'])
    expect(scenarioStrategies(scenario, { strategy: 'curator' })).toEqual(['curator', 'curator'])
    expect(scenarioStrategies(scenario, { external: { command: '/bin/true', args: [], env: {} } })).toEqual([])
  })

  it('refuses a run whose peer is missing before its session exists', async () => {
    const sessionsDir = join(dir, 'refused')
    const l = lab({ peerAvailability: only([]) })
    await expect(runScenarioInLab(l, scenario, { sessionsDir })).rejects.toThrow(
      /kazoo.*sudo apt-get install kazoo-pkg/,
    )
    expect(l.sessionDir).toBeUndefined()
    expect(() => readdirSync(sessionsDir)).toThrow(/ENOENT/)
  })

  it('is one more method of the API, taking no argument', () => {
    expect(parseLabCall('listStrategies', undefined)).toEqual({ method: 'listStrategies', input: undefined })
    expect(() => parseLabCall('listStrategies', { all: true })).toThrow(LabInputError)
  })

  it("lets a page pick a peer as it picks the lab's worker; a program of the page's choosing still asks", () => {
    expect(remoteCallGate('listStrategies', undefined)).toBeUndefined()
    expect(remoteCallGate('addWorkers', { task: 't', count: 1, strategy: 'kazoo' })).toBeUndefined()
    expect(remoteCallGate('runScenario', { name: 'kill-primary', strategy: 'curator' })).toBeUndefined()
    expect(remoteCallGate('addWorkers', { task: 't', count: 1, external: { command: '/bin/sh', args: [] } })).toEqual(
      expect.objectContaining({ kind: 'runs-program', program: '/bin/sh' }),
    )
  })

  it('prints a strategy as zklab strategies does', () => {
    expect(formatStrategy({ name: 'recipe', kind: 'lab', description: 'the fixed recipe', available: true })).toBe(
      'recipe     lab   available\n                 the fixed recipe',
    )
    expect(
      formatStrategy({
        name: 'kazoo',
        kind: 'peer',
        description: 'kazoo',
        available: false,
        problem: 'python3-kazoo is not installed',
        install: 'sudo apt-get install python3-kazoo',
      }),
    ).toMatch(
      /^kazoo {6}peer {2}not available: python3-kazoo is not installed; install with: sudo apt-get install python3-kazoo\n/,
    )
  })
})
