import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import {
  ArgError,
  connectFlag,
  flagName,
  intFlag,
  parseFlags,
  rootFlag,
  taskNameFlag,
  zkFlags,
  znodePathFlag,
} from '../../src/worker/common/args.js'

const workerShape = {
  ...zkFlags,
  task: taskNameFlag(),
  workerId: intFlag({ min: 0 }),
  commitInterval: intFlag({ min: 1 }).default(1000),
  sink: z.string().min(1),
}

const errorOf = (argv: string[], shape: Record<string, z.ZodType> = workerShape): ArgError => {
  try {
    parseFlags(argv, shape)
  } catch (err) {
    if (err instanceof ArgError) return err
    throw err
  }
  throw new Error('expected an ArgError')
}

describe('flag parsing', () => {
  it('maps camelCase keys to kebab-case flags', () => {
    expect(flagName('workerId')).toBe('--worker-id')
    expect(flagName('commitInterval')).toBe('--commit-interval')
    expect(flagName('connect')).toBe('--connect')
  })

  it('parses "--flag value" and "--flag=value", with defaults and typed numbers', () => {
    const parsed = parseFlags(
      ['--connect', '127.0.0.1:2181', '--task=task01', '--worker-id', '3', '--sink', '/tmp/s.log'],
      workerShape,
    )
    expect(parsed).toEqual({
      connect: '127.0.0.1:2181',
      root: '/customBackUp',
      connectTimeout: 15000,
      task: 'task01',
      workerId: 3,
      commitInterval: 1000,
      sink: '/tmp/s.log',
    })
  })

  it.each([
    [['--connect', '127.0.0.1:2181', '--worker-id', '1', '--sink', 's'], '--task', /is required/],
    [['--connect', '127.0.0.1:2181', '--task', 't', '--worker-id', 'one', '--sink', 's'], '--worker-id', /whole number \(got "one"\)/],
    [['--connect', '127.0.0.1:2181', '--task', 't', '--worker-id', '1.5', '--sink', 's'], '--worker-id', /whole number/],
    [['--connect', '127.0.0.1:2181', '--task', 't', '--worker-id', '-1', '--sink', 's'], '--worker-id', /at least 0/],
    [['--connect', '127.0.0.1:2181', '--task', 't', '--worker-id', '1', '--sink', 's', '--commit-interval', '0'], '--commit-interval', /at least 1/],
    [['--connect', 'localhost', '--task', 't', '--worker-id', '1', '--sink', 's'], '--connect', /connect string/],
    [['--connect', '127.0.0.1:2181', '--task', 'a/b', '--worker-id', '1', '--sink', 's'], '--task', /must not contain "\/"/],
    [['--connect', '127.0.0.1:2181', '--task', 't', '--worker-id', '1', '--sink', 's', '--root', 'x'], '--root', /absolute znode path/],
    [['--connect', '127.0.0.1:2181', '--task', 't', '--worker-id', '1', '--sink', 's', '--root', '/a/'], '--root', /absolute znode path/],
    [['--connect', '127.0.0.1:2181', '--task', 't', '--worker-id', '1', '--sink', 's', '--nope', '1'], '--nope', /unknown flag/],
    [['--connect', '127.0.0.1:2181', '--task', 't', '--worker-id', '--sink', 's'], '--worker-id', /needs a value/],
    [['--connect', '127.0.0.1:2181', '--task', 't', '--task', 'u', '--worker-id', '1', '--sink', 's'], '--task', /more than once/],
    [['stray'], 'stray', /unexpected argument/],
  ])('rejects %j naming %s', (argv, flag, message) => {
    const err = errorOf(argv as string[])
    expect(err.flag).toBe(flag)
    expect(err.message.startsWith(`${flag}: `)).toBe(true)
    expect(err.message).toMatch(message)
  })

  it('accepts ZooKeeper connect strings with several servers and a chroot', () => {
    const s = connectFlag()
    expect(s.parse('127.0.0.1:2181,127.0.0.1:2182,zk3:2183')).toBe('127.0.0.1:2181,127.0.0.1:2182,zk3:2183')
    expect(s.parse('localhost:2181/lab')).toBe('localhost:2181/lab')
    expect(s.safeParse('127.0.0.1').success).toBe(false)
    expect(s.safeParse('').success).toBe(false)
  })

  it('allows "/" only where the whole tree makes sense', () => {
    expect(rootFlag().safeParse('/').success).toBe(false)
    expect(znodePathFlag().parse('/')).toBe('/')
    expect(znodePathFlag().parse('/a/b')).toBe('/a/b')
  })
})

describe('program entry points', () => {
  const repo = fileURLToPath(new URL('../../', import.meta.url))
  const run = (program: string, args: string[]) =>
    spawnSync(process.execPath, ['--import', 'tsx', `src/worker/${program}.ts`, ...args], { cwd: repo, encoding: 'utf8', timeout: 60_000 })

  it.each([
    ['task-worker', ['--connect', '127.0.0.1:2181', '--task', 't', '--worker-id', 'x', '--sink', 's'], '--worker-id'],
    ['task-worker', ['--connect', '127.0.0.1:2181', '--task', 't', '--worker-id', '1', '--sink', 's', '--strategy', 'raft'], '--strategy'],
    ['publisher', ['--connect', '127.0.0.1:2181', '--create', '..'], '--create'],
    ['monitor', ['--connect', '127.0.0.1:2181', '--commit-interval', 'soon'], '--commit-interval'],
    ['observer', ['--connect', '127.0.0.1:2181', '--max-data', '-1'], '--max-data'],
  ])('%s exits 2 with one stderr line naming the flag', (program, args, flag) => {
    const result = run(program, args)
    expect(result.status).toBe(2)
    expect(result.stdout).toBe('')
    const lines = result.stderr.split('\n').filter((l) => l !== '')
    expect(lines).toHaveLength(1)
    expect(lines[0]).toContain(flag)
  })
})
