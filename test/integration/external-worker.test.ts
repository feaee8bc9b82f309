/**
 * External workers: any program as a task's workers, judged from what it writes to ZooKeeper. The
 * program here is a shell script (test/fixtures/external-worker.sh) that execs a small Node program
 * using the `zookeeper` package; it knows the lab only through placeholders and ZKLAB_* variables and
 * prints plain text. Real ZooKeeper, real processes; the zombie writes are found in ZooKeeper's own
 * transaction log, named by worker, session and zxid.
 */
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Lab } from '../../src/core/lab.js'
import type { RunResult } from '../../src/core/experiments/run-scenario.js'
import { readSessionTxnLogs } from '../../src/core/txnlog/read-txn-logs.js'
import { normalizeSessionId } from '../../src/core/txnlog/txn-log-file.js'
import { isEvent, LabEventTypes, type LabEvent } from '../../src/shared/events.js'
import { isAlive, waitFor } from './helpers/wait.js'
import { ROOT, ZKLAB, zklabRunJson } from './helpers/zklab-cli.js'

const WORKER = join(ROOT, 'test', 'fixtures', 'external-worker.sh')

describe('external workers (real ZooKeeper, a shell-script worker)', () => {
  let base: string
  beforeAll(() => {
    base = mkdtempSync(join(tmpdir(), 'zklab-external-'))
  })
  afterAll(() => rmSync(base, { recursive: true, force: true }))

  it('a well-behaved external worker passes a stop-primary scenario: roles read off ZooKeeper, failover, no zombie write', async () => {
    const scenario = join(base, 'external-stop.yaml')
    writeFileSync(
      scenario,
      [
        'name: external-stop',
        'tasks:',
        '  - name: ext01',
        '    workers: 2',
        '    commitIntervalMs: 300',
        '    sessionTimeoutMs: 3000',
        '    external:',
        `      command: ${WORKER}`,
        "      args: ['--task-path', '{taskPath}']",
        "      env: { EXTRA: 'worker {workerId} of {task}' }",
        'steps:',
        '  - waitFor: primary',
        '  - waitFor: commits',
        '    count: 3',
        '  - stop: primary',
        '  - waitFor: failover',
        '    timeoutMs: 30000',
        '  - waitFor: commits',
        '    count: 3',
        '',
      ].join('\n'),
    )
    const out = join(base, 'stop')
    const { code, result, stderr } = await zklabRun(scenario, out)
    expect(result.error, stderr.slice(-2000)).toBeUndefined()
    expect(code).toBe(0)
    const verdict = result.check!.verdicts.find((v) => v.invariant === 'zombie-write' && v.task === 'ext01')!
    expect(verdict.ok).toBe(true)
    expect(verdict.stats?.writes).toBeGreaterThanOrEqual(6)
    // Every session that wrote lastCommit was tied to its worker by the instance node's name.
    expect(verdict.stats?.unattributedSessions).toBe(0)
    expect(result.check!.ok).toBe(true)
    // Whichever registered first was primary; the stop handed over to the other.
    expect(result.failovers).toHaveLength(1)
    const [{ from, to, firstCommitMs }] = result.failovers
    expect([from, to].sort()).toEqual(['worker-ext01-1', 'worker-ext01-2'])
    expect(firstCommitMs).toBeGreaterThan(0)

    const events = readJournal(out)
    const spawned = events
      .filter((e) => isEvent(e, LabEventTypes.processSpawned))
      .find((e) => e.name === 'worker-ext01-1')!
    expect(spawned).toMatchObject({
      kind: 'external',
      labels: { task: 'ext01', workerId: 1, strategy: 'external' },
      args: ['--task-path', '/customBackUp/tasks/ext01'],
    })
    // What it was told is recorded as its settings: the checker reads its commit interval there.
    expect(spawned.settings).toMatchObject({
      program: 'external',
      task: 'ext01',
      workerId: 1,
      root: '/customBackUp',
      sessionTimeoutMs: 3000,
    })
    // Roles derived from the instance nodes, marked as such.
    const roles = events
      .filter((e) => e.type === LabEventTypes.externalRole)
      .map((e) => [e.name, e.role, e.derivedFrom])
    expect(roles).toEqual(
      expect.arrayContaining([
        [from, 'primary', 'zookeeper'],
        [to, 'standby', 'zookeeper'],
        [to, 'primary', 'zookeeper'],
      ]),
    )
    // The program printed plain text: kept as log lines, placeholders and ZKLAB_* env filled in.
    const said = events
      .filter((e) => e.type === LabEventTypes.log && e.source === 'worker-ext01-1')
      .map((e) => (e.type === LabEventTypes.log ? e.line : ''))
    expect(said[0]).toContain('task=ext01 taskPath=/customBackUp/tasks/ext01')
    expect(said[0]).toContain(`sink=${join(out, 'sinks', 'ext01.log')}`)
    expect(said[0]).toContain('sessionTimeout=3000 args=--task-path /customBackUp/tasks/ext01 EXTRA=worker 1 of ext01')
    // Its own proxy, not ZooKeeper's port: network faults reach it.
    const zkPort = Number(events.find((e) => e.type === LabEventTypes.zkReady)!.port)
    expect(said[0]).toMatch(/connect=127\.0\.0\.1:\d+/)
    expect(said[0]).not.toContain(`connect=127.0.0.1:${zkPort} `)
  })

  it("zklab run --external runs a scenario written for the lab's workers with the program given on the command line", async () => {
    const scenario = join(base, 'lab-workers.yaml')
    writeFileSync(
      scenario,
      [
        'name: lab-workers',
        'tasks:',
        '  - name: lab01',
        '    workers: 2',
        '    strategy: recipe',
        '    commitIntervalMs: 300',
        '    sessionTimeoutMs: 3000',
        'steps:',
        '  - waitFor: primary',
        '  - waitFor: commits',
        '    count: 2',
        '  - stop: primary',
        '  - waitFor: failover',
        '    timeoutMs: 30000',
        '  - waitFor: commits',
        '    count: 2',
        '',
      ].join('\n'),
    )
    const out = join(base, 'cli-external')
    // Relative to the folder zklab runs in (the repository here); env words first, quotes group.
    const line = `EXTRA='from the command line' test/fixtures/external-worker.sh --label 'id {workerId}'`
    const { code, result, stderr } = await zklabRun(scenario, out, ['--external', line])
    expect(result.error, stderr.slice(-2000)).toBeUndefined()
    expect(code).toBe(0)
    expect(result.failovers).toHaveLength(1)
    expect(result.check!.verdicts.find((v) => v.invariant === 'zombie-write' && v.task === 'lab01')?.ok).toBe(true)
    const events = readJournal(out)
    expect(events.find((e) => e.type === LabEventTypes.scenarioStarted)).toMatchObject({
      strategy: 'external',
      external: { command: 'test/fixtures/external-worker.sh' },
    })
    const spawned = events.filter(
      (e) => e.type === LabEventTypes.processSpawned && String(e.name).startsWith('worker-lab01-'),
    )
    expect(spawned.length).toBeGreaterThanOrEqual(2)
    for (const e of spawned)
      expect(e).toMatchObject({ kind: 'external', command: WORKER, labels: { strategy: 'external' } })
    const said = events
      .filter((e) => e.type === LabEventTypes.log && e.source === 'worker-lab01-2')
      .map((e) => (e.type === LabEventTypes.log ? e.line : ''))
    expect(said[0]).toContain('args=--label id 2 EXTRA=from the command line')
  })

  it('zklab run --external names a line it cannot read, and takes a strategy or a program, not both', () => {
    const bad = spawnSync(process.execPath, [ZKLAB, 'run', 'stop-primary', '--external', `./w.sh "open`], {
      cwd: ROOT,
      encoding: 'utf8',
    })
    expect(bad.status).toBe(2)
    expect(bad.stderr).toContain('--external "./w.sh \\"open": a double quote is not closed')
    const both = spawnSync(
      process.execPath,
      [ZKLAB, 'run', 'stop-primary', '--strategy', 'seed', '--external', './w.sh'],
      { cwd: ROOT, encoding: 'utf8' },
    )
    expect(both.status).toBe(2)
    expect(both.stderr).toMatch(/--external .* cannot be used with option '--strategy/)
  })

  describe('zombie writes, through the Lab API', () => {
    let lab: Lab
    let dir: string
    const events: LabEvent[] = []
    const lines = (name: string) =>
      events
        .filter((e) => e.type === LabEventTypes.log && e.source === name)
        .map((e) => (e.type === LabEventTypes.log ? e.line : ''))

    beforeAll(async () => {
      dir = join(base, 'zombies')
      lab = new Lab()
      lab.onEvent((e) => events.push(e))
      await lab.createSession({ name: 'external-zombies', dir })
      await lab.startZooKeeper({ tickTimeMs: 500 })
      await lab.publishTask({ task: 'rogue' })
      await lab.publishTask({ task: 'orphan' })
    })

    afterAll(async () => {
      const pids = events.filter((e) => e.type === LabEventTypes.processSpawned).map((e) => Number(e.pid))
      await lab?.dispose()
      expect(pids.filter(isAlive)).toEqual([])
    })

    it('refuses an external worker it cannot run, and leaves nothing behind', async () => {
      await expect(lab.addWorkers({ task: 'rogue', external: { command: '  ' } })).rejects.toThrow(/command/)
      await expect(
        lab.addWorkers({ task: 'rogue', external: { command: join(base, 'no-such-program') } }),
      ).rejects.toThrow(/not an executable file/)
      expect(Object.keys(lab.state.workers)).toEqual([])
    })

    it('catches a standby that writes lastCommit and a primary that goes on after deleting its node', async () => {
      const settings = { commitIntervalMs: 200, sessionTimeoutMs: 3000 }
      expect(
        await lab.addWorkers({
          task: 'rogue',
          count: 2,
          ...settings,
          external: { command: WORKER, args: ['--rogue-standby', '2'] },
        }),
      ).toEqual(['worker-rogue-1', 'worker-rogue-2'])
      await lab.addWorkers({
        task: 'orphan',
        count: 1,
        ...settings,
        external: { command: WORKER, args: ['--orphan-primary', '1'] },
      })
      await waitFor(
        () =>
          lab.state.workers['worker-rogue-1']?.role === 'primary' &&
          lab.state.workers['worker-rogue-2']?.role === 'standby',
        60_000,
      )
      await waitFor(() => lines('worker-rogue-2').some((l) => l.includes('rogue write 3')), 60_000)
      await waitFor(
        () =>
          lines('worker-orphan-1').some((l) => l.includes('deleted my own node')) &&
          (lab.state.tasks.orphan?.lastCommit ?? 0) >= 6,
        60_000,
      )
      // Found live too: the live checker reads the transaction log as ZooKeeper writes it.
      await waitFor(
        () =>
          ['rogue', 'orphan'].every((t) =>
            lab.state.violations.some((v) => v.invariant === 'zombie-write' && v.task === t),
          ),
        60_000,
      )

      const rogueSession = normalizeSessionId(
        /session (\S+)/.exec(lines('worker-rogue-2').find((l) => l.startsWith('[external 2] session'))!)![1],
      )
      const orphanSession = normalizeSessionId(
        /session (\S+)/.exec(lines('worker-orphan-1').find((l) => l.startsWith('[external 1] session'))!)![1],
      )
      // The derived role carries the session that owns the worker's node.
      expect(normalizeSessionId(lab.state.workers['worker-rogue-2'].sessionId!)).toBe(rogueSession)

      await lab.closeSession()
      const report = lab.checkReport()!
      const verdict = (task: string) => report.verdicts.find((v) => v.invariant === 'zombie-write' && v.task === task)!
      const txns = readSessionTxnLogs(dir)!.txns
      const txnAt = (zxid: string) => txns.find((t) => t.zxid === parseInt(zxid, 16))!

      const rogue = verdict('rogue')
      expect(rogue.ok).toBe(false)
      expect(rogue.stats?.zombieWrites).toBe(3)
      const zombie = rogue.violations.find((v) => v.kind === 'zombie-write')!
      expect(zombie.workers).toEqual(['worker-rogue-2', 'worker-rogue-1'])
      expect(zombie.message).toContain(`worker-rogue-2 (session 0x${rogueSession}) set it to`)
      expect(zombie.message).toContain('not the smallest node: a standby writing')
      expect(zombie.message).toMatch(/the primary was server_1_\d{10} of worker-rogue-1/)
      expect(zombie.zxids).toHaveLength(3)
      // Each zxid named is that session's setData of lastCommit in ZooKeeper's log.
      for (const zxid of zombie.zxids!) {
        const txn = txnAt(zxid)
        expect(txn.session).toBe(rogueSession)
        expect(txn.txn).toMatchObject({ op: 'setData', path: '/customBackUp/tasks/rogue/lastCommit' })
        expect(zombie.message).toContain(zxid)
      }
      // The well-behaved primary was never blamed.
      expect(rogue.violations.every((v) => v.workers?.[0] !== 'worker-rogue-1' || v.kind !== 'zombie-write')).toBe(true)

      const orphan = verdict('orphan')
      expect(orphan.ok).toBe(false)
      const orphaned = orphan.violations.find((v) => v.kind === 'zombie-write')!
      expect(orphaned.workers).toEqual(['worker-orphan-1'])
      expect(orphaned.message).toContain(`worker-orphan-1 (session 0x${orphanSession})`)
      expect(orphaned.message).toMatch(
        /its session held no instance node any more: server_1_\d{10} went away at zxid 0x[0-9a-f]+ \(deleted\)/,
      )
      expect(txnAt(orphaned.zxids![0]).session).toBe(orphanSession)

      // `zklab txnlog` lists the same writes, row by row, for a person or a script.
      const listed = spawnSync(process.execPath, [ZKLAB, 'txnlog', dir, '--task', 'rogue', '--json'], {
        cwd: ROOT,
        encoding: 'utf8',
        timeout: 60_000,
      })
      expect(listed.status, listed.stderr).toBe(0)
      const rows = (
        JSON.parse(listed.stdout) as {
          tasks: Record<
            string,
            Array<{ zxid: string; node: string; op: string; worker: string | null; byHolder: boolean }>
          >
        }
      ).tasks.rogue
      const zombieRows = rows.filter((r) => r.node === 'lastCommit' && r.op === 'setData' && !r.byHolder)
      expect(zombieRows.map((r) => [r.zxid, r.worker])).toEqual(zombie.zxids!.map((z) => [z, 'worker-rogue-2']))

      // The verdict reaches the journal's final report, which `zklab run`, session.json and reports read.
      const final = events.findLast((e) => e.type === LabEventTypes.checkReport)!
      expect(final.verdicts).toEqual(
        expect.arrayContaining([expect.objectContaining({ invariant: 'zombie-write', task: 'rogue', ok: false })]),
      )
    })
  })
})

function readJournal(dir: string): LabEvent[] {
  return readFileSync(join(dir, 'events.jsonl'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as LabEvent)
}

/** `zklab run <scenario> --json`, as a user runs it. */
function zklabRun(
  scenario: string,
  out: string,
  extra: string[] = [],
): Promise<{ code: number | null; result: RunResult; stderr: string }> {
  return zklabRunJson([scenario, '--out', out, ...extra], 180_000)
}
