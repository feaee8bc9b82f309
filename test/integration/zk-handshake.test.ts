/**
 * A worker's proxy reads each session off the ZooKeeper handshake: a real ZooKeeper, a real client
 * (the `zookeeper` addon the lab's workers use) connecting through a WorkerNetwork, real faults.
 */
import { afterAll, describe, expect, it } from 'vitest'
import { WorkerNetwork } from '../../src/core/faults/worker-network.js'
import type { ProxiedHandshake } from '../../src/core/faults/tcp-proxy.js'
import { normalizeSessionId } from '../../src/core/txnlog/txn-log-file.js'
import { SESSION_EXPIRED_CLOSE, ZkClient } from '../../src/worker/common/zk.js'
import { useStandaloneZk, type StandaloneZk } from './helpers/standalone-zk.js'
import { waitFor } from './helpers/wait.js'

const SESSION_TIMEOUT = 2000

describe('session handshakes read at the proxy (real ZooKeeper)', () => {
  let zk: StandaloneZk
  useStandaloneZk((server) => (zk = server))
  const clients: ZkClient[] = []
  let network: WorkerNetwork | undefined
  afterAll(async () => {
    for (const client of clients) client.close()
    await network?.close()
  })

  function connect(connectString: string): ZkClient {
    const client = new ZkClient({ connect: connectString, sessionTimeoutMs: SESSION_TIMEOUT })
    clients.push(client)
    return client
  }

  it('reports a new session, its resume after a reset, and its expiry after a long partition', async () => {
    const seen: ProxiedHandshake[] = []
    network = await WorkerNetwork.open('worker-t-1', zk.connect, (h) => seen.push(h))
    const upstream = zk.connect.split('/')[0]

    const client = connect(network.connectString)
    await waitFor(() => client.state === 'connected' && seen.length === 1)
    const own = normalizeSessionId(client.sessionId)
    expect(seen[0]).toEqual({ sessionId: own, how: 'new', timeoutMs: SESSION_TIMEOUT, server: upstream })

    // A reset: the client reconnects on its own and ZooKeeper hands back the same session.
    await network.apply({ fault: 'reset' })
    await waitFor(() => seen.length >= 2 && client.state === 'connected')
    expect(seen[1]).toMatchObject({ sessionId: own, how: 'resumed', timeoutMs: SESSION_TIMEOUT })

    // A partition well past the session timeout: ZooKeeper expires the session, and after the heal
    // answers the client's resume with 0/0. The addon does not open a new session by itself (it
    // closes), so a new client does, as the lab's workers do.
    await network.apply({ fault: 'partition' })
    await new Promise((r) => setTimeout(r, 2 * SESSION_TIMEOUT + 1500))
    await network.apply({ fault: 'heal' })
    await waitFor(() => client.state === 'closed')
    expect(client.closeCode).toBe(SESSION_EXPIRED_CLOSE)
    expect(seen.slice(2)).toEqual([{ sessionId: own, how: 'expired', timeoutMs: 0, server: upstream }])

    const next = connect(network.connectString)
    await waitFor(() => next.state === 'connected' && seen.length === 4)
    const nextId = normalizeSessionId(next.sessionId)
    expect(nextId).not.toBe(own)
    expect(seen[3]).toEqual({ sessionId: nextId, how: 'new', timeoutMs: SESSION_TIMEOUT, server: upstream })
  })
})
