/**
 * External workers without processes: how their command line is filled in, how a scenario names
 * them, and how their role is read off the instance nodes the observer reports.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import { AddWorkersInput, RunScenarioInput } from '../../src/shared/api.js'
import { parseCommandLine } from '../../src/shared/command-line.js'
import type { LabEvent } from '../../src/shared/events.js'
import { applyEvent, emptyLabState } from '../../src/shared/lab-state.js'
import { loadScenario } from '../../src/core/experiments/load-scenario.js'
import { FailoverTracker, type Failover } from '../../src/core/experiments/failover-tracker.js'
import { ExternalRoles, type ExternalRoleEvent } from '../../src/core/external/external-roles.js'
import { externalProcess } from '../../src/core/external/external-worker.js'

const ctx = {
  connect: '127.0.0.1:40001',
  root: '/customBackUp',
  task: 't1',
  workerId: 2,
  sessionTimeoutMs: 3000,
  commitIntervalMs: 250,
  sink: '/s/sinks/t1.log',
}

describe('external worker command line', () => {
  it('fills in placeholders in command, args and env, and sets ZKLAB_* variables', () => {
    const p = externalProcess(
      {
        command: '/opt/{task}/run',
        args: ['-c', '{connect}', '{taskPath}/instance', 'id={workerId}', '${HOME}', '{unknown}'],
        env: { MINE: '{sink}:{sessionTimeoutMs}', ZKLAB_TASK: 'overridden' },
      },
      ctx,
    )
    expect(p.command).toBe('/opt/t1/run')
    // Only the lab's own names are replaced; a shell's ${HOME} and other braces pass through.
    expect(p.args).toEqual(['-c', '127.0.0.1:40001', '/customBackUp/tasks/t1/instance', 'id=2', '${HOME}', '{unknown}'])
    expect(p.env).toEqual({
      ZKLAB_CONNECT: '127.0.0.1:40001',
      ZKLAB_ROOT: '/customBackUp',
      ZKLAB_TASK: 'overridden',
      ZKLAB_TASK_PATH: '/customBackUp/tasks/t1',
      ZKLAB_WORKER_ID: '2',
      ZKLAB_SESSION_TIMEOUT_MS: '3000',
      ZKLAB_COMMIT_INTERVAL_MS: '250',
      ZKLAB_SINK: '/s/sinks/t1.log',
      MINE: '/s/sinks/t1.log:3000',
    })
  })

  it('makes a relative path absolute from the working folder and looks a bare name up on PATH', () => {
    expect(externalProcess({ command: './bin/{task}.sh' }, ctx).command).toBe(resolve('bin/t1.sh'))
    expect(externalProcess({ command: 'python3' }, ctx).command).toBe('python3')
  })

  it('validates the Lab API input', () => {
    expect(AddWorkersInput.safeParse({ task: 't1', external: { command: ' ' } }).success).toBe(false)
    expect(
      AddWorkersInput.safeParse({ task: 't1', external: { command: 'w', env: { 'BAD-NAME': 'x' } } }).success,
    ).toBe(false)
    expect(AddWorkersInput.safeParse({ task: 't1', external: { command: 'w', shell: true } }).success).toBe(false)
    expect(AddWorkersInput.parse({ task: 't1', external: { command: 'w' } }).external).toEqual({
      command: 'w',
      args: [],
      env: {},
    })
    // A scenario run takes a strategy or a program for every task, not both.
    expect(RunScenarioInput.safeParse({ name: 'stop-primary', external: { command: 'w' } }).success).toBe(true)
    const both = RunScenarioInput.safeParse({ name: 'stop-primary', strategy: 'seed', external: { command: 'w' } })
    expect(both.success).toBe(false)
    expect(both.error?.issues[0].message).toMatch(/not both/)
  })

  it('reads `external:` in a scenario, a relative command next to the scenario file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'zklab-ext-scenario-'))
    try {
      const file = join(dir, 's.yaml')
      writeFileSync(
        file,
        'name: s\ntasks:\n  - name: t1\n    workers: 2\n    external:\n      command: ./bin/worker.sh\n      args: ["{connect}"]\n  - name: t2\n    workers: 1\n    external: { command: python3 }\n',
      )
      const scenario = loadScenario(file)
      expect(scenario.tasks[0].external).toEqual({
        command: join(dir, 'bin', 'worker.sh'),
        args: ['{connect}'],
        env: {},
      })
      // A program on PATH stays as it is.
      expect(scenario.tasks[1].external?.command).toBe('python3')
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})

describe('external roles, read off ZooKeeper', () => {
  let seq = 0
  const ev = (fields: Record<string, unknown>): LabEvent =>
    ({ seq: ++seq, time: 1000 + seq, source: 'lab', ...fields }) as LabEvent
  const spawned = (workerId: number, time = 1000) =>
    ev({
      type: 'process.spawned',
      name: `worker-t1-${workerId}`,
      kind: 'external',
      pid: 100 + workerId,
      labels: { task: 't1', workerId, strategy: 'external' },
      time,
    })
  const node = (type: 'znode.created' | 'znode.deleted', name: string, owner = '0', ctime = 2000) =>
    ev({
      source: 'observer',
      type,
      path: `/customBackUp/tasks/t1/instance/${name}`,
      stat: { ephemeralOwner: owner, ctime },
      data: '',
    })

  it('makes the smallest node primary, names its session, and follows a failover', () => {
    const out: ExternalRoleEvent[] = []
    const roles = new ExternalRoles('/customBackUp', (e) => out.push(e))
    const state = emptyLabState()
    const feed = (e: LabEvent) => {
      applyEvent(state, e)
      roles.onEvent(e)
      for (const d of out.splice(0)) {
        const derived = ev(d as unknown as Record<string, unknown>)
        applyEvent(state, derived)
      }
    }
    feed(spawned(1))
    feed(spawned(2))
    expect(state.workers['worker-t1-1'].role).toBe('starting')
    feed(node('znode.created', 'server_1_0000000000', '100000aa'))
    feed(node('znode.created', 'server_2_0000000001', '100000bb'))
    expect(state.workers['worker-t1-1']).toMatchObject({
      role: 'primary',
      node: 'server_1_0000000000',
      sessionId: '100000aa',
      strategy: 'external',
    })
    expect(state.workers['worker-t1-2']).toMatchObject({
      role: 'standby',
      node: 'server_2_0000000001',
      sessionId: '100000bb',
    })
    feed(node('znode.deleted', 'server_1_0000000000'))
    expect(state.workers['worker-t1-2'].role).toBe('primary')
    // Its node gone, worker 1 is no longer primary: a standby without a node.
    expect(state.workers['worker-t1-1'].role).toBe('standby')
    expect(state.workers['worker-t1-1'].node).toBeUndefined()
  })

  it('keeps the program a scenario run used as a command line that reads back the same', () => {
    const state = emptyLabState()
    const external = { command: './w.sh', args: ['--id', '{workerId}', 'two words'], env: { EXTRA: 'a b' } }
    applyEvent(state, ev({ type: 'scenario.started', scenario: 'stop-primary', strategy: 'external', external }))
    expect(state.scenario).toMatchObject({
      strategy: 'external',
      command: "EXTRA='a b' ./w.sh --id {workerId} 'two words'",
    })
    expect(parseCommandLine(state.scenario!.command!)).toEqual(external)
    applyEvent(state, ev({ type: 'scenario.started', scenario: 'stop-primary', strategy: 'seed' }))
    expect(state.scenario?.command).toBeUndefined()
  })

  it('never shows two primaries, even when the later node is seen first', () => {
    const out: ExternalRoleEvent[] = []
    const roles = new ExternalRoles('/customBackUp', (e) => out.push(e))
    const state = emptyLabState()
    const primaries: number[] = []
    const feed = (e: LabEvent) => {
      applyEvent(state, e)
      roles.onEvent(e)
      for (const d of out.splice(0)) {
        applyEvent(state, ev(d as unknown as Record<string, unknown>))
        primaries.push(Object.values(state.workers).filter((w) => w.role === 'primary').length)
      }
    }
    feed(spawned(1))
    feed(spawned(2))
    // Worker 2's node reaches the lab before worker 1's smaller one: 2 is primary as far as anyone knows.
    feed(node('znode.created', 'server_2_0000000001', 'bb'))
    expect(state.workers['worker-t1-2'].role).toBe('primary')
    feed(node('znode.created', 'server_1_0000000000', 'aa'))
    expect(state.workers['worker-t1-1'].role).toBe('primary')
    expect(state.workers['worker-t1-2'].role).toBe('standby')
    // After every single event, at most one.
    expect(Math.max(...primaries)).toBe(1)
  })

  it("does not take a restarted worker's old node for its new registration", () => {
    const out: ExternalRoleEvent[] = []
    const roles = new ExternalRoles('/customBackUp', (e) => out.push(e))
    roles.onEvent(node('znode.created', 'server_1_0000000000', 'aa', 500))
    roles.onEvent(spawned(1, 1000))
    expect(out).toEqual([])
    roles.onEvent(node('znode.created', 'server_1_0000000003', 'cc', 1500))
    expect(out.at(-1)).toMatchObject({
      name: 'worker-t1-1',
      role: 'standby',
      node: 'server_1_0000000003',
      smallest: 'server_1_0000000000',
      sessionId: 'cc',
    })
  })

  it('times a failover of external workers from their derived roles and the observed lastCommit', () => {
    const recorded: Failover[] = []
    const tracker = new FailoverTracker((f) => recorded.push(f))
    tracker.onEvent(spawned(1))
    tracker.onEvent(spawned(2))
    tracker.onEvent(
      ev({ source: 'observer', type: 'znode.changed', path: '/customBackUp/tasks/t1/lastCommit', data: '5', stat: {} }),
    )
    tracker.fault({ task: 't1', kind: 'kill', target: 'worker-t1-1', wasPrimary: true, time: 5000, seq })
    tracker.onEvent(ev({ type: 'external.role', name: 'worker-t1-2', task: 't1', role: 'primary', time: 5400 }))
    tracker.onEvent(
      ev({
        source: 'observer',
        type: 'znode.changed',
        path: '/customBackUp/tasks/t1/lastCommit',
        data: '6',
        stat: {},
        time: 5600,
      }),
    )
    expect(recorded).toEqual([
      expect.objectContaining({
        from: 'worker-t1-1',
        to: 'worker-t1-2',
        newPrimaryMs: 400,
        firstCommitMs: 600,
        lastCommitBefore: 5,
        firstCommitId: 6,
      }),
    ])
  })
})
