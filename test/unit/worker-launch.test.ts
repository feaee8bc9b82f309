import { spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { WorkerSettings } from '../../src/shared/api.js'
import { ScenarioTask } from '../../src/shared/scenario.js'
import {
  ArgError,
  DEFAULT_SESSION_TIMEOUT_MS,
  LAB_PROGRAMS,
  decodeLaunch,
  encodeLaunch,
  settingsOfSpawned,
  type LabProgram,
  type LaunchInput,
} from '../../src/shared/worker-launch/index.js'

const errorOf = (program: LabProgram, argv: string[]): ArgError => {
  try {
    decodeLaunch(program, argv)
  } catch (err) {
    if (err instanceof ArgError) return err
    throw err
  }
  throw new Error('expected an ArgError')
}

const CONNECT = '127.0.0.1:2181'
const worker = (...extra: string[]) => [
  '--connect',
  CONNECT,
  '--task',
  't',
  '--worker-id',
  '1',
  '--sink',
  's',
  ...extra,
]

describe('worker-launch decoder', () => {
  it('reads "--flag value" and "--flag=value", with every default filled in', () => {
    expect(
      decodeLaunch('task-worker', ['--connect', CONNECT, '--task=task01', '--worker-id', '3', '--sink', '/tmp/s.log']),
    ).toEqual({
      connect: CONNECT,
      root: '/customBackUp',
      task: 'task01',
      workerId: 3,
      strategy: 'seed',
      commitIntervalMs: 1000,
      sessionTimeoutMs: 4000,
      sink: '/tmp/s.log',
      connectTimeoutMs: 15000,
      workload: 'counter',
      commitEvents: 100,
    })
    expect(() =>
      decodeLaunch('task-worker', ['--connect', CONNECT, '--task=t', '--worker-id=1', '--sink=s', '--workload=binlog']),
    ).toThrow(/--source host:port/)
    expect(decodeLaunch('observer', ['--connect', CONNECT, '--root', '/'])).toEqual({
      connect: CONNECT,
      root: '/',
      maxData: 256,
      sessionTimeoutMs: 4000,
      connectTimeoutMs: 15000,
    })
    expect(decodeLaunch('monitor', ['--connect', CONNECT])).toMatchObject({
      commitIntervalMs: 1000,
      stallIntervals: 3,
      sessionTimeoutMs: 4000,
    })
  })

  it('has one session timeout default: the one the API and the scenario format promise', () => {
    expect(DEFAULT_SESSION_TIMEOUT_MS).toBe(4000)
    expect(WorkerSettings.parse({}).sessionTimeoutMs).toBe(DEFAULT_SESSION_TIMEOUT_MS)
    expect(ScenarioTask.parse({ name: 't', workers: 1 }).sessionTimeoutMs).toBe(DEFAULT_SESSION_TIMEOUT_MS)
    expect(WorkerSettings.parse({}).commitIntervalMs).toBe(decodeLaunch('task-worker', worker()).commitIntervalMs)
    expect(WorkerSettings.parse({}).strategy).toBe(decodeLaunch('task-worker', worker()).strategy)
    expect(decodeLaunch('task-worker', worker()).sessionTimeoutMs).toBe(DEFAULT_SESSION_TIMEOUT_MS)
    expect(decodeLaunch('monitor', ['--connect', CONNECT]).sessionTimeoutMs).toBe(DEFAULT_SESSION_TIMEOUT_MS)
    expect(decodeLaunch('observer', ['--connect', CONNECT]).sessionTimeoutMs).toBe(DEFAULT_SESSION_TIMEOUT_MS)
    expect(decodeLaunch('publisher', ['--connect', CONNECT, '--create', 't']).sessionTimeoutMs).toBe(
      DEFAULT_SESSION_TIMEOUT_MS,
    )
  })

  it.each([
    ['task-worker', ['--connect', CONNECT, '--worker-id', '1', '--sink', 's'], '--task', /is required/],
    [
      'task-worker',
      ['--connect', CONNECT, '--task', 't', '--worker-id', 'one', '--sink', 's'],
      '--worker-id',
      /whole number \(got "one"\)/,
    ],
    [
      'task-worker',
      ['--connect', CONNECT, '--task', 't', '--worker-id', '1.5', '--sink', 's'],
      '--worker-id',
      /whole number/,
    ],
    [
      'task-worker',
      ['--connect', CONNECT, '--task', 't', '--worker-id', '-1', '--sink', 's'],
      '--worker-id',
      /at least 0/,
    ],
    ['task-worker', worker('--commit-interval', '0'), '--commit-interval', /at least 1/],
    ['task-worker', worker('--session-timeout', '0'), '--session-timeout', /at least 1/],
    ['task-worker', worker('--strategy', 'raft'), '--strategy', /raft/],
    [
      'task-worker',
      ['--connect', 'localhost', '--task', 't', '--worker-id', '1', '--sink', 's'],
      '--connect',
      /connect string/,
    ],
    [
      'task-worker',
      ['--connect', CONNECT, '--task', 'a/b', '--worker-id', '1', '--sink', 's'],
      '--task',
      /must not contain "\/"/,
    ],
    ['task-worker', worker('--root', 'x'), '--root', /absolute znode path/],
    ['task-worker', worker('--root', '/a/'), '--root', /absolute znode path/],
    ['task-worker', worker('--root', '/'), '--root', /absolute znode path/],
    ['task-worker', worker('--nope', '1'), '--nope', /unknown flag \(known: --connect, --root, --task/],
    [
      'task-worker',
      ['--connect', CONNECT, '--task', 't', '--worker-id', '--sink', 's'],
      '--worker-id',
      /needs a value/,
    ],
    ['task-worker', worker('--task', 'u'), '--task', /more than once/],
    ['task-worker', ['stray'], 'stray', /unexpected argument/],
    ['monitor', ['--connect', CONNECT, '--stall-intervals', '0'], '--stall-intervals', /at least 1/],
    ['observer', ['--connect', CONNECT, '--max-data', '-1'], '--max-data', /at least 0/],
    ['publisher', ['--connect', CONNECT], '--create/--delete', /exactly one of --create <task> or --delete <task>/],
    ['publisher', ['--connect', CONNECT, '--create', 'a', '--delete', 'a'], '--create/--delete', /exactly one/],
  ] as const)('%s refuses %j, naming %s and the fix', (program, argv, flag, message) => {
    const err = errorOf(program, [...argv])
    expect(err.flag).toBe(flag)
    expect(err.message.startsWith(`${flag}: `)).toBe(true)
    expect(err.message).toMatch(message)
  })

  it('accepts ZooKeeper connect strings with several servers and a chroot', () => {
    const connectOf = (connect: string) => decodeLaunch('monitor', ['--connect', connect]).connect
    expect(connectOf('127.0.0.1:2181,127.0.0.1:2182,zk3:2183')).toBe('127.0.0.1:2181,127.0.0.1:2182,zk3:2183')
    expect(connectOf('localhost:2181/lab')).toBe('localhost:2181/lab')
    expect(errorOf('monitor', ['--connect', '127.0.0.1']).flag).toBe('--connect')
    expect(errorOf('monitor', ['--connect', '']).flag).toBe('--connect')
  })
})

describe('worker-launch encoder', () => {
  const inputs: { [P in LabProgram]: LaunchInput<P> } = {
    'task-worker': {
      connect: CONNECT,
      root: '/lab',
      task: 'task01',
      workerId: 2,
      strategy: 'recipe',
      commitIntervalMs: 250,
      sessionTimeoutMs: 3000,
      sink: '/s/task01.log',
    },
    publisher: { connect: CONNECT, root: '/lab', delete: 'task01', sessionTimeoutMs: 10_000 },
    monitor: {
      connect: CONNECT,
      root: '/lab',
      commitIntervalMs: 400,
      stallIntervals: 5,
      sessionTimeoutMs: 10_000,
      connectTimeoutMs: 2000,
    },
    observer: { connect: CONNECT, root: '/', maxData: 64 },
  }

  it.each(LAB_PROGRAMS)('%s: what the lab encodes is what the program decodes', (program) => {
    const { args, settings } = encodeLaunch(program, inputs[program] as never)
    expect(settings).toMatchObject(inputs[program])
    expect(decodeLaunch(program, args)).toEqual(settings)
  })

  it('keeps the command line people type by hand: same flags, same order as before', () => {
    expect(encodeLaunch('task-worker', inputs['task-worker']).args).toEqual([
      '--connect',
      CONNECT,
      '--root',
      '/lab',
      '--task',
      'task01',
      '--worker-id',
      '2',
      '--strategy',
      'recipe',
      '--commit-interval',
      '250',
      '--session-timeout',
      '3000',
      '--sink',
      '/s/task01.log',
    ])
  })

  it('leaves unset settings off the command line, to the program default', () => {
    const { args, settings } = encodeLaunch('observer', { connect: CONNECT })
    expect(args).toEqual(['--connect', CONNECT])
    expect(settings.sessionTimeoutMs).toBe(DEFAULT_SESSION_TIMEOUT_MS)
  })

  it('refuses settings no program would accept, before anything is started', () => {
    expect(() => encodeLaunch('task-worker', { ...inputs['task-worker'], task: 'a/b' })).toThrow(/--task: .*"\/"/)
  })
})

describe('settings of a process.spawned event', () => {
  const launched = encodeLaunch('task-worker', {
    connect: CONNECT,
    task: 'task01',
    workerId: 1,
    commitIntervalMs: 400,
    sink: '/s/t.log',
  })
  const entry = ['--enable-source-maps', '/lab/out/worker/task-worker.mjs']

  it('reads the recorded settings', () => {
    const event = {
      type: 'process.spawned',
      args: [...entry, ...launched.args],
      settings: { program: 'task-worker', ...launched.settings },
    }
    expect(settingsOfSpawned(event)).toEqual({ program: 'task-worker', ...launched.settings })
  })

  it('decodes the command line of a session recorded before settings were (source run through tsx)', () => {
    const fixture = fileURLToPath(new URL('fixtures/txnlog/stop-primary-recipe.events.jsonl', import.meta.url))
    const spawned = readFileSync(fixture, 'utf8')
      .split('\n')
      .filter((l) => l.includes('"process.spawned"'))
      .map((l) => JSON.parse(l) as { name: string; args?: unknown; settings?: unknown })
    const worker = settingsOfSpawned(spawned.find((e) => e.name === 'worker-task01-1')!)
    expect(worker).toMatchObject({
      program: 'task-worker',
      task: 'task01',
      workerId: 1,
      strategy: 'recipe',
      commitIntervalMs: 500,
      sessionTimeoutMs: 6000,
      root: '/customBackUp',
    })
    // The lab never passed the monitor a session timeout: it ran with the program default.
    expect(settingsOfSpawned(spawned.find((e) => e.name === 'monitor')!)).toMatchObject({
      program: 'monitor',
      commitIntervalMs: 1000,
    })
  })

  it('falls back to the command line when the record does not decode, and gives nothing for other processes', () => {
    const tampered = {
      args: [...entry, ...launched.args],
      settings: { program: 'task-worker', ...launched.settings, commitIntervalMs: -5 },
    }
    expect(settingsOfSpawned(tampered)).toMatchObject({ commitIntervalMs: 400 })
    expect(
      settingsOfSpawned({ args: ['-Dzookeeper.log.dir=/x', 'org.apache.zookeeper.server.quorum.QuorumPeerMain'] }),
    ).toBeUndefined()
    expect(settingsOfSpawned({ args: ['--task-path', '/customBackUp/tasks/ext01'] })).toBeUndefined()
    expect(settingsOfSpawned({ args: [...entry, '--connect', CONNECT] })).toBeUndefined()
    expect(settingsOfSpawned({})).toBeUndefined()
  })

  it("reads an external worker's recorded settings", () => {
    const given = {
      connect: CONNECT,
      root: '/customBackUp',
      task: 'ext01',
      workerId: 1,
      sessionTimeoutMs: 3000,
      commitIntervalMs: 250,
      sink: '/s/ext01.log',
    }
    expect(settingsOfSpawned({ args: ['--task-path', '/x'], settings: { program: 'external', ...given } })).toEqual({
      program: 'external',
      ...given,
    })
  })
})

describe('program entry points', () => {
  const repo = fileURLToPath(new URL('../../', import.meta.url))
  const run = (program: string, args: string[]) =>
    spawnSync(process.execPath, ['--import', 'tsx', `src/worker/${program}.ts`, ...args], {
      cwd: repo,
      encoding: 'utf8',
      timeout: 60_000,
    })

  it.each([
    ['task-worker', ['--connect', CONNECT, '--task', 't', '--worker-id', 'x', '--sink', 's'], '--worker-id'],
    [
      'task-worker',
      ['--connect', CONNECT, '--task', 't', '--worker-id', '1', '--sink', 's', '--strategy', 'raft'],
      '--strategy',
    ],
    ['publisher', ['--connect', CONNECT, '--create', '..'], '--create'],
    ['publisher', ['--connect', CONNECT], '--create/--delete'],
    ['monitor', ['--connect', CONNECT, '--commit-interval', 'soon'], '--commit-interval'],
    ['observer', ['--connect', CONNECT, '--max-data', '-1'], '--max-data'],
  ])('%s exits 2 with one stderr line naming the flag', (program, args, flag) => {
    const result = run(program, args)
    expect(result.status).toBe(2)
    expect(result.stdout).toBe('')
    const lines = result.stderr.split('\n').filter((l) => l !== '')
    expect(lines).toHaveLength(1)
    expect(lines[0]).toContain(`${program}: error: ${flag}`)
  })
})
