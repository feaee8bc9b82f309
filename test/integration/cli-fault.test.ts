/**
 * `zklab fault` against a running `zklab serve`: faults fired from the command line reach the lab
 * and are recorded in its journal, like those from the app or a scenario.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startServeProcess, stopServeProcess, type ServeProcess } from '../../src/cli/serve-process.js'
import { connectBridge } from '../../src/core/bridge/bridge-client.js'
import { waitFor } from './helpers/wait.js'
import { zklab } from './helpers/zklab-cli.js'

describe('zklab fault (real lab, real ZooKeeper)', () => {
  let dir: string
  let serve: ServeProcess
  let lab: Awaited<ReturnType<typeof connectBridge>>
  const state = () => lab.snapshot()

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'zklab-fault-'))
    serve = await startServeProcess({ sessionsDir: dir })
    lab = await connectBridge(serve.url)
    await lab.startZooKeeper({ tickTimeMs: 500 })
    await lab.publishTask({ task: 'task01' })
    await lab.addWorkers({
      task: 'task01',
      count: 3,
      strategy: 'recipe',
      commitIntervalMs: 300,
      sessionTimeoutMs: 3000,
    })
    await waitFor(async () => Object.values((await state()).workers).some((w) => w.role === 'primary'), 60_000, 250)
  })

  afterAll(async () => {
    lab?.close()
    if (serve) await stopServeProcess(serve.child)
    rmSync(dir, { recursive: true, force: true })
  })

  it('kills the primary by role, found through the address zklab serve recorded', async () => {
    const before = Object.values((await state()).workers).find((w) => w.role === 'primary')!
    const run = await zklab(['fault', 'kill', 'primary', '--sessions-dir', dir])
    expect(run.output).toContain(`kill ${before.name}`)
    expect(run.code).toBe(0)
    await waitFor(
      async () =>
        Object.values((await state()).workers).some(
          (w) => w.role === 'primary' && w.name !== before.name && w.status === 'running',
        ),
      60_000,
      250,
    )
    expect((await state()).workers[before.name].status).toBe('crashed')
  })

  it('partitions a worker for a while and heals it, both in the journal', async () => {
    const standby = Object.values((await state()).workers).find((w) => w.role === 'standby' && w.status === 'running')!
    const run = await zklab(['fault', 'partition', standby.name, '--for', '500', '--sessions-dir', dir])
    expect(run.code, run.output).toBe(0)
    const events = await lab.recentEvents({ afterSeq: 0 })
    const faults = events.flatMap((e) => (e.type === 'fault.network' && e.name === standby.name ? [e.fault] : []))
    expect(faults).toEqual(['partition', 'heal'])
  })

  it('refuses what it cannot do, with exit code 2 and the reason', async () => {
    const unknown = await zklab(['fault', 'kill', 'worker-task01-99', '--sessions-dir', dir])
    expect(unknown.code).toBe(2)
    expect(unknown.output).toMatch(/No worker-task01-99 of task01/)
    // Partitions between servers need an ensemble; this lab runs one standalone server.
    const serverPartition = await zklab(['fault', 'partition', 'zk-1', '--sessions-dir', dir])
    expect(serverPartition.code).toBe(2)
    expect(serverPartition.output).toMatch(/need a local ensemble.*mode: ensemble/)
    const serverSlow = await zklab(['fault', 'slow', 'zk-1', '--sessions-dir', dir])
    expect(serverSlow.code).toBe(2)
    expect(serverSlow.output).toMatch(/hits a worker's network path/)
    const nowhere = await zklab(['fault', 'kill', 'primary', '--sessions-dir', join(dir, 'nothing-here')])
    expect(nowhere.code).toBe(2)
    expect(nowhere.output).toMatch(/No running lab recorded/)
    const noToken = await zklab(['fault', 'kill', 'primary', '--url', new URL(serve.url).origin])
    expect(noToken.code).toBe(2)
    expect(noToken.output).toMatch(/refused the connection \(403\): give the URL with its token/)
  })

  it('restarts the MariaDB source', async () => {
    const source = await lab.startSource({ rate: 5 })
    const run = await zklab(['fault', 'restart', 'mariadb', '--sessions-dir', dir])
    expect(run.code, run.output).toBe(0)
    expect(run.output).toContain(`restart mariadb (port ${source.port}, pid ${source.pid})`)
    const events = await lab.recentEvents({ afterSeq: 0 })
    const started = events.filter((e) => e.type === 'mariadb.started')
    expect(started.map((e) => e.port)).toEqual([source.port, source.port])
    expect(events.filter((e) => e.type === 'mariadb.stopped').map((e) => e.reason)).toEqual(['restart'])
  })
})
