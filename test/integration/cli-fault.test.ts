/**
 * `zklab fault` against a running `zklab serve`: faults fired from the command line reach the lab
 * and are recorded in its journal, like those from the app or a scenario.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { connectBridge } from '../../src/core/bridge/bridge-client.js'
import { waitFor } from './helpers/wait.js'
import { ROOT, ZKLAB, zklab } from './helpers/zklab-cli.js'



describe('zklab fault (real lab, real ZooKeeper)', () => {
  let dir: string
  let serve: ChildProcess
  let lab: Awaited<ReturnType<typeof connectBridge>>
  const state = () => lab.snapshot()

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'zklab-fault-'))
    serve = spawn(process.execPath, [ZKLAB, 'serve', '--sessions-dir', dir], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] })
    const url = await new Promise<string>((resolve, reject) => {
      serve.stdout!.on('data', (d: Buffer) => {
        const match = /http:\/\/127\.0\.0\.1:\d+\//.exec(String(d))
        if (match) resolve(match[0])
      })
      serve.once('exit', (code) => reject(new Error(`zklab serve exited (${code}); is the app built (npm run build)?`)))
    })
    lab = await connectBridge(url)
    await lab.startZooKeeper({ tickTimeMs: 500 })
    await lab.publishTask({ task: 'task01' })
    await lab.addWorkers({ task: 'task01', count: 3, strategy: 'recipe', commitIntervalMs: 300, sessionTimeoutMs: 3000 })
    await waitFor(async () => Object.values((await state()).workers).some((w) => w.role === 'primary'), 60_000, 250)
  })

  afterAll(async () => {
    lab?.close()
    if (serve && serve.exitCode === null) {
      serve.kill('SIGINT')
      await new Promise((resolve) => serve.once('exit', resolve))
    }
    rmSync(dir, { recursive: true, force: true })
  })

  it('kills the primary by role, found through the address zklab serve recorded', async () => {
    const before = Object.values((await state()).workers).find((w) => w.role === 'primary')!
    const run = await zklab(['fault', 'kill', 'primary', '--sessions-dir', dir])
    expect(run.output).toContain(`kill ${before.name}`)
    expect(run.code).toBe(0)
    await waitFor(async () => Object.values((await state()).workers).some((w) => w.role === 'primary' && w.name !== before.name && w.status === 'running'), 60_000, 250)
    expect((await state()).workers[before.name].status).toBe('crashed')
  })

  it('partitions a worker for a while and heals it, both in the journal', async () => {
    const standby = Object.values((await state()).workers).find((w) => w.role === 'standby' && w.status === 'running')!
    const run = await zklab(['fault', 'partition', standby.name, '--for', '500', '--sessions-dir', dir])
    expect(run.code, run.output).toBe(0)
    const events = await lab.recentEvents({ afterSeq: 0 })
    const faults = events.filter((e) => e.type === 'fault.network' && e.name === standby.name).map((e) => e.fault)
    expect(faults).toEqual(['partition', 'heal'])
  })

  it('refuses what it cannot do, with exit code 2 and the reason', async () => {
    const unknown = await zklab(['fault', 'kill', 'worker-task01-99', '--sessions-dir', dir])
    expect(unknown.code).toBe(2)
    expect(unknown.output).toMatch(/No worker-task01-99 of task01/)
    const serverPartition = await zklab(['fault', 'partition', 'zk-1', '--sessions-dir', dir])
    expect(serverPartition.code).toBe(2)
    expect(serverPartition.output).toMatch(/network path, not a ZooKeeper server/)
    const nowhere = await zklab(['fault', 'kill', 'primary', '--sessions-dir', join(dir, 'nothing-here')])
    expect(nowhere.code).toBe(2)
    expect(nowhere.output).toMatch(/No running lab recorded/)
  })
})
