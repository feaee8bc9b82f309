/**
 * createZooKeeper(), the Lab facade's entry point: the session setting (mode, servers, port, tick)
 * becomes a running provider; describe() is what session.json records; serverAction() is what the
 * UI, scenarios and the CLI call; a session closing through the Supervisor is a stop, not a crash.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { conf, createZooKeeper, isPortFree, srvr } from '../../src/core/zookeeper/index.js'
import { LabEventTypes } from '../../src/shared/events.js'
import { waitFor } from './helpers/wait.js'
import { makeSession, processesUnder, type LabSession } from './helpers/zookeeper-lab.js'
import { anyString, stringMatching } from '../matchers.js'

/** Three consecutive free loopback ports, for an ensemble given a first client port. */
async function consecutiveFreePorts(count: number): Promise<number> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const base = 20000 + Math.floor(Math.random() * 12000)
    const free = await Promise.all(Array.from({ length: count }, (_, i) => isPortFree(base + i)))
    if (free.every(Boolean)) return base
  }
  throw new Error('no run of free ports found')
}

describe('createZooKeeper (the Lab facade’s runtime)', () => {
  let lab: LabSession | undefined

  afterEach(async () => {
    const dir = lab?.sessionDir
    await lab?.close()
    if (dir) expect(processesUnder(dir)).toEqual([])
  })

  it('runs the standalone setting, describes it, acts on it, and is stopped by the supervisor cleanly', async () => {
    lab = makeSession('zklab-rt-')
    const zk = createZooKeeper({ mode: 'standalone', tickTimeMs: 400 }, lab)
    expect(zk.servers()).toEqual([])
    expect(() => zk.connectString()).toThrow(/not been started/)
    await zk.start()
    const described = zk.describe()
    expect(described).toMatchObject({
      kind: 'standalone',
      java: { version: anyString() },
      zookeeper: { version: stringMatching(/^\d/) },
    })
    expect(described.servers).toHaveLength(1)
    const port = zk.servers()[0].clientPort
    expect((await conf(port)).tickTime).toBe('400')

    await zk.serverAction(1, 'pause')
    expect(zk.servers()[0].state).toBe('paused')
    await zk.serverAction(1, 'resume')
    await zk.serverAction(1, 'restart')
    expect((await srvr(port)).serving).toBe(true)

    // Session close: the supervisor stops everything; the server must read as stopped, not crashed.
    await lab.supervisor.stopAll(3000)
    await waitFor(() => zk.servers()[0].state !== 'running', 10_000)
    expect(zk.servers()[0]).toMatchObject({ state: 'stopped', lastExit: { how: 'stop' } })
    expect(lab.events.filter((e) => e.type === LabEventTypes.zkStopped).at(-1)).toMatchObject({ how: 'stop' })
  })

  it('runs an ensemble from a first client port', async () => {
    lab = makeSession('zklab-rt-')
    const first = await consecutiveFreePorts(3)
    const zk = createZooKeeper({ mode: 'ensemble', servers: 3, port: first }, lab)
    await zk.start()
    expect(zk.servers().map((s) => s.clientPort)).toEqual([first, first + 1, first + 2])
    expect(await zk.leader()).toBeDefined()
    await zk.serverAction(2, 'stop')
    expect(zk.servers()[1].state).toBe('stopped')
    await zk.serverAction(2, 'start')
    await zk.waitUntilServing({ all: true })
    await zk.stop()
  })
})
