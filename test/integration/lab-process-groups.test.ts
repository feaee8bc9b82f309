/**
 * A worker that forks, under the real `zklab run`: after a Ctrl-C (SIGINT to the lab's process group,
 * as a terminal sends it) the lab closes and grades the session and nothing of the worker is left;
 * after a SIGKILL of the lab, its reaper ends the worker's whole process group. Real ZooKeeper (one
 * shared standalone server, used as an external ZooKeeper), real processes.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { readJournal } from '../../src/core/journal/journal.js'
import type { LabEvent } from '../../src/shared/events.js'
import { startStandaloneZk, type StandaloneZk } from './helpers/standalone-zk.js'
import { taggedSleeps } from './helpers/tagged-sleeps.js'
import { isAlive, waitFor } from './helpers/wait.js'
import { ROOT, ZKLAB } from './helpers/zklab-cli.js'

function journal(out: string): LabEvent[] {
  const file = join(out, 'events.jsonl')
  return existsSync(file) ? readJournal(file).events : []
}

describe('a forking worker under zklab run (real processes)', () => {
  let zk: StandaloneZk
  let dir: string
  let lab: ChildProcess | undefined
  let out = ''
  let sleeps: ReturnType<typeof taggedSleeps> | undefined

  beforeAll(async () => {
    zk = await startStandaloneZk()
    dir = mkdtempSync(join(tmpdir(), 'zklab-groups-'))
  }, 60_000)
  afterAll(async () => {
    await zk?.stop()
    rmSync(dir, { recursive: true, force: true })
  })
  afterEach(() => {
    // Whatever a failed test left: the lab, the processes its journal names, the tagged sleeps.
    const pids = [
      lab?.pid,
      ...journal(out)
        .filter((e) => e.type === 'process.spawned')
        .map((e) => Number(e.pid)),
      ...(sleeps?.find() ?? []),
    ]
    for (const pid of pids) if (pid && isAlive(pid)) process.kill(pid, 'SIGKILL')
    lab = undefined
  })

  /** Starts `zklab run` in a process group of its own, as a shell starts a foreground job, once its worker's sleeps run. */
  async function startLab(name: string): Promise<ChildProcess> {
    sleeps = taggedSleeps()
    out = join(dir, name)
    const scenario = join(dir, `${name}.yaml`)
    writeFileSync(
      scenario,
      [
        `name: ${name}`,
        `zookeeper: { mode: external, connectString: "${zk.connect}" }`,
        'tasks:',
        `  - name: ${name}${sleeps.tag}`,
        '    workers: 1',
        `    external: { command: sh, args: ["-c", "${sleeps.script}"] }`,
        'steps:',
        '  - sleep: 120000',
        'expect: none',
        '',
      ].join('\n'),
    )
    const child = spawn(process.execPath, [ZKLAB, 'run', scenario, '--out', out], {
      cwd: ROOT,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    lab = child
    let output = ''
    child.stdout.on('data', (d) => (output += d))
    child.stderr.on('data', (d) => (output += d))
    await waitFor(() => sleeps!.find().length === 2 || child.exitCode !== null, 60_000)
    if (child.exitCode !== null) throw new Error(`zklab run exited early (${child.exitCode}):\n${output}`)
    return child
  }

  const exited = (child: ChildProcess) =>
    new Promise<number | null>((resolve) =>
      child.exitCode !== null ? resolve(child.exitCode) : child.once('exit', (code) => resolve(code)),
    )

  it('Ctrl-C reaches the lab, not its children: the session is closed and graded, and nothing of the worker is left', async () => {
    const child = await startLab('ctrlc')
    // A terminal's Ctrl-C: SIGINT to the foreground process group, which is the lab's alone.
    process.kill(-child.pid!, 'SIGINT')
    expect(await exited(child)).toBe(130)
    const events = journal(out)
    const types = events.map((e) => e.type)
    expect(types).toContain('checker.report')
    expect(types.at(-1)).toBe('session.closed')
    // The worker ended because the lab stopped it (SIGTERM to its group), not by the terminal's SIGINT.
    const exit = events.find((e) => e.type === 'process.exited' && String(e.name).startsWith('worker-'))
    expect(exit).toMatchObject({ expected: true, signal: 'SIGTERM' })
    await waitFor(() => sleeps!.find().length === 0, 10_000)
  }, 120_000)

  it('a SIGKILLed lab takes its workers’ own children with it', async () => {
    const child = await startLab('sigkill')
    const spawned = journal(out)
      .filter((e) => e.type === 'process.spawned')
      .map((e) => Number(e.pid))
    expect(spawned.length).toBeGreaterThanOrEqual(3)
    child.kill('SIGKILL')
    await exited(child)
    await waitFor(() => sleeps!.find().length === 0 && spawned.every((pid) => !isAlive(pid)), 15_000)
  }, 120_000)
})
