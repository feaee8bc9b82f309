/**
 * The standalone provider against Debian's real ZooKeeper: readiness, loopback-only binding, data
 * surviving restarts, pause/resume, crash detection, and the errors for a taken port or a missing
 * Java/ZooKeeper. Every Java process runs through the lab's Supervisor.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer, type Server } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  ExternalZooKeeper,
  StandaloneZooKeeper,
  ZooKeeperOperationUnavailableError,
  ZooKeeperPortInUseError,
  ZooKeeperSetupError,
  ZooKeeperStartError,
  listeningSocketsOf,
  srvr,
} from '../../src/core/zookeeper/index.js'
import { LabEventTypes } from '../../src/shared/events.js'
import { waitFor } from './helpers/wait.js'
import { makeSession, processesUnder, zkClient, type LabSession } from './helpers/zookeeper-lab.js'

describe('standalone ZooKeeper (real Java process)', () => {
  let lab: LabSession
  let zk: StandaloneZooKeeper

  beforeAll(async () => {
    lab = makeSession()
    zk = new StandaloneZooKeeper(lab)
    const t0 = Date.now()
    await zk.start()
    console.info(
      `standalone: start() to serving in ${Date.now() - t0} ms (spawn → serving ${zk.servers()[0]?.timings?.servingMs} ms)`,
    )
  })

  afterAll(async () => {
    const dir = lab.sessionDir
    await lab.close()
    expect(processesUnder(dir)).toEqual([])
  })

  it('serves once started, and says so in events', async () => {
    const [server] = zk.servers()
    expect(server).toMatchObject({ id: 1, name: 'zk-1', host: '127.0.0.1', state: 'running', mode: 'standalone' })
    expect(zk.connectString()).toBe(`127.0.0.1:${server.clientPort}`)
    const state = await srvr(server.clientPort)
    expect(state.serving && state.mode).toBe('standalone')
    expect(lab.events).toContainEqual(
      expect.objectContaining({ type: LabEventTypes.zkStarting, server: 1, name: 'zk-1', port: server.clientPort }),
    )
    expect(lab.events).toContainEqual(
      expect.objectContaining({ type: LabEventTypes.zkReady, server: 1, mode: 'standalone', pid: server.pid }),
    )
    // Its log goes through the supervisor (stdout → log events).
    expect(lab.events.some((e) => e.source === 'zk-1' && e.type === 'log')).toBe(true)
  })

  it('listens on 127.0.0.1 only', async () => {
    const { pid, clientPort } = zk.servers()[0]
    const sockets = await listeningSocketsOf(pid!)
    expect(sockets).toContainEqual(expect.objectContaining({ address: '127.0.0.1', port: clientPort }))
    expect(sockets.filter((s) => s.address !== '127.0.0.1')).toEqual([])
  })

  it('keeps the tree across stop → start, kill → start and restart', async () => {
    const connect = zk.connectString()
    expect(await zkClient(connect, 'create', '/x', 'y')).toMatchObject({ ok: true, path: '/x' })

    await zk.server(1).restart()
    expect(zk.servers()[0].state).toBe('running')
    expect(await zkClient(connect, 'get', '/x')).toMatchObject({ ok: true, data: 'y' })

    await zkClient(connect, 'set', '/x', 'z')
    await zk.server(1).kill()
    expect(zk.servers()[0]).toMatchObject({ state: 'stopped', lastExit: { how: 'kill', signal: 'SIGKILL' } })
    await zk.server(1).start()
    expect(await zkClient(connect, 'get', '/x')).toMatchObject({ ok: true, data: 'z' })

    await zk.stop()
    expect(zk.servers()[0].state).toBe('stopped')
    await zk.start()
    expect(zk.connectString()).toBe(connect) // same port again
    expect(await zkClient(connect, 'get', '/x')).toMatchObject({ ok: true, data: 'z' })
    expect(lab.events.filter((e) => e.type === LabEventTypes.zkStopped).map((e) => e.how)).toEqual([
      'stop',
      'kill',
      'stop',
    ])
  })

  it('pauses (no answers) and resumes', async () => {
    const server = zk.server(1)
    server.pause()
    expect(server.info().state).toBe('paused')
    const paused = await server.status()
    expect(paused.reachable).toBe(false)
    // The kernel still accepts the connection, but the stopped JVM never answers.
    await expect(srvr(server.info().clientPort, { timeoutMs: 500 })).rejects.toMatchObject({ code: 'ETIMEDOUT' })
    server.resume()
    expect(server.info().state).toBe('running')
    await zk.waitUntilServing({ timeoutMs: 30_000 })
    expect((await server.status()).srvr).toMatchObject({ serving: true, mode: 'standalone' })
  })

  it('reports status and metrics from the four-letter words', async () => {
    const [status] = await zk.status()
    expect(status).toMatchObject({ reachable: true, srvr: { serving: true, mode: 'standalone' } })
    const metrics = await zk.server(1).metrics()
    expect(metrics.serving && metrics.values.zk_server_state).toBe('standalone')
    expect(metrics.serving && typeof metrics.values.zk_znode_count).toBe('number')
    expect(await zk.leader()).toMatchObject({ id: 1, mode: 'standalone' })
  })

  it('notices a crash it did not cause', async () => {
    const { pid } = zk.servers()[0]
    process.kill(pid!, 'SIGKILL')
    await waitFor(() => zk.servers()[0].state === 'crashed', 30_000)
    expect(zk.servers()[0].lastExit).toMatchObject({ how: 'crashed', signal: 'SIGKILL' })
    expect(lab.events).toContainEqual(expect.objectContaining({ type: LabEventTypes.zkStopped, how: 'crashed' }))
    await zk.server(1).start()
    expect(zk.servers()[0].state).toBe('running')
  })

  it('is usable as an external ZooKeeper, which refuses process control', async () => {
    const external = new ExternalZooKeeper(undefined, { connectString: zk.connectString() })
    await external.start()
    expect(external.servers()[0]).toMatchObject({ host: '127.0.0.1', state: 'running', mode: 'standalone' })
    expect((await external.status())[0]).toMatchObject({ reachable: true, srvr: { serving: true } })
    await expect(external.server(1).stop()).rejects.toThrow(ZooKeeperOperationUnavailableError)
    await expect(external.server(1).kill()).rejects.toThrow(/not available for an external ZooKeeper/)
    expect(() => external.server(1).pause()).toThrow(/not available for an external ZooKeeper/)
  })
})

describe('standalone ZooKeeper: set-up errors', () => {
  let lab: LabSession
  let holder: Server | undefined
  const empty = mkdtempSync(join(tmpdir(), 'zklab-empty-'))

  beforeAll(() => {
    lab = makeSession()
  })

  afterAll(async () => {
    holder?.close()
    const dir = lab.sessionDir
    await lab.close()
    rmSync(empty, { recursive: true, force: true })
    expect(processesUnder(dir)).toEqual([])
  })

  it('names a taken port and the fix, without starting Java', async () => {
    holder = createServer()
    const port = await new Promise<number>((resolve) =>
      holder!.listen(0, '127.0.0.1', () => resolve((holder!.address() as { port: number }).port)),
    )
    const zk = new StandaloneZooKeeper(lab, { port })
    const err = await zk.start().then(
      () => undefined,
      (e: unknown) => e,
    )
    expect(err).toBeInstanceOf(ZooKeeperPortInUseError)
    expect((err as Error).message).toContain(`Port ${port} on 127.0.0.1`)
    expect((err as Error).message).toContain('already in use')
    expect((err as Error).message).toContain(`pid ${process.pid}`)
    expect((err as Error).message).toMatch(/choose another port|leave the port unset/)
    expect(lab.supervisor.get('zk-1')).toBeUndefined()
  })

  it('says Java is missing when JAVA_HOME and PATH hold no java', async () => {
    const zk = new StandaloneZooKeeper(lab, { env: { JAVA_HOME: empty, PATH: empty } })
    const err = await zk.start().catch((e: unknown) => e)
    expect(err).toBeInstanceOf(ZooKeeperSetupError)
    expect((err as ZooKeeperSetupError).missing).toEqual(['java'])
    expect((err as Error).message).toMatch(
      /^Java not found .*JAVA_HOME=.*: install a JRE 11\+ \(Debian\/Ubuntu: apt-get install default-jre-headless\) or set JAVA_HOME$/,
    )
  })

  it('says ZooKeeper is missing when ZOOKEEPER_HOME is an empty folder', async () => {
    const zk = new StandaloneZooKeeper(lab, { env: { ...process.env, ZOOKEEPER_HOME: empty } })
    const err = await zk.start().catch((e: unknown) => e)
    expect(err).toBeInstanceOf(ZooKeeperSetupError)
    expect((err as ZooKeeperSetupError).missing).toEqual(['zookeeper'])
    expect((err as Error).message).toContain(`ZooKeeper not found in ZOOKEEPER_HOME=${empty}`)
    expect((err as Error).message).toContain('apt-get install zookeeper')
  })

  it('shows the server log when Java cannot start ZooKeeper', async () => {
    // A bad JVM flag makes java exit at once: the error carries what it printed.
    const zk = new StandaloneZooKeeper(lab, { jvmFlags: ['-XX:+ThisFlagDoesNotExist'], readyTimeoutMs: 60_000 })
    const err = await zk.start().catch((e: unknown) => e)
    expect(err).toBeInstanceOf(ZooKeeperStartError)
    expect((err as Error).message).toMatch(/zk-1 exited \(code 1\) before it was ready/)
    expect((err as Error).message).toContain('ThisFlagDoesNotExist')
    expect(lab.events).toContainEqual(expect.objectContaining({ type: LabEventTypes.zkFailed, server: 1 }))
  })

  it('an external connect string nobody answers fails start() clearly', async () => {
    const external = new ExternalZooKeeper(undefined, { connectString: '127.0.0.1:1', reachTimeoutMs: 1500 })
    await expect(external.start()).rejects.toThrow(/No server of the external ZooKeeper '127\.0\.0\.1:1' answered/)
  })
})
