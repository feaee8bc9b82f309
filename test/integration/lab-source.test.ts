/**
 * The binlog workload's MariaDB source run by the Lab, through a tiny scenario: the source starts
 * with the session (a `workload: binlog` task asks for it), its load commits, a `restart: mariadb`
 * and a `pause: mariadb` step hit it, a burst is added, every step is journalled as mariadb.* events, the task's
 * workers are told where the source is (flags for the lab's, ZKLAB_SOURCE* env for an external
 * program; the password in the env only), and at the end the source's
 * history is read back into the session folder and the server is gone.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Lab } from '../../src/core/lab.js'
import { runScenarioInLab, type RunResult } from '../../src/core/experiments/run-scenario.js'
import { readSourceHistory } from '../../src/core/mariadb/history.js'
import { LabEventTypes, type EventOf, type LabEvent } from '../../src/shared/events.js'
import { Scenario } from '../../src/shared/scenario.js'
import { parseGtid } from '../../src/shared/binlog.js'
import { processesUnder } from './helpers/zookeeper-lab.js'

const scenario = Scenario.parse({
  name: 'source-restart',
  source: { rate: 20 },
  // The worker's binlog workload is another module's; what is checked here is how the lab starts it.
  tasks: [
    { name: 'task01', workers: 1, strategy: 'recipe', workload: 'binlog', commitEvents: 10 },
    // An external program of a binlog task says what it was told (the password's length only).
    {
      name: 'task02',
      workers: 1,
      workload: 'binlog',
      external: {
        command: 'sh',
        args: ['-c', 'echo "told $ZKLAB_SOURCE $ZKLAB_SOURCE_USER ${#ZKLAB_SOURCE_PASSWORD}"; exec sleep 60'],
      },
    },
  ],
  steps: [
    { sleep: 1500 },
    { restart: 'mariadb' },
    { sourceLoad: { burst: 50 } },
    { sleep: 1200 },
    { pause: 'mariadb', for: 300 },
    { sleep: 500 },
  ].map((step) => ({ ...step, task: 'task01' })),
  expect: 'none',
})

describe('the Lab runs a MariaDB source', () => {
  let base: string
  let dir: string
  let lab: Lab
  let result: RunResult
  let events: LabEvent[] = []
  const of = <T extends LabEvent['type']>(type: T) =>
    events.filter((e): e is EventOf<T> & LabEvent => e.type === type) as Array<EventOf<T>>

  beforeAll(async () => {
    base = mkdtempSync(join(tmpdir(), 'zklab-source-'))
    dir = join(base, 'session')
    lab = new Lab()
    result = await runScenarioInLab(lab, scenario, { out: dir })
    events = readFileSync(join(dir, 'events.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as LabEvent)
  }, 120_000)

  afterAll(async () => {
    await lab?.dispose()
    // Whatever happened, no server of this session is left: killed by PID if one were.
    for (const p of processesUnder(base)) process.kill(p.pid, 'SIGKILL')
    rmSync(base, { recursive: true, force: true })
  }, 30_000)

  it('runs every step', () => {
    expect(result.error).toBeUndefined()
    expect(result.exitCode).toBe(0)
  })

  it('journals the source starting, restarting, pausing and stopping with the session', () => {
    const started = of(LabEventTypes.mariadbStarted)
    expect(started).toHaveLength(2)
    expect(started[1].port).toBe(started[0].port)
    expect(started[1].pid).not.toBe(started[0].pid)
    expect(of(LabEventTypes.mariadbStopped).map((e) => e.reason)).toEqual(['restart', 'session-closed'])
    expect(of(LabEventTypes.mariadbPaused)).toHaveLength(1)
    expect(of(LabEventTypes.mariadbResumed)).toHaveLength(1)
    // The load committed before and after the restart: the position moved on, and the binlog rotated.
    const positions = of(LabEventTypes.mariadbPosition)
    const seqs = positions.map((p) => parseGtid(p.gtid)?.seq ?? 0)
    expect(seqs.at(-1)).toBeGreaterThan(10)
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b))
    expect(positions.at(-1)!.binlogFiles.length).toBeGreaterThanOrEqual(2)
    // The load's counts ride along, so the app shows them while the run goes.
    expect(positions.at(-1)!.load?.committed).toBeGreaterThan(10)
    // The restart came after some commits and more followed it.
    const restartSeq = of(LabEventTypes.mariadbStopped)[0].seq
    expect(positions.some((p) => p.seq > restartSeq && (parseGtid(p.gtid)?.seq ?? 0) > seqs[0])).toBe(true)
  })

  it('journals the burst and what the load generator did', () => {
    expect(of(LabEventTypes.mariadbLoad)).toEqual([expect.objectContaining({ burst: 50 })])
    const [stopped] = of(LabEventTypes.mariadbLoadStopped)
    // 20/s for about 4 s, and the burst on top.
    expect(stopped.committed).toBeGreaterThan(50)
    expect(stopped.lastChangeId).toBeGreaterThanOrEqual(stopped.committed)
    expect(stopped.unknownChangeIds.length).toBeLessThanOrEqual(stopped.unknown)
  })

  it('tells the task worker where the source is, the password in its env only', () => {
    const port = of(LabEventTypes.mariadbStarted)[0].port
    const spawned = of(LabEventTypes.processSpawned).find((e) => e.name === 'worker-task01-1')!
    expect(spawned.args.join(' ')).toContain(`--workload binlog --source 127.0.0.1:${port} --source-user zklab`)
    expect(spawned.args.join(' ')).toContain('--commit-events 10')
    expect(spawned.args.join(' ')).not.toMatch(/password/i)
    const told = readFileSync(join(dir, 'logs', 'worker-task02-1.log'), 'utf8')
    expect(told).toMatch(new RegExp(`told 127\\.0\\.0\\.1:${port} zklab (\\d+)`))
    expect(Number(/zklab (\d+)/.exec(told)![1])).toBeGreaterThanOrEqual(16)
    const session = JSON.parse(readFileSync(join(dir, 'session.json'), 'utf8')) as { source?: object }
    expect(session.source).toMatchObject({ rate: 20, address: `127.0.0.1:${port}`, user: 'zklab' })
    expect(JSON.stringify(session)).not.toMatch(/password/i)
  })

  it("keeps the source's files in the session folder and stops it", () => {
    expect(existsSync(join(dir, 'mariadb', 'data'))).toBe(true)
    expect(readFileSync(join(dir, 'logs', 'mariadb.log'), 'utf8')).toContain('ready for connections')
    const history = readSourceHistory(dir)
    const last = of(LabEventTypes.mariadbPosition).at(-1)!
    expect(history.at(-1)?.gtid).toBe(last.gtid)
    expect(history.filter((tx) => tx.change !== undefined).length).toBeGreaterThan(10)
    expect(processesUnder(join(dir, 'mariadb'))).toEqual([])
  })
})
