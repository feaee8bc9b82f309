import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import type { UnsequencedEvent } from '../../src/shared/events.js'
import { Supervisor } from '../../src/core/workers/supervisor.js'
import { isAlive, waitFor } from './helpers/wait.js'

const node = process.execPath

describe('supervisor (real OS processes)', () => {
  let dir: string
  let sup: Supervisor | undefined
  let events: UnsequencedEvent[]
  const make = () => {
    dir = mkdtempSync(join(tmpdir(), 'zklab-sup-'))
    events = []
    sup = new Supervisor({ logDir: join(dir, 'logs'), emit: (e) => events.push(e) })
    return sup
  }
  afterEach(async () => {
    await sup?.stopAll(1000)
    rmSync(dir, { recursive: true, force: true })
  })

  it('captures JSON events and plain lines, into events and into logs/<name>.log', async () => {
    const s = make()
    const p = s.spawn({
      name: 'talker',
      kind: 'worker',
      command: node,
      args: ['-e', `console.log(JSON.stringify({time: 5, type: 'worker.commit', id: 3})); console.log('plain words'); console.error('oops')`],
      jsonEvents: true,
    })
    expect(await p.exited).toEqual({ code: 0, signal: null })
    await waitFor(() => events.some((e) => e.type === 'process.exited'))
    expect(events).toContainEqual(expect.objectContaining({ source: 'talker', type: 'worker.commit', id: 3, time: 5 }))
    expect(events).toContainEqual(expect.objectContaining({ source: 'talker', type: 'log', stream: 'stdout', line: 'plain words' }))
    expect(events).toContainEqual(expect.objectContaining({ source: 'talker', type: 'log', stream: 'stderr', line: 'oops' }))
    await s.stopAll()
    expect(readFileSync(join(dir, 'logs', 'talker.log'), 'utf8')).toContain('plain words\n')
  })

  it('keeps every line a process writes on its way out, and nothing arrives after stopAll', async () => {
    const s = make()
    // On SIGTERM it exits at once, leaving a helper that still holds its stdout and writes one more
    // line 300 ms later: the exit is seen before the last line. stopAll must read the output to its
    // end (within a bound) before it ends the log and lets the session close.
    const script = `process.on('SIGTERM', () => { require('node:child_process').spawn('sh', ['-c', 'sleep 0.3; echo late'], { stdio: ['ignore', 'inherit', 'inherit'] }); process.exit(0) }); console.log('ready'); setInterval(() => {}, 1000)`
    const names = ['leaver-1', 'leaver-2']
    for (const name of names) s.spawn({ name, kind: 'worker', command: node, args: ['-e', script] })
    await waitFor(() => events.filter((e) => e.type === 'log' && e.line === 'ready').length === names.length)
    await s.stopAll(5000)
    const late = events.filter((e) => e.type === 'log' && e.line === 'late').map((e) => e.source)
    expect(late.sort()).toEqual(names)
    const counted = events.length
    await new Promise((r) => setTimeout(r, 500))
    expect(events.length).toBe(counted)
    for (const name of names) expect(readFileSync(join(dir, 'logs', `${name}.log`), 'utf8')).toBe('ready\nlate\n')
  })

  it('pauses, resumes, stops with SIGTERM and records the exit signal', async () => {
    const s = make()
    const p = s.spawn({ name: 'sleeper', kind: 'worker', command: node, args: ['-e', 'setInterval(() => {}, 1000)'] })
    s.pause('sleeper')
    await waitFor(() => procState(p.pid) === 'T')
    s.resume('sleeper')
    await waitFor(() => procState(p.pid) !== 'T')
    expect(await s.stop('sleeper', 2000)).toEqual({ code: null, signal: 'SIGTERM' })
    expect(events).toContainEqual(expect.objectContaining({ type: 'process.exited', name: 'sleeper', signal: 'SIGTERM', expected: true }))
  })

  it('escalates to SIGKILL when a process ignores SIGTERM', async () => {
    const s = make()
    const p = s.spawn({
      name: 'stubborn',
      kind: 'worker',
      command: node,
      args: ['-e', "process.on('SIGTERM', () => {}); console.log('ready'); setInterval(() => {}, 1000)"],
    })
    await waitFor(() => p.recentLines(1)[0] === 'ready')
    expect(await s.stop('stubborn', 300)).toEqual({ code: null, signal: 'SIGKILL' })
  })

  it('restarts a crashing process with backoff, up to its limit, and reports a spawn failure', async () => {
    const s = make()
    s.spawn({ name: 'crasher', kind: 'worker', command: node, args: ['-e', 'process.exit(3)'], restart: { maxRestarts: 2, backoffMs: 50 } })
    await waitFor(() => events.filter((e) => e.type === 'process.exited' && e.name === 'crasher').length === 3)
    await new Promise((r) => setTimeout(r, 300))
    expect(events.filter((e) => e.type === 'process.spawned' && e.name === 'crasher')).toHaveLength(3)
    expect(() => s.spawn({ name: 'ghost', kind: 'external', command: join(dir, 'no-such-program'), args: [] })).toThrow(
      /no-such-program is not an executable file or a program on PATH/,
    )
  })

  it('leaves no orphan when the lab process itself is SIGKILLed', async () => {
    dir = mkdtempSync(join(tmpdir(), 'zklab-orphan-'))
    // A stand-in lab: a real Node process that supervises a long-running child, then is SIGKILLed.
    const labScript = `
      import { Supervisor } from ${JSON.stringify(new URL('../../src/core/workers/supervisor.ts', import.meta.url).href)}
      const s = new Supervisor({ logDir: ${JSON.stringify(join(dir, 'logs'))}, emit: () => {} })
      const p = s.spawn({ name: 'child', kind: 'worker', command: process.execPath, args: ['-e', 'setInterval(() => {}, 1000)'] })
      console.log(p.pid)
      setInterval(() => {}, 1000)`
    const lab = spawn(node, ['--import', 'tsx', '--input-type=module', '-e', labScript], { stdio: ['ignore', 'pipe', 'inherit'] })
    const childPid = await new Promise<number>((resolve, reject) => {
      lab.stdout.once('data', (d: Buffer) => resolve(Number(String(d).trim())))
      lab.once('exit', () => reject(new Error('stand-in lab exited early')))
    })
    expect(isAlive(childPid)).toBe(true)
    lab.kill('SIGKILL')
    await waitFor(() => !isAlive(childPid), 10_000)
  })
})

function procState(pid: number): string {
  // Field 3 of /proc/<pid>/stat: R running, S sleeping, T stopped.
  return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ')[0]
}
