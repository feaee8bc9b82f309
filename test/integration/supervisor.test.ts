import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import type { UnsequencedEvent } from '../../src/shared/events.js'
import { LOG_LINES_PER_SECOND, MAX_LINE_BYTES, Supervisor } from '../../src/core/workers/supervisor.js'
import { taggedSleeps } from './helpers/tagged-sleeps.js'
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
  let sleeps: ReturnType<typeof taggedSleeps> | undefined
  afterEach(async () => {
    await sup?.stopAll(1000)
    sleeps?.killLeft()
    sleeps = undefined
    rmSync(dir, { recursive: true, force: true })
  })

  it('captures JSON events and plain lines, into events and into logs/<name>.log', async () => {
    const s = make()
    const p = s.spawn({
      name: 'talker',
      kind: 'worker',
      command: node,
      args: [
        '-e',
        `console.log(JSON.stringify({time: 5, type: 'worker.commit', id: 3, version: 2})); console.log('plain words'); console.error('oops')`,
      ],
      jsonEvents: true,
    })
    expect(await p.exited).toEqual({ code: 0, signal: null })
    await waitFor(() => events.some((e) => e.type === 'process.exited'))
    expect(events).toContainEqual(expect.objectContaining({ source: 'talker', type: 'worker.commit', id: 3, time: 5 }))
    expect(events).toContainEqual(
      expect.objectContaining({ source: 'talker', type: 'log', stream: 'stdout', line: 'plain words' }),
    )
    expect(events).toContainEqual(
      expect.objectContaining({ source: 'talker', type: 'log', stream: 'stderr', line: 'oops' }),
    )
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
    expect(events).toContainEqual(
      expect.objectContaining({ type: 'process.exited', name: 'sleeper', signal: 'SIGTERM', expected: true }),
    )
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
    s.spawn({
      name: 'crasher',
      kind: 'worker',
      command: node,
      args: ['-e', 'process.exit(3)'],
      restart: { maxRestarts: 2, backoffMs: 50 },
    })
    await waitFor(() => events.filter((e) => e.type === 'process.exited' && e.name === 'crasher').length === 3)
    await new Promise((r) => setTimeout(r, 300))
    expect(events.filter((e) => e.type === 'process.spawned' && e.name === 'crasher')).toHaveLength(3)
    expect(events).toContainEqual(
      expect.objectContaining({ type: 'process.gave-up', name: 'crasher', restarts: 2, code: 3, level: 'error' }),
    )
    expect(() => s.spawn({ name: 'ghost', kind: 'external', command: join(dir, 'no-such-program'), args: [] })).toThrow(
      /no-such-program is not an executable file or a program on PATH/,
    )
  })

  it('starts the restart count afresh after a stable run', async () => {
    dir = mkdtempSync(join(tmpdir(), 'zklab-sup-'))
    events = []
    // "Stable" shortened to 300 ms: each run lasts 500 ms, so one allowed restart is never used up.
    sup = new Supervisor({ logDir: join(dir, 'logs'), emit: (e) => events.push(e), stableRunMs: 300 })
    sup.spawn({
      name: 'flaky',
      kind: 'worker',
      command: node,
      args: ['-e', 'setTimeout(() => process.exit(3), 500)'],
      restart: { maxRestarts: 1, backoffMs: 20 },
    })
    await waitFor(() => events.filter((e) => e.type === 'process.spawned' && e.name === 'flaky').length >= 4, 15_000)
    expect(events.filter((e) => e.type === 'process.gave-up')).toEqual([])
  })

  it('stops, pauses and resumes a worker together with the processes it started', async () => {
    const s = make()
    sleeps = taggedSleeps()
    const p = s.spawn({ name: 'forker', kind: 'external', command: 'sh', args: ['-c', sleeps.script] })
    await waitFor(() => sleeps!.find().length === 2, 10_000)
    s.pause('forker')
    await waitFor(() => [p.pid, ...sleeps!.find()].every((pid) => procState(pid) === 'T'), 10_000)
    s.resume('forker')
    await waitFor(() => [p.pid, ...sleeps!.find()].every((pid) => procState(pid) !== 'T'), 10_000)
    await s.stop('forker', 2000)
    await waitFor(() => sleeps!.find().length === 0, 10_000)
  })

  it('ends a helper that ignores SIGTERM once its worker has exited', async () => {
    const s = make()
    sleeps = taggedSleeps()
    // The background sleep ignores SIGTERM (inherited across exec); the shell and its foreground sleep do not.
    const script = `(trap '' TERM; exec sleep 100.${sleeps.tag}) & sleep 101.${sleeps.tag}`
    s.spawn({ name: 'leaver', kind: 'external', command: 'sh', args: ['-c', script] })
    await waitFor(() => sleeps!.find().length === 2, 10_000)
    expect(await s.stop('leaver', 5000)).toEqual({ code: null, signal: 'SIGTERM' })
    await waitFor(() => sleeps!.find().length === 0, 10_000)
  })

  it('cuts a line past 64 KiB and marks how much was cut', async () => {
    const s = make()
    s.spawn({
      name: 'long',
      kind: 'external',
      command: node,
      args: ['-e', "process.stdout.write('x'.repeat(200000) + '\\nafter\\n')"],
    })
    await waitFor(() => events.some((e) => e.type === 'process.exited'))
    await s.stopAll()
    const lines = events
      .filter((e) => e.type === 'log' && e.source === 'long')
      .map((e) => (e.type === 'log' ? e.line : ''))
    expect(lines).toEqual(['x'.repeat(MAX_LINE_BYTES) + `… [${200000 - MAX_LINE_BYTES} bytes cut]`, 'after'])
  })

  it('keeps a `yes` within the line rate: the rest is dropped and counted once a second, and the journal stays bounded', async () => {
    const s = make()
    const started = Date.now()
    s.spawn({ name: 'yes', kind: 'external', command: 'yes', args: [] })
    await new Promise((r) => setTimeout(r, 3000))
    await s.stop('yes', 1000)
    await s.stopAll()
    const seconds = (Date.now() - started) / 1000
    const kept = events.filter((e) => e.type === 'log' && e.source === 'yes')
    const drops = events.filter((e) => e.type === 'log.dropped' && e.name === 'yes')
    const dropped = drops.reduce((n, e) => n + (e.type === 'log.dropped' ? e.dropped : 0), 0)
    // The burst plus the rate over the run, and no more: the lab read far more than it kept.
    expect(kept.length).toBeLessThanOrEqual(LOG_LINES_PER_SECOND * (seconds + 1))
    expect(dropped).toBeGreaterThan(kept.length)
    expect(drops.length).toBeGreaterThanOrEqual(2)
    expect(drops.length).toBeLessThanOrEqual(Math.ceil(seconds) + 2)
    const journalBytes = events.reduce((n, e) => n + JSON.stringify(e).length + 1, 0)
    expect(journalBytes).toBeLessThan(LOG_LINES_PER_SECOND * (seconds + 1) * 200)
    expect(statSync(join(dir, 'logs', 'yes.log')).size).toBeLessThan(
      LOG_LINES_PER_SECOND * (seconds + 1) * 2 + 100 * drops.length,
    )
  })

  it('leaves no orphan when the lab process itself is SIGKILLed', async () => {
    dir = mkdtempSync(join(tmpdir(), 'zklab-orphan-'))
    sleeps = taggedSleeps()
    // A stand-in lab: a real Node process that supervises a long-running child, then is SIGKILLed.
    const labScript = `
      import { Supervisor } from ${JSON.stringify(new URL('../../src/core/workers/supervisor.ts', import.meta.url).href)}
      const s = new Supervisor({ logDir: ${JSON.stringify(join(dir, 'logs'))}, emit: () => {} })
      const p = s.spawn({ name: 'child', kind: 'worker', command: process.execPath, args: ['-e', 'setInterval(() => {}, 1000)'] })
      s.spawn({ name: 'forker', kind: 'external', command: 'sh', args: ['-c', ${JSON.stringify(sleeps.script)}] })
      console.log(p.pid, s.reaperPid)
      setInterval(() => {}, 1000)`
    const lab = spawn(node, ['--import', 'tsx', '--input-type=module', '-e', labScript], {
      stdio: ['ignore', 'pipe', 'inherit'],
    })
    const [childPid, reaperPid] = await new Promise<number[]>((resolve, reject) => {
      lab.stdout.once('data', (d: Buffer) => resolve(String(d).trim().split(' ').map(Number)))
      lab.once('exit', () => reject(new Error('stand-in lab exited early')))
    })
    expect(isAlive(childPid)).toBe(true)
    expect(isAlive(reaperPid)).toBe(true)
    await waitFor(() => sleeps!.find().length === 2, 10_000)
    lab.kill('SIGKILL')
    // The direct child by its parent-death signal; the shell's background sleep by the reaper, which then exits.
    await waitFor(() => !isAlive(childPid) && sleeps!.find().length === 0 && !isAlive(reaperPid), 10_000)
  })
})

function procState(pid: number): string {
  // Field 3 of /proc/<pid>/stat: R running, S sleeping, T stopped.
  return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ')[0]
}
