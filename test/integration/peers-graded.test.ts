/**
 * The lab's peers (the seed's Go program, kazoo's Election, Curator's LeaderLatch) and a program with
 * node names the lab has never seen, graded as they are by the bundled scenarios through `zklab run`:
 * a real ZooKeeper, the real programs, sessions read off the wire by each worker's proxy.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import type { RunResult } from '../../src/core/experiments/run-scenario.js'
import { LabEventTypes, isEvent, type LabEvent } from '../../src/shared/events.js'
import { ROOT, zklabRunJson } from './helpers/zklab-cli.js'

const base = mkdtempSync(join(tmpdir(), 'zklab-peers-'))

function run(scenario: string, out: string, extra: string[]) {
  return zklabRunJson([scenario, '--out', join(base, out), ...extra])
}

const verdict = (result: RunResult, invariant: string) => result.check?.verdicts.find((v) => v.invariant === invariant)

function journal(out: string): LabEvent[] {
  return readFileSync(join(base, out, 'events.jsonl'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as LabEvent)
}

/** Every worker's sessions, as its proxy saw them opened. */
function sessionsByWorker(events: readonly LabEvent[]): Map<string, string[]> {
  const sessions = new Map<string, string[]>()
  for (const e of events.filter((x) => isEvent(x, LabEventTypes.clientSession))) {
    if (e.how === 'expired') continue
    sessions.set(e.name, [...(sessions.get(e.name) ?? []), e.sessionId])
  }
  return sessions
}

/** A bundled scenario, changed as a user would for one run. */
function scenarioFile(name: string, edit: (yaml: string) => string): string {
  const file = join(base, `${name}-edited.yaml`)
  writeFileSync(file, edit(readFileSync(join(ROOT, 'resources', 'scenarios', `${name}.yaml`), 'utf8')))
  return file
}

describe('peers and unknown programs, graded as they are', () => {
  afterAll(() => rmSync(base, { recursive: true, force: true }))

  describe('seed-go: the seed’s own Go program', () => {
    it('kill-primary: every takeover waits for the expiry, is measured step by step, and status-truth fails', async () => {
      const { code, result, stderr } = await run('kill-primary', 'seed-go-kill', ['--strategy', 'seed-go'])
      // The run breaks the invariants it is built to break, but every step ran.
      expect(result.error ?? '', stderr.slice(-3000)).not.toMatch(/timed out/)
      expect(code).toBe(1)
      const failovers = result.check?.failovers ?? []
      expect(failovers).toHaveLength(5)
      for (const f of failovers) {
        expect(f.to).toBeTruthy()
        expect(f.steps.newPrimary).toBeGreaterThan(4000 * 0.6)
        expect(f.steps.firstCommit).not.toBeNull()
      }
      expect(verdict(result, 'status-truth')?.ok).toBe(false)
      // It keeps no sink: that is not judged, not passed.
      expect(verdict(result, 'sink-integrity')?.state).toBe('not-judged')
      // Each worker's sessions came from its proxy, named by nothing it wrote.
      const sessions = sessionsByWorker(journal('seed-go-kill'))
      expect([...sessions.keys()].filter((w) => w.startsWith('worker-task01-')).length).toBeGreaterThanOrEqual(3)
    })

    it('stop-primary: it never closes its session, so each takeover waits the session out', async () => {
      const { result, stderr } = await run('stop-primary', 'seed-go-stop', ['--strategy', 'seed-go'])
      // The run breaks the invariants it is built to break, but every step ran.
      expect(result.error ?? '', stderr.slice(-3000)).not.toMatch(/timed out/)
      const gaps = (result.check?.failovers ?? []).map((f) => f.steps.newPrimary ?? Infinity)
      expect(gaps).toHaveLength(3)
      for (const gap of gaps) expect(gap).toBeGreaterThan(6000 * 0.6)
    })

    it('standby-churn: a standby joining flaps the status to "0", and status-truth says so', async () => {
      const { result, stderr } = await run('standby-churn', 'seed-go-churn', ['--strategy', 'seed-go'])
      // The run breaks the invariants it is built to break, but every step ran.
      expect(result.error ?? '', stderr.slice(-3000)).not.toMatch(/timed out/)
      const status = verdict(result, 'status-truth')
      expect(status?.ok).toBe(false)
      expect(status?.stats?.flaps ?? 0).toBeGreaterThan(0)
    })

    it('pause-primary with the server listed three times: the old primary returns on a new session and commits next to the new one, or panics on its old connection', async () => {
      const file = scenarioFile('pause-primary', (yaml) =>
        yaml.replace('    sessionTimeoutMs: 3000', '    sessionTimeoutMs: 3000\n    connectRepeat: 3'),
      )
      const { code, result, stderr } = await run(file, 'seed-go-pause', ['--strategy', 'seed-go'])
      // The run breaks the invariants it is built to break, but every step ran.
      expect(result.error ?? '', stderr.slice(-3000)).not.toMatch(/timed out/)
      const events = journal('seed-go-pause')
      const paused = result.check?.failovers[0]?.from
      expect(paused).toMatch(/^worker-task01-\d$/)
      const resumed = events.find(
        (e) => isEvent(e, LabEventTypes.processAction) && e.name === paused && e.action === 'resume',
      )!
      expect(resumed).toBeTruthy()
      // On SIGCONT two of go-zookeeper's goroutines race (conn.go). Mostly its recv loop fails first (EOF or
      // its read deadline, long past), the send loop ends, and the Set the main goroutine then queues waits
      // in sendChan for the new session (with three entries the reconnects never wrap the host list, so
      // flushUnsentRequests never runs). When the main goroutine wins (rarely: 1 run in 21 here, under CPU
      // load), the old send loop writes that Set to the connection ZooKeeper closed at the expiry, and the
      // seed panics on the error. Both are what the seed does, so each is checked for what it is.
      const crash = events.find(
        (e) => isEvent(e, LabEventTypes.processExited) && e.name === paused && !e.expected && e.seq > resumed.seq,
      )
      if (crash) {
        // Go's exit status for a panic, on the go-zookeeper error its commit got from the old connection.
        expect(isEvent(crash, LabEventTypes.processExited) && crash.code).toBe(2)
        const panic = events.find(
          (e) => isEvent(e, LabEventTypes.log) && e.source === paused && e.line.startsWith('panic: '),
        )
        expect(panic && isEvent(panic, LabEventTypes.log) && panic.line).toMatch(
          /^panic: (zk: connection closed|write tcp \S+: write: (broken pipe|connection reset by peer))$/,
        )
        // It wrote nothing after its session expired: nothing for the checker to find there.
        expect(verdict(result, 'zombie-write')?.ok).toBe(true)
        expect(verdict(result, 'commit-monotonic')?.ok).toBe(true)
        return
      }
      expect(code).toBe(1)
      // Two primaries writing in turn: lastCommit goes back and forth.
      expect(verdict(result, 'commit-monotonic')?.ok).toBe(false)
      const zombie = verdict(result, 'zombie-write')
      expect(zombie?.ok).toBe(false)
      const write = zombie!.violations.find((v) => v.kind === 'zombie-write')!
      expect(write.zxids?.length).toBeGreaterThan(0)
      expect(write.message).toMatch(/worker-task01-\d \(session 0x[0-9a-f]+\)/)
      // The paused worker opened a second session after its first expired: both are its own.
      expect(write.workers).toContain(paused)
      expect(sessionsByWorker(events).get(paused!)?.length).toBeGreaterThan(1)
    })
  })

  for (const peer of ['kazoo', 'curator'] as const) {
    describe(`${peer}`, () => {
      for (const scenario of ['stop-primary', 'kill-primary', 'pause-primary', 'partition-primary']) {
        it(`${scenario} runs green`, async () => {
          const { code, result, stderr } = await run(scenario, `${peer}-${scenario}`, ['--strategy', peer])
          expect(result.broken, stderr.slice(-3000)).toEqual([])
          expect(result.error).toBeUndefined()
          expect(code).toBe(0)
          expect(result.check?.failovers.length).toBeGreaterThan(0)
        })
      }

      it('hands over on SIGTERM without waiting for the session timeout', () => {
        const { result } = JSON.parse(readFileSync(join(base, `${peer}-stop-primary`, 'session.json'), 'utf8')) as {
          result: RunResult
        }
        const gaps = (result.check?.failovers ?? []).map((f) => f.steps.newPrimary ?? Infinity)
        expect(gaps).toHaveLength(3)
        // Wide margin: a closed session against an expired one, not a timing benchmark.
        for (const gap of gaps) expect(gap).toBeLessThan(6000 / 2)
      })
    })
  }

  it('a program whose node names say nothing of it is attributed through its proxy, and its failovers measured', async () => {
    const line = 'test/fixtures/external-worker.mjs --member-names'
    const { code, result, stderr } = await run('stop-primary', 'member-names', ['--external', line])
    expect(result.error, stderr.slice(-3000)).toBeUndefined()
    expect(code).toBe(0)
    expect(result.check?.failovers).toHaveLength(3)
    const events = journal('member-names')
    const roles = events.filter((e) => isEvent(e, LabEventTypes.externalRole) && e.role === 'primary')
    expect(roles.length).toBeGreaterThanOrEqual(4)
    for (const e of roles) if (isEvent(e, LabEventTypes.externalRole)) expect(e.node).toMatch(/-member-\d{10}$/)
  })
})
