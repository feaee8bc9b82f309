/**
 * Workers' proxies run on the lab's network thread: a real ZooKeeper, a real client in its own
 * process, and a round trip through its proxy while the lab's main thread is blocked.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'
import { NetworkThread, networkThreadEntry } from '../../src/core/faults/network-thread.js'
import { WorkerNetwork } from '../../src/core/faults/worker-network.js'
import { useStandaloneZk, type StandaloneZk } from './helpers/standalone-zk.js'
import { waitFor } from './helpers/wait.js'
import { CreateMode, SESSION_EXPIRED_CLOSE, ZkClient } from '../../src/worker/common/zk.js'

const CLIENT = join(dirname(fileURLToPath(import.meta.url)), 'helpers', 'timed-round-trip.mjs')
const BLOCK_MS = 1500
/** Short, so the one-way partition's expiry comes soon (the server's ticks are 500 ms). */
const ONE_WAY_SESSION_MS = 2000

describe("the lab's network thread (real ZooKeeper, a client process)", () => {
  let zk: StandaloneZk
  let direct: ZkClient
  useStandaloneZk((server, client) => {
    zk = server
    direct = client
  })
  const thread = new NetworkThread()
  let child: ChildProcess | undefined
  afterAll(async () => {
    if (child?.pid && child.exitCode === null) process.kill(child.pid, 'SIGKILL')
    await thread.stop()
  })

  it('carries a round trip while the main thread is blocked, and hears its handshake after', async () => {
    const heard: { at: number; sessionId: string }[] = []
    const network = await WorkerNetwork.open(
      'worker-t-1',
      zk.connect,
      (handshake, at) => heard.push({ at, sessionId: handshake.sessionId }),
      thread,
    )
    expect(thread.running).toBe(true)

    child = spawn(process.execPath, [CLIENT, network.connectString], { stdio: ['pipe', 'pipe', 'inherit'] })
    const lines: Record<string, number | string | boolean>[] = []
    let buffered = ''
    child.stdout!.setEncoding('utf8')
    child.stdout!.on('data', (chunk: string) => {
      buffered += chunk
      for (let nl = buffered.indexOf('\n'); nl !== -1; nl = buffered.indexOf('\n')) {
        const line = buffered.slice(0, nl)
        // Only the helper's JSON lines: a message of the addon's own (if it ever prints one) is not ours.
        if (line.startsWith('{')) lines.push(JSON.parse(line) as Record<string, number | string | boolean>)
        buffered = buffered.slice(nl + 1)
      }
    })
    await waitFor(() => lines.some((l) => l.ready) && heard.length === 1)

    // The client starts its round trip 300 ms from now; the main thread is blocked from before then
    // until well after, so only a data path off the main thread can carry it in time.
    const roundTripAt = Date.now() + 300
    child.stdin!.write(`${roundTripAt}\n`)
    await new Promise((r) => setTimeout(r, 100))
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, roundTripAt + BLOCK_MS - 300 - Date.now())
    const unblockedAt = Date.now()

    await waitFor(() => lines.some((l) => 'doneAt' in l || 'error' in l), 10_000)
    const result = lines.find((l) => 'doneAt' in l || 'error' in l)!
    expect(result.error).toBeUndefined()
    const doneAt = result.doneAt as number
    expect(unblockedAt).toBeGreaterThan(doneAt)
    expect(doneAt - roundTripAt).toBeLessThan(1000)

    // The handshake was timed when the thread read it, before the main thread heard of it.
    expect(heard[0].at).toBeLessThan(roundTripAt)

    // Let the client close its session before its proxy goes (it exits when stdin ends).
    const exited = new Promise((resolve) => child!.once('exit', resolve))
    child.stdin!.end()
    if (child.exitCode === null) await exited
    await network.close()
    expect(thread.running).toBe(false)
  })

  it('a downstream-only partition: ZooKeeper expires the session and the client is not told until the heal', async () => {
    const network = await WorkerNetwork.open('worker-t-2', zk.connect, undefined, thread)
    const client = new ZkClient({ connect: network.connectString, sessionTimeoutMs: ONE_WAY_SESSION_MS })
    try {
      await waitFor(() => client.state === 'connected', 10_000)
      const node = await client.create(`/one-way-${process.pid}`, '', CreateMode.EPHEMERAL)
      await network.apply({ fault: 'partition', direction: 'downstream' })
      expect(network.condition.toxics.map((t) => `${t.kind} ${t.stream}`)).toEqual(['partition down'])
      // The client's requests still reach ZooKeeper but no answer comes back; its reconnects cannot
      // complete a TCP handshake through the cut, so ZooKeeper stops hearing it and expires the session.
      await waitFor(async () => (await direct.exists(node)) === null, 20_000, 100)
      await new Promise((r) => setTimeout(r, 500))
      expect(client.state).toBe('connecting')
      // After the heal the client reaches ZooKeeper again and learns its session has expired.
      await network.apply({ fault: 'heal' })
      await waitFor(() => client.state === 'closed', 15_000)
      expect(client.closeCode).toBe(SESSION_EXPIRED_CLOSE)
    } finally {
      client.close()
      await network.close()
    }
  })

  it('names the problem and the fix when its entry cannot be found', () => {
    expect(() => networkThreadEntry('/nonexistent-lab')).toThrow(/network thread is missing.*npm run build/)
  })
})
