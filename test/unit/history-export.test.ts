/**
 * `zklab history`: a session's lastCommit as a compare-and-set register history and its leadership as a
 * mutex history, built from small journals and from the recorded pause-primary (seed) and stop-primary
 * (recipe) sessions with their real transaction logs, and checked against the documented format.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import {
  assembleHistory,
  buildHistory,
  formatHistory,
  MutexHistory,
  mutexOperations,
  porcupineOps,
  RegisterHistory,
  type JepsenOp,
  type SessionHistoryInput,
} from '../../src/core/history/index.js'
import { attributeSessions } from '../../src/core/txnlog/attribution.js'
import { buildTxnHistory } from '../../src/core/txnlog/history.js'
import { parseTxnLogFile } from '../../src/core/txnlog/txn-log-file.js'
import type { LabEvent } from '../../src/shared/events.js'
import { JournalBuilder, T0 } from './helpers/checker-journal.js'

const FIXTURES = join(new URL('.', import.meta.url).pathname, 'fixtures', 'txnlog')
function recorded(name: string): SessionHistoryInput {
  const events = readFileSync(join(FIXTURES, `${name}.events.jsonl`), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as LabEvent)
  const history = buildTxnHistory(parseTxnLogFile(readFileSync(join(FIXTURES, `${name}.log`))).txns)
  return { events, txn: { history, owners: attributeSessions(events, history) } }
}

/** Every invocation is followed, on its process, by exactly one completion of the same f before the next. */
function expectWellFormed(ops: readonly JepsenOp[]): void {
  const open = new Map<number, JepsenOp>()
  const crashed = new Set<number>()
  ops.forEach((op, i) => {
    expect(op.index).toBe(i)
    if (i > 0) expect(op.time).toBeGreaterThanOrEqual(ops[i - 1].time)
    expect(crashed.has(op.process), `process ${op.process} invoked after an info`).toBe(false)
    if (op.type === 'invoke') {
      expect(open.has(op.process), `process ${op.process} invoked twice at index ${i}`).toBe(false)
      open.set(op.process, op)
    } else {
      const call = open.get(op.process)
      expect(call, `completion without invocation at index ${i}`).toBeDefined()
      expect(call!.f).toBe(op.f)
      if (op.f === 'cas' && call!.f === 'cas') expect(op.value).toEqual(call!.value)
      open.delete(op.process)
      if (op.type === 'info') crashed.add(op.process)
    }
  })
}

/** Pairs of workers holding the mutex at once: an acquire ok while another's acquire ok is unreleased. */
function overlaps(ops: readonly JepsenOp[]): Array<[string, string]> {
  const holders = new Set<string>()
  const found: Array<[string, string]> = []
  for (const op of ops) {
    if (op.f === 'acquire' && op.type === 'ok') {
      for (const h of holders) found.push([h, op.worker])
      holders.add(op.worker)
    }
    if (op.f === 'release' && op.type !== 'invoke') holders.delete(op.worker)
  }
  return found
}

describe('history export: leadership as a mutex', () => {
  it('shows the seed under pause-primary holding leadership twice at once', () => {
    const ops = buildHistory(recorded('pause-primary-seed'), 'task01', 'leadership')
    expect(MutexHistory.safeParse(ops).success).toBe(true)
    expectWellFormed(ops)
    // Worker 2 became primary, was paused past its session and never stepped down; worker 1 took over.
    expect(overlaps(ops)).toEqual([['worker-task01-2', 'worker-task01-1']])
    const acquires = ops.filter((o) => o.f === 'acquire' && o.type === 'ok').map((o) => o.process)
    expect(acquires).toEqual([2, 1])
    const w2 = ops.filter((o) => o.worker === 'worker-task01-2').map((o) => `${o.type} ${o.f}`)
    expect(w2).toEqual(['invoke acquire', 'ok acquire', 'invoke release', 'info release'])
  })

  it('hands leadership over without overlap for the recipe under stop-primary', () => {
    const ops = buildHistory(recorded('stop-primary-recipe'), 'task01', 'leadership')
    expect(MutexHistory.safeParse(ops).success).toBe(true)
    expectWellFormed(ops)
    expect(overlaps(ops)).toEqual([])
    // The stopped primary closed its session on the way out: a release that completed.
    const released = ops.find((o) => o.f === 'release' && o.type === 'ok')
    expect(released).toBeDefined()
  })

  it('releases on a step-down, gives a crashed worker a fresh process, and keeps a pause from releasing', () => {
    const j = new JournalBuilder()
    j.publish(0)
    j.spawn(10, 1)
    j.spawn(10, 2)
    const n1 = j.register(100, 1, 0)
    const n2 = j.register(110, 2, 1)
    j.role(120, 1, 'primary', n1)
    j.role(130, 2, 'standby', n2, n1)
    j.action(1000, 1, 'pause')
    j.role(5000, 2, 'primary', n2)
    j.role(6000, 2, 'standby', n2, n2)
    j.exited(7000, 1)
    j.spawn(8000, 1)
    const n3 = j.register(8100, 1, 2)
    j.role(8200, 1, 'primary', n3)
    const ops = assembleHistory(mutexOperations(j.events, 'task01'), T0)
    expectWellFormed(ops)
    expect(ops.map((o) => `${o.process} ${o.type} ${o.f}`)).toEqual([
      '1 invoke acquire',
      '2 invoke acquire', // registered, waiting in the election
      '1 ok acquire',
      '2 ok acquire', // worker 1 is paused, not released: two holders
      '2 invoke release',
      '2 ok release',
      '1 invoke release',
      '1 info release', // killed: when ZooKeeper let go is not in the journal
      '11 invoke acquire', // worker 1's next incarnation, a new process after the info
      '11 ok acquire',
    ])
    expect(overlaps(ops)).toEqual([['worker-task01-1', 'worker-task01-2']])
    expect(ops[2].time).toBe(120 * 1e6)
  })
})

describe('history export: lastCommit as a register', () => {
  it("lists every write of the seed's session from the transaction log, the zombie's included", () => {
    const input = recorded('pause-primary-seed')
    const ops = buildHistory(input, 'task01', 'lastcommit')
    expect(RegisterHistory.safeParse(ops).success).toBe(true)
    expectWellFormed(ops)
    const oks = ops.filter((o) => o.type === 'ok')
    // Every write to lastCommit the log holds (the publisher's create, the commits), one ok each, in ZooKeeper's order.
    const logged = input.txn!.history.tasks.get('task01')!.writes.filter((w) => w.node === 'lastCommit')
    expect(oks.map((o) => o.zxid)).toEqual(logged.map((w) => `0x${w.zxid.toString(16)}`))
    expect(oks.every((o) => o.f === 'write')).toBe(true)
    const zombie = oks.filter((o) => o.zxid === '0x33')
    expect(zombie).toMatchObject([{ worker: 'worker-task01-2', value: 4, process: 2 }])
    // Times in ns after the session began; a write's ok is never before its invocation.
    const first = ops.find((o) => o.zxid === '0x13' && o.type === 'invoke')!
    const done = ops.find((o) => o.zxid === '0x13' && o.type === 'ok')!
    expect(done.time).toBeGreaterThanOrEqual(first.time)
  })

  it("exports the recipe's conditional sets as cas [previous, new]", () => {
    const ops = buildHistory(recorded('stop-primary-recipe'), 'task01', 'lastcommit')
    expect(RegisterHistory.safeParse(ops).success).toBe(true)
    expectWellFormed(ops)
    const cas = ops.flatMap((o) => (o.f === 'cas' && o.type === 'ok' ? [o.value] : []))
    expect(cas.length).toBeGreaterThan(2)
    // Each cas expects what the one before it wrote.
    for (let i = 1; i < cas.length; i++) expect(cas[i][0]).toEqual(cas[i - 1][1])
  })

  it("without a transaction log, exports the workers' own commits as writes, refusals left out", () => {
    const events = [
      { seq: 1, time: T0, source: 'lab', type: 'session.created', dir: '/x', name: 't' },
      {
        seq: 2,
        time: T0 + 10,
        source: 'lab',
        type: 'process.spawned',
        name: 'worker-t1-1',
        kind: 'worker',
        pid: 1,
        command: 'node',
        args: [],
        labels: { task: 't1', workerId: 1, strategy: 'recipe' },
      },
      { seq: 3, time: T0 + 20, source: 'worker-t1-1', type: 'worker.commit', id: 5, version: 1 },
      { seq: 4, time: T0 + 30, source: 'worker-t1-1', type: 'worker.fenced', id: 6, version: 1, reason: 'badversion' },
      { seq: 5, time: T0 + 40, source: 'worker-t1-1', type: 'worker.fenced', id: 6, version: 2, reason: 'session' },
      { seq: 6, time: T0 + 50, source: 'worker-t1-1', type: 'worker.commit', id: 7, version: 3 },
    ] as LabEvent[]
    // No transaction log: the journal alone, as for an external ZooKeeper.
    const ops = buildHistory({ events }, 't1', 'lastcommit')
    expect(RegisterHistory.safeParse(ops).success).toBe(true)
    expectWellFormed(ops)
    expect(ops.map((o) => `${o.process} ${o.type} ${o.f} ${JSON.stringify('value' in o ? o.value : null)}`)).toEqual([
      '1 invoke write 5',
      '1 ok write 5',
      '1 invoke write 7',
      '1 ok write 7',
    ])
  })
})

describe('history export: formats', () => {
  const ops = buildHistory(recorded('pause-primary-seed'), 'task01', 'leadership')

  it('writes JSON that parses back to the same history, and EDN one map a line', () => {
    expect(JSON.parse(formatHistory(ops, 'jepsen'))).toEqual(ops)
    const edn = formatHistory(ops, 'jepsen-edn').trim().split('\n')
    expect(edn).toHaveLength(ops.length)
    expect(edn[1]).toBe(
      `{:type :ok, :f :acquire, :process 2, :time ${ops[1].time}, :index 1, :worker "worker-task01-2"}`,
    )
    const reg = formatHistory(buildHistory(recorded('stop-primary-recipe'), 'task01', 'lastcommit'), 'jepsen-edn')
    expect(reg).toMatch(/:f :cas, :value \[\d+ \d+\]/)
  })

  it("pairs operations for Porcupine, an info returning at the history's end", () => {
    const pc = porcupineOps(ops)
    expect(pc).toHaveLength(ops.length / 2)
    const info = pc.find((p) => 'unknown' in p.output)!
    expect(info.return).toBeGreaterThan(ops.at(-1)!.time)
    for (const p of pc) expect(p.return).toBeGreaterThanOrEqual(p.call)
  })
})
