/**
 * A real 3-server ensemble (QuorumPeerMain ×3 under the Supervisor), its servers linked through the
 * lab's per-link proxies: roles, loopback-only binding, killing the leader → a new election, losing
 * and regaining the quorum, partitions between the servers, and a clean shutdown.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { NetworkThread } from '../../src/core/faults/network-thread.js'
import { ServerLinks } from '../../src/core/faults/server-links.js'
import { listeningSocketsOf, ZooKeeperEnsemble, type ServerStatus } from '../../src/core/zookeeper/index.js'
import { LabEventTypes } from '../../src/shared/events.js'
import { makeSession, processesUnder, zkClient, type LabSession } from './helpers/zookeeper-lab.js'

const roles = (statuses: ServerStatus[]) =>
  statuses
    .map((s) => (s.srvr?.serving ? s.srvr.mode : 'not-serving'))
    .sort()
    .join(',')

describe('ensemble of 3 (real Java processes)', () => {
  let lab: LabSession
  let zk: ZooKeeperEnsemble
  let links: ServerLinks | undefined
  const thread = new NetworkThread()

  beforeAll(async () => {
    lab = makeSession('zklab-ens-')
    zk = new ZooKeeperEnsemble(lab, {
      size: 3,
      routePeers: async (ports) => {
        links = await ServerLinks.open(thread, ports)
        return (from, to) => links!.route(from, to)
      },
    })
    const t0 = Date.now()
    await zk.start()
    const quorumMs = Date.now() - t0
    await zk.waitUntilServing({ all: true, timeoutMs: 60_000 })
    console.info(`ensemble: start() to serving quorum in ${quorumMs} ms, all 3 serving after ${Date.now() - t0} ms`)
  })

  afterAll(async () => {
    const dir = lab.sessionDir
    await lab.close()
    await links?.close()
    await thread.stop()
    expect(processesUnder(dir)).toEqual([])
  })

  it('has one leader and two followers, each on its own loopback ports', async () => {
    const statuses = await zk.status()
    expect(roles(statuses)).toBe('follower,follower,leader')
    const servers = zk.servers()
    expect(servers.map((s) => s.name)).toEqual(['zk-1', 'zk-2', 'zk-3'])
    const ports = servers.flatMap((s) => [s.clientPort, s.quorumPort, s.electionPort])
    expect(new Set(ports).size).toBe(9)
    expect(zk.connectString()).toBe(servers.map((s) => `127.0.0.1:${s.clientPort}`).join(','))
    for (const s of servers) {
      const sockets = await listeningSocketsOf(s.pid!)
      expect(sockets).toContainEqual(expect.objectContaining({ address: '127.0.0.1', port: s.clientPort }))
      expect(sockets).toContainEqual(expect.objectContaining({ address: '127.0.0.1', port: s.electionPort }))
      expect(sockets.filter((x) => x.address !== '127.0.0.1')).toEqual([])
    }
    expect(lab.events.filter((e) => e.type === LabEventTypes.zkReady)).toHaveLength(3)
  })

  it('elects a new leader when the leader is killed, and keeps serving', async () => {
    expect(await zkClient(zk.connectString(), 'create', '/before-failover', 'kept')).toMatchObject({ ok: true })
    const old = (await zk.leader())!
    expect(old).toBeDefined()
    const t0 = Date.now()
    await zk.server(old.id).kill()
    await zk.waitUntilServing({ timeoutMs: 60_000 })
    const electedMs = Date.now() - t0
    const fresh = (await zk.leader())!
    console.info(`ensemble: leader zk-${old.id} killed, zk-${fresh.id} leads after ${electedMs} ms`)
    expect(fresh.id).not.toBe(old.id)
    expect(roles(await zk.status())).toBe('follower,leader,not-serving')
    expect(zk.server(old.id).info()).toMatchObject({ state: 'stopped', lastExit: { how: 'kill' } })
    // The survivors still hold the data and take writes.
    expect(await zkClient(zk.connectString(), 'get', '/before-failover')).toMatchObject({ ok: true, data: 'kept' })
    expect(await zkClient(zk.connectString(), 'create', '/after-failover', 'new')).toMatchObject({ ok: true })

    // The old leader comes back as a follower and catches up.
    await zk.server(old.id).start()
    await zk.waitUntilServing({ all: true, timeoutMs: 60_000 })
    expect(roles(await zk.status())).toBe('follower,follower,leader')
    const oldPort = zk.server(old.id).info().clientPort
    expect(await zkClient(`127.0.0.1:${oldPort}`, 'get', '/after-failover')).toMatchObject({ ok: true, data: 'new' })
  })

  it('stops serving without a quorum, and serves again when one returns', async () => {
    const [a, b] = zk.servers().filter((s) => s.mode === 'follower')
    await zk.server(a.id).stop()
    const leader = (await zk.leader())!
    await zk.server(leader.id).stop()
    // The one left runs but cannot serve: a quorum of 3 is 2.
    const [alone] = zk.servers().filter((s) => s.state === 'running')
    expect(alone.id).toBe(b.id)
    await expect(zk.waitUntilServing({ timeoutMs: 3000 })).rejects.toThrow(/Only 1 of 3 servers run; a quorum needs 2/)
    expect((await zk.server(alone.id).status()).srvr).toMatchObject({ serving: false })
    expect(lab.events).toContainEqual(
      expect.objectContaining({ type: LabEventTypes.zkMode, server: alone.id, mode: 'not-serving' }),
    )

    // Starting one more makes a quorum again; start() waits for it to serve since a quorum is possible.
    await zk.server(a.id).start()
    await zk.waitUntilServing({ timeoutMs: 60_000 })
    expect(await zk.leader()).toBeDefined()
    await zk.server(leader.id).start()
    await zk.waitUntilServing({ all: true, timeoutMs: 60_000 })
    expect(roles(await zk.status())).toBe('follower,follower,leader')
  })

  it('pausing the leader makes the others elect a new one', async () => {
    const old = (await zk.leader())!
    zk.server(old.id).pause()
    expect(zk.server(old.id).info().state).toBe('paused')
    // Followers notice a silent leader after syncLimit ticks (10 × 500 ms) and elect among themselves.
    await zk.waitUntilServing({ timeoutMs: 60_000 })
    const fresh = (await zk.leader())!
    expect(fresh.id).not.toBe(old.id)
    zk.server(old.id).resume()
    await zk.waitUntilServing({ all: true, timeoutMs: 60_000 })
    expect(roles(await zk.status())).toBe('follower,follower,leader')
  })

  it('cutting the leader off from both followers elects a new leader, and the old one stops serving', async () => {
    await zk.waitUntilServing({ all: true, timeoutMs: 60_000 })
    const old = (await zk.leader())!
    const others = zk.servers().filter((s) => s.id !== old.id)
    await links!.set(
      others.flatMap((s) => [
        { from: old.id, to: s.id },
        { from: s.id, to: old.id },
      ]),
    )
    expect(links!.state().filter((l) => l.aToB && l.bToA)).toHaveLength(2)
    // The followers lose their leader after syncLimit ticks and elect one of themselves.
    const deadline = Date.now() + 60_000
    let statuses = await zk.status()
    while (Date.now() < deadline) {
      statuses = await zk.status()
      const leader = statuses.find((s) => s.srvr?.serving && s.srvr.mode === 'leader')
      const oldServes = statuses.find((s) => s.id === old.id)?.srvr?.serving
      if (leader && leader.id !== old.id && !oldServes) break
      await new Promise((resolve) => setTimeout(resolve, 250))
    }
    const fresh = statuses.find((s) => s.srvr?.serving && s.srvr.mode === 'leader')
    expect(fresh?.id).toBeDefined()
    expect(fresh!.id).not.toBe(old.id)
    // The new leader's epoch (the zxid's high 32 bits) is past the old one's.
    expect(statuses.find((s) => s.id === old.id)?.srvr?.serving).toBe(false)
    // The majority takes writes; the isolated server does not serve at all.
    expect(
      await zkClient(
        zk
          .connectString()
          .split(',')
          .filter((_, i) => i + 1 !== old.id)
          .join(','),
        'create',
        '/during-partition',
        'x',
      ),
    ).toMatchObject({ ok: true })

    await links!.set([])
    await zk.waitUntilServing({ all: true, timeoutMs: 60_000 })
    const oldPort = zk.server(old.id).info().clientPort
    expect(await zkClient(`127.0.0.1:${oldPort}`, 'get', '/during-partition')).toMatchObject({ ok: true, data: 'x' })
  })

  it('a follower cut off in a minority stops serving, while the majority goes on taking writes', async () => {
    const follower = zk.servers().find((s) => s.mode === 'follower')!
    const others = zk.servers().filter((s) => s.id !== follower.id)
    await links!.set(
      others.flatMap((s) => [
        { from: follower.id, to: s.id },
        { from: s.id, to: follower.id },
      ]),
    )
    // A follower that hears no leader for syncLimit ticks gives up serving and looks for one it cannot find.
    const deadline = Date.now() + 60_000
    let serving = true
    while (serving && Date.now() < deadline) {
      serving = (await zk.server(follower.id).status()).srvr?.serving ?? false
      if (serving) await new Promise((resolve) => setTimeout(resolve, 250))
    }
    expect(serving).toBe(false)
    const majority = others.map((s) => `127.0.0.1:${s.clientPort}`).join(',')
    expect(await zkClient(majority, 'create', '/minority-cut', 'm')).toMatchObject({ ok: true })

    await links!.set([])
    await zk.waitUntilServing({ all: true, timeoutMs: 60_000 })
    expect(await zkClient(`127.0.0.1:${follower.clientPort}`, 'get', '/minority-cut')).toMatchObject({
      ok: true,
      data: 'm',
    })
  })

  it('stop() ends every server', async () => {
    await zk.stop()
    expect(zk.servers().map((s) => s.state)).toEqual(['stopped', 'stopped', 'stopped'])
    expect(processesUnder(lab.sessionDir)).toEqual([])
  })
})
