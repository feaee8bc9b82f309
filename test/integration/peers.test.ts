/**
 * The built-in peers as real programs against a real ZooKeeper: each is built (into a cache shared by
 * the file), run as two or three real processes on a published task, and watched through ZooKeeper and
 * the sink. seed-go shows the seed's flap; kazoo and curator hand over on SIGTERM without waiting for
 * the session to expire.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { ExternalWorker } from '../../src/shared/api.js'
import type { PeerStrategy } from '../../src/shared/worker-launch/index.js'
import { externalProcess } from '../../src/core/external/external-worker.js'
import { preparePeer } from '../../src/core/peers/index.js'
import { readSink, type SinkRecord } from '../../src/core/session-folder/sinks.js'
import type { ZkClient } from '../../src/worker/common/zk.js'
import { taskPaths } from '../../src/worker/common/paths.js'
import { useStandaloneZk, type StandaloneZk } from './helpers/standalone-zk.js'
import { runProgram } from './helpers/worker-process.js'
import { waitFor } from './helpers/wait.js'

const ROOT = '/customBackUp'
// The most a tickTime-500 server grants: a handover well under it did not wait for an expiry.
const SESSION_TIMEOUT = 10_000
const COMMIT_INTERVAL = 200

let zk: StandaloneZk
let client: ZkClient
let dir: string
const specs = new Map<PeerStrategy, ExternalWorker>()
const PEERS = ['seed-go', 'kazoo', 'curator'] as const

useStandaloneZk((started, connected) => {
  zk = started
  client = connected
})
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'zklab-test-peers-'))
  // A fresh cache: the file builds each compiled peer once, and every test reuses it. The set-up
  // script installs every toolchain (--with-peers), so a missing one fails here with its install command.
  for (const peer of PEERS) specs.set(peer, await preparePeer(peer, { cacheDir: join(dir, 'cache') }))
}, 60_000)
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true })
})

interface Peer {
  id: number
  child: ChildProcess
  output: string
  exited: Promise<void>
}
const running = new Set<Peer>()
afterEach(async () => {
  for (const p of running) p.child.kill('SIGKILL')
  await Promise.all([...running].map((p) => p.exited))
})

function startPeer(peer: PeerStrategy, task: string, id: number, sink: string): Peer {
  const { command, args, env } = externalProcess(specs.get(peer)!, {
    connect: zk.connect,
    root: ROOT,
    task,
    workerId: id,
    sessionTimeoutMs: SESSION_TIMEOUT,
    commitIntervalMs: COMMIT_INTERVAL,
    sink,
    peer,
  })
  const child = spawn(command, args, { env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'] })
  const started: Peer = { id, child, output: '', exited: Promise.resolve() }
  started.exited = new Promise((resolve) => child.on('exit', () => (running.delete(started), resolve())))
  child.stdout.on('data', (chunk: Buffer) => (started.output += chunk.toString()))
  child.stderr.on('data', (chunk: Buffer) => (started.output += chunk.toString()))
  running.add(started)
  return started
}

async function publish(task: string): Promise<ReturnType<typeof taskPaths>> {
  const publisher = await runProgram('publisher', ['--connect', zk.connect, '--create', task])
  expect(publisher.exitCode).toBe(0)
  return taskPaths(ROOT, task)
}

const read = async (path: string) => (await client.get(path)).data.toString()
const lastCommit = async (paths: ReturnType<typeof taskPaths>) => Number((await read(paths.lastCommit)) || '0')

describe.each(['kazoo', 'curator'] as const)('the %s peer', (peer) => {
  const naming = { kazoo: /^[0-9a-f]{32}__lock__\d{10}$/, curator: /^_c_[0-9a-f-]{36}-latch-\d{10}$/ }[peer]

  it('leads, commits with a sink, and hands over on SIGTERM without waiting for the session timeout', async () => {
    const task = `${peer}01`
    const paths = await publish(task)
    const sink = join(dir, `${task}.log`)
    const first = startPeer(peer, task, 1, sink)
    await waitFor(async () => (await lastCommit(paths)) >= 3, 20_000)
    expect(await read(paths.status)).toBe('1')
    const second = startPeer(peer, task, 2, sink)
    await waitFor(async () => (await client.getChildren(paths.instance)).length === 2, 20_000)
    for (const child of await client.getChildren(paths.instance)) expect(child).toMatch(naming)

    const stopped = Date.now()
    first.child.kill('SIGTERM')
    await waitFor(() => readSink(sink).records.some((r) => r.worker === 2), SESSION_TIMEOUT)
    const handover = readSink(sink).records.find((r) => r.worker === 2)!.time - stopped
    await first.exited
    const after = await lastCommit(paths)
    await waitFor(async () => (await lastCommit(paths)) >= after + 2, 10_000)
    if (process.env.ZKLAB_PRINT_HANDOVER) console.info(`${peer} handover ${handover} ms`)

    // Well before ZooKeeper would have expired the first session (loose: a loaded machine).
    expect(handover).toBeLessThan(SESSION_TIMEOUT / 2)
    expect(first.output).toContain('session closed')
    const ids = readSink(sink).records.map((r: SinkRecord) => r.id)
    expect(ids).toEqual(ids.map((_, i) => i + 1)) // every id once, in order, nothing lost across the handover
    expect(second.child.exitCode).toBeNull()
  })
})

describe('the seed-go peer', () => {
  it('names its nodes as the seed does, commits, and flaps status to "0" when an instance joins behind a standby', async () => {
    const task = 'seedgo01'
    const paths = await publish(task)
    const sink = join(dir, `${task}.log`)
    const primary = startPeer('seed-go', task, 1, sink)
    await waitFor(async () => (await lastCommit(paths)) >= 2, 20_000)
    expect(await read(paths.status)).toBe('1')
    startPeer('seed-go', task, 2, sink)
    await waitFor(() => [...running].some((p) => p.id === 2 && p.output.includes('current server watch node')), 20_000)
    startPeer('seed-go', task, 3, sink)
    // The standby's ChildrenW fires on the third's registration and it writes "0" while the primary works on.
    await waitFor(async () => (await read(paths.status)) === '0', 20_000)
    const at = await lastCommit(paths)
    await waitFor(async () => (await lastCommit(paths)) >= at + 2, 10_000)
    expect(await read(paths.status)).toBe('0')

    const children = await client.getChildren(paths.instance)
    expect(children.sort()).toEqual([
      expect.stringMatching(/^server_1\d{10}$/),
      expect.stringMatching(/^server_2\d{10}$/),
      expect.stringMatching(/^server_3\d{10}$/),
    ])
    expect(primary.output).toMatch(/serverId\(1\),commitId:\d+/)
    // The seed keeps no sink.
    expect(readSink(sink).records).toEqual([])
  })
})
