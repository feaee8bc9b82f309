/**
 * The Docker provider with the official `zookeeper` image. It runs only where a Docker engine
 * answers; elsewhere every test reports itself skipped, with Docker's reason in the suite's name.
 */
import { afterAll, describe, expect, it } from 'vitest'
import { DockerZooKeeper, dockerAvailability, listeningTcpSockets } from '../../src/core/zookeeper/index.js'
import { makeSession, zkClient, type LabSession } from './helpers/zookeeper-lab.js'

const docker = await dockerAvailability()
const title = docker.available ? `Docker ZooKeeper (${docker.reason})` : `Docker ZooKeeper (skipped: ${docker.reason})`

describe(title, () => {
  let lab: LabSession | undefined
  let zk: DockerZooKeeper | undefined

  afterAll(async () => {
    await zk?.stop().catch(() => {})
    await lab?.close()
  })

  // Skipped where no Docker engine answers (CI's machines have none and cannot install one); the suite's title
  // carries Docker's own reason.
  it.skipIf(!docker.available)(
    'runs zookeeper:3.8 on a loopback port, keeps data across restart, stops',
    { timeout: 600_000 },
    async () => {
      lab = makeSession('zklab-docker-')
      zk = new DockerZooKeeper(lab, { readyTimeoutMs: 480_000 })
      await zk.start()
      const [server] = zk.servers()
      expect(server).toMatchObject({ state: 'running', mode: 'standalone', host: '127.0.0.1' })
      // Published on 127.0.0.1 only (docker-proxy or the engine's NAT rule; the host socket, where there is one, is loopback).
      const exposed = (await listeningTcpSockets()).filter((s) => s.port === server.clientPort)
      expect(exposed.filter((s) => s.address !== '127.0.0.1')).toEqual([])

      expect(await zkClient(zk.connectString(), 'create', '/x', 'y')).toMatchObject({ ok: true })
      await zk.server(1).restart()
      expect(await zkClient(zk.connectString(), 'get', '/x')).toMatchObject({ ok: true, data: 'y' })
      await zk.stop()
      expect(zk.servers()[0].state).toBe('stopped')
    },
  )
})
