/**
 * `zklab` as a newcomer runs it: the real command, a real ZooKeeper, real workers, and the bad
 * inputs a user will try. Each run must leave no process behind.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { createServer, type Server } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { readJournal } from '../../src/core/journal/journal.js'
import type { RunResult } from '../../src/core/experiments/run-scenario.js'
import { readJsonFile } from '../json-files.js'
import { isAlive } from './helpers/wait.js'
import { zklab } from './helpers/zklab-cli.js'

/** PIDs of every process a session started, from its journal. */
function spawnedPids(sessionDir: string): number[] {
  const journal = join(sessionDir, 'events.jsonl')
  if (!existsSync(journal)) return []
  return readJournal(journal)
    .events.filter((e) => e.type === 'process.spawned')
    .map((e) => Number(e.pid))
}

describe('zklab CLI', () => {
  let dir: string
  const scenario = (name: string, text: string) => {
    const file = join(dir, name)
    writeFileSync(file, text)
    return file
  }
  const minimal = (zookeeper: string) =>
    `name: bad-setup\nzookeeper: ${zookeeper}\ntasks:\n  - name: task01\n    workers: 1\n`

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'zklab-cli-'))
  })
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  it('runs the bundled kill-primary scenario and writes the session folder', async () => {
    const out = join(dir, 'kill-primary')
    const run = await zklab(['run', 'resources/scenarios/kill-primary.yaml', '--out', out])
    expect(run.stderr).toBe('')
    expect(run.code).toBe(0)
    expect(readdirSync(out).sort()).toEqual(expect.arrayContaining(['events.jsonl', 'logs', 'session.json', 'sinks']))
    expect(readdirSync(join(out, 'logs'))).toEqual(
      expect.arrayContaining(['zk-1.log', 'worker-task01-1.log', 'monitor.log', 'observer.log']),
    )
    const session = readJsonFile<{ result: RunResult }>(join(out, 'session.json'))
    expect(session.result.failovers).toHaveLength(5)
    for (const f of session.result.failovers) {
      expect(f.to).toBeDefined()
      expect(f.firstCommitId).toBeGreaterThanOrEqual(f.lastCommitBefore!)
    }
    expect(session.result.sinks.task01.missing).toEqual([])
    // The summary shows each failover with its gap.
    expect(run.stdout).toMatch(/kill-primary: PASSED/)
    expect(run.stdout.match(/^\s+\d+\s+task01\s+kill\s+worker-task01-\d -> worker-task01-\d/gm)).toHaveLength(5)
    expect(spawnedPids(out).filter(isAlive)).toEqual([])
  })

  it('rejects a malformed scenario with exit code 2, naming each bad field', async () => {
    const file = scenario(
      'bad.yaml',
      'name: bad\ntasks:\n  - name: "a/b"\n    workers: 0\nsteps:\n  - waitFor: leader\n  - kill: primary\n    stop: primary\n',
    )
    const run = await zklab(['run', file])
    expect(run.code).toBe(2)
    expect(run.stderr).toContain('tasks[0].name: task name must not contain "/"')
    expect(run.stderr).toContain('tasks[0].workers')
    expect(run.stderr).toContain('steps[0].waitFor')
    expect(run.stderr).toContain('steps[1]: a step has one action, not kill and stop')
  })

  it('refuses a scenario past a cap with exit code 2, naming the file and the field', async () => {
    const repeats = scenario(
      'cube.yaml',
      'name: cube\ntasks: [{name: task01, workers: 1}]\nsteps: [{repeat: 1000, steps: [{repeat: 1000, steps: [{sleep: 3600000}]}]}]\n',
    )
    const run = await zklab(['run', repeats])
    expect(run.code).toBe(2)
    expect(run.stderr).toContain(`${repeats} is not a valid scenario`)
    expect(run.stderr).toMatch(
      /steps\[0\]: with repeats multiplied out the steps come to \d+ by here; a scenario may run at most 10000/,
    )
    expect(run.stderr).toMatch(/steps\[0\]: .* a scenario may run at most 24 h/)
    const huge = scenario('huge.yaml', 'name: huge\n#' + 'x'.repeat(1024 * 1024) + '\n')
    const big = await zklab(['run', huge])
    expect(big.code).toBe(2)
    expect(big.stderr).toContain(`${huge} is not a valid scenario`)
    expect(big.stderr).toContain('a scenario file may be at most 1048576 bytes')
  })

  it('rejects YAML that does not parse, with the line', async () => {
    const run = await zklab(['run', scenario('broken.yaml', 'name: x\ntasks: [\n')])
    expect(run.code).toBe(2)
    expect(run.stderr).toMatch(/cannot parse it \(line \d+/)
  })

  it('reports a taken port by number, with exit code 2 and nothing left running', async () => {
    const server: Server = createServer()
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const port = (server.address() as { port: number }).port
    try {
      const out = join(dir, 'taken-port')
      const run = await zklab(['run', scenario('port.yaml', minimal(`{ port: ${port} }`)), '--out', out])
      expect(run.code).toBe(2)
      expect(run.stdout + run.stderr).toContain(String(port))
      expect(run.stdout + run.stderr).toMatch(/in use/i)
      expect(spawnedPids(out).filter(isAlive)).toEqual([])
    } finally {
      server.close()
    }
  })

  it('names a missing ZooKeeper distribution and how to get it', async () => {
    const empty = join(dir, 'empty-zookeeper')
    mkdirSync(empty, { recursive: true })
    const run = await zklab([
      'run',
      scenario('nozk.yaml', minimal(`{ home: ${JSON.stringify(empty)} }`)),
      '--out',
      join(dir, 'nozk'),
    ])
    expect(run.code).toBe(2)
    expect(run.stdout + run.stderr).toMatch(/ZooKeeper not found/)
    expect(run.stdout + run.stderr).toContain(empty)
  })

  it('names a missing Java and how to get it', async () => {
    // A PATH with node on it and no java, and a JAVA_HOME that holds nothing.
    const bin = join(dir, 'bin-without-java')
    mkdirSync(bin, { recursive: true })
    if (!existsSync(join(bin, 'node'))) symlinkSync(process.execPath, join(bin, 'node'))
    const env = { ...process.env, PATH: bin, JAVA_HOME: join(dir, 'no-java-here') }
    const run = await zklab(
      ['run', scenario('nojava.yaml', minimal('{ mode: standalone }')), '--out', join(dir, 'nojava')],
      { env },
    )
    expect(run.code).toBe(2)
    expect(run.stdout + run.stderr).toMatch(/Java not found/)
    expect(run.stdout + run.stderr).toMatch(/apt-get install|JAVA_HOME/)
  })
})
