/**
 * ZooKeeper's transaction log, parsed in Node: checked record by record against what ZooKeeper's own
 * TxnLogToolkit printed for the same real logs (captured from `zklab run pause-primary --strategy
 * seed` and `stop-primary`, in fixtures/txnlog), then the history and the zombie-write verdict built on it.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { checkSession } from '../../src/core/checker/index.js'
import type { LabEvent } from '../../src/shared/events.js'
import { attributeSessions } from '../../src/core/txnlog/attribution.js'
import { buildTxnHistory } from '../../src/core/txnlog/history.js'
import { zxidGaps, type TxnLogRead } from '../../src/core/txnlog/read-txn-logs.js'
import { adler32, normalizeSessionId, parseTxnLogFile, type Txn } from '../../src/core/txnlog/txn-log-file.js'
import { txnLogFile, type SyntheticTxn } from './helpers/txnlog-writer.js'
import { stringMatching } from '../matchers.js'

const FIXTURES = join(new URL('.', import.meta.url).pathname, 'fixtures', 'txnlog')
const fixture = (name: string) => ({
  log: readFileSync(join(FIXTURES, `${name}.log`)),
  dump: readFileSync(join(FIXTURES, `${name}.toolkit-dump.txt`), 'utf8'),
  events: readFileSync(join(FIXTURES, `${name}.events.jsonl`), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as LabEvent),
})
const asRead = (txns: Txn[]): TxnLogRead => ({
  servers: [{ server: 'zk-1', files: [], txns: txns.length }],
  txns,
  problems: [],
  gaps: zxidGaps(txns),
})

interface DumpLine {
  time: number
  session: string
  cxid: number
  zxid: number
  type: string
  rest: string
}

/** TxnLogToolkit --dump, one entry per transaction (an ACL's newline joined back). */
function parseDump(text: string): DumpLine[] {
  const entry =
    /^(\d+)\/(\d+)\/(\d+), (\d+):(\d+):(\d+)\s(AM|PM) UTC session 0x([0-9a-f]+) cxid 0x([0-9a-f]+) zxid 0x([0-9a-f]+) (\S+) ?(.*)$/s
  const joined: string[] = []
  for (const line of text.split('\n').slice(1)) {
    if (/^\d+\/\d+\/\d+, /.test(line)) joined.push(line)
    else if (joined.length && line && !line.startsWith('EOF reached')) joined[joined.length - 1] += '\n' + line
  }
  return joined.map((line) => {
    const m = entry.exec(line)
    if (!m) throw new Error(`unexpected toolkit line: ${line}`)
    const [, mo, d, y, h, mi, s, ampm, session, cxid, zxid, type, rest] = m
    const hour = (Number(h) % 12) + (ampm === 'PM' ? 12 : 0)
    return {
      time: Date.UTC(2000 + Number(y), Number(mo) - 1, Number(d), hour, Number(mi), Number(s)),
      session,
      cxid: parseInt(cxid, 16),
      zxid: parseInt(zxid, 16),
      type,
      rest,
    }
  })
}

describe('transaction log parser', () => {
  for (const name of ['pause-primary-seed', 'stop-primary-recipe']) {
    it(`reads ${name} exactly as ZooKeeper's TxnLogToolkit does`, () => {
      const { log, dump } = fixture(name)
      const parsed = parseTxnLogFile(log)
      const expected = parseDump(dump)
      expect(parsed.problems).toEqual([])
      expect(parsed.txns).toHaveLength(Number(/EOF reached after (\d+) txns/.exec(dump)![1]))
      expect(parsed.txns).toHaveLength(expected.length)
      for (const [i, txn] of parsed.txns.entries()) {
        const want = expected[i]
        expect({ session: txn.session, cxid: txn.cxid >>> 0, zxid: txn.zxid }).toEqual({
          session: want.session,
          cxid: want.cxid,
          zxid: want.zxid,
        })
        // The toolkit prints whole seconds; the log holds milliseconds.
        expect(Math.floor(txn.time / 1000) * 1000).toBe(want.time)
        const op = txn.txn
        switch (op.op) {
          case 'createSession':
            expect([want.type, want.rest]).toEqual(['createSession', String(op.timeoutMs)])
            break
          case 'closeSession':
            expect([want.type, want.rest]).toEqual([
              'closeSession',
              `v{${(op.ephemerals ?? []).map((p) => `'${p}`).join(',')}}`,
            ])
            break
          case 'create':
            expect(want.type).toBe('create')
            expect(want.rest.startsWith(`${op.path},${op.data},[`)).toBe(true)
            expect(want.rest.endsWith(`],${op.ephemeral},${want.rest.split(',').at(-1)}`)).toBe(true)
            break
          case 'setData':
            expect([want.type, want.rest]).toEqual(['setData', `${op.path},${op.data},${op.version}`])
            break
          case 'error':
            expect([want.type, want.rest]).toEqual(['error', String(op.code)])
            break
          default:
            throw new Error(`unexpected op ${op.op} at zxid ${txn.zxid}`)
        }
      }
    })
  }

  it('stops at a torn last record and at a bad checksum, keeping what came before', () => {
    const { log } = fixture('pause-primary-seed')
    const whole = parseTxnLogFile(log).txns
    // A record half written: its length says more than the file holds.
    const torn = parseTxnLogFile(log.subarray(0, log.length - 64 - 5))
    expect(torn.txns).toHaveLength(whole.length - 1)
    expect(torn.problems[0]).toMatch(/cut off/)
    const damaged = Buffer.from(log)
    damaged[40] ^= 0xff
    const bad = parseTxnLogFile(damaged)
    expect(bad.txns).toHaveLength(0)
    expect(bad.problems[0]).toMatch(/checksum/)
    expect(parseTxnLogFile(Buffer.from('not a log at all, no')).problems[0]).toMatch(/not a transaction log/)
  })

  it('computes Adler-32 as java.util.zip does', () => {
    expect(adler32(Buffer.from('Wikipedia'))).toBe(0x11e60398)
    expect(adler32(Buffer.alloc(0))).toBe(1)
    expect(adler32(Buffer.alloc(100_000, 0xff))).toBe(0x149a302c) // zlib.adler32 in Python agrees
  })

  it('reads multi transactions and normalizes session ids', () => {
    const task = '/customBackUp/tasks/t1'
    const txns: SyntheticTxn[] = [
      { session: 0x100n, zxid: 1, time: 1000, txn: { op: 'createSession', timeoutMs: 4000 } },
      {
        session: 0x100n,
        zxid: 2,
        time: 1001,
        txn: {
          op: 'multi',
          ops: [
            { op: 'create', path: `${task}/instance/server_1_0000000000`, ephemeral: true },
            { op: 'setData', path: `${task}/lastCommit`, data: '7', version: 3 },
          ],
        },
      },
      { session: 0x100n, zxid: 3, time: 1002, txn: { op: 'error', code: -103 } },
      {
        session: 0x100n,
        cxid: 0,
        zxid: 4,
        time: 1003,
        txn: { op: 'closeSession', ephemerals: [`${task}/instance/server_1_0000000000`] },
      },
    ]
    const parsed = parseTxnLogFile(txnLogFile(txns))
    expect(parsed.problems).toEqual([])
    expect(parsed.txns.map((t) => t.txn.op)).toEqual(['createSession', 'multi', 'error', 'closeSession'])
    const history = buildTxnHistory(parsed.txns)
    const t1 = history.tasks.get('t1')!
    expect(t1.writes).toEqual([
      expect.objectContaining({
        op: 'setData',
        value: '7',
        version: 3,
        zxid: 2,
        session: '100',
        holder: { node: 'server_1_0000000000', session: '100' },
        writerNodes: ['server_1_0000000000'],
      }),
    ])
    expect(t1.instances[0]).toMatchObject({ deletedZxid: 4, deletedBy: 'session-expired' })
    expect(history.sessions.get('100')).toMatchObject({ timeoutMs: 4000, end: 'expired', endedZxid: 4 })
    expect(history.errors.get('100')).toEqual([{ zxid: 3, time: 1002, code: -103 }])
    expect(normalizeSessionId('0x0100003FE9D90003')).toBe('100003fe9d90003')
  })

  it('finds holes in the zxid sequence within an epoch', () => {
    const t = (zxid: number) => ({ zxid }) as Txn
    expect(zxidGaps([t(1), t(2), t(5), t(2 ** 32 + 1), t(2 ** 32 + 2)])).toEqual([{ from: 3, to: 4 }])
    expect(zxidGaps([t(2 * 2 ** 32 + 3)])).toEqual([{ from: 2 * 2 ** 32 + 1, to: 2 * 2 ** 32 + 2 }])
  })
})

describe('transaction log history', () => {
  it('tells expiries from closes and ties sessions to workers', () => {
    const pause = fixture('pause-primary-seed')
    const history = buildTxnHistory(parseTxnLogFile(pause.log).txns)
    // The paused primary's session expired on the server, which deleted its node with it.
    expect(history.sessions.get('100003fe9d90003')).toMatchObject({ end: 'expired', endedZxid: 0x26 })
    const node = history.tasks.get('task01')!.instances.find((n) => n.name === 'server_2_0000000000')!
    expect(node).toMatchObject({ session: '100003fe9d90003', deletedZxid: 0x26, deletedBy: 'session-expired' })
    const owners = attributeSessions(pause.events, history)
    expect(owners.get('100003fe9d90006')).toEqual({ worker: 'worker-task01-2', how: 'journal' })

    const stop = fixture('stop-primary-recipe')
    const closed = buildTxnHistory(parseTxnLogFile(stop.log).txns)
    // The recipe closes its session on SIGTERM: a close by the client, not an expiry.
    expect(closed.sessions.get('100004325a90003')).toMatchObject({ end: 'closed' })
  })

  it('attributes a session by its instance node name when the journal does not know it (external workers)', () => {
    const task = '/customBackUp/tasks/t1'
    const txns = parseTxnLogFile(
      txnLogFile([
        { session: 0x200n, zxid: 1, time: 1000, txn: { op: 'createSession', timeoutMs: 4000 } },
        {
          session: 0x200n,
          zxid: 2,
          time: 1001,
          txn: { op: 'create', path: `${task}/instance/server_7_0000000003`, ephemeral: true },
        },
        {
          session: 0x300n,
          zxid: 3,
          time: 1002,
          txn: { op: 'create', path: `${task}/instance/server_9_0000000004`, ephemeral: true },
        },
      ]),
    ).txns
    const events = [
      {
        seq: 1,
        time: 900,
        source: 'lab',
        type: 'process.spawned',
        name: 'worker-t1-7',
        kind: 'external',
        pid: 1,
        command: 'ext',
        args: [],
        labels: { task: 't1', workerId: 7, strategy: 'external' },
      },
    ] satisfies LabEvent[]
    const owners = attributeSessions(events, buildTxnHistory(txns))
    expect(owners.get('200')).toEqual({ worker: 'worker-t1-7', how: 'node-name' })
    // No worker 9 in the journal: that session stays unknown.
    expect(owners.get('300')).toBeUndefined()
  })
})

describe('checker: zombie-write (transaction log)', () => {
  it("catches the seed's zombie under pause-primary: every write, its zxid, its session and worker", () => {
    const { log, events } = fixture('pause-primary-seed')
    const report = checkSession({ events, txnLog: asRead(parseTxnLogFile(log).txns) })
    const v = report.verdicts.find((x) => x.invariant === 'zombie-write')!
    expect(v.ok).toBe(false)
    expect(v.stats).toMatchObject({ zombieWrites: 9, regressions: 0, lostUpdates: 0, writes: 29 })
    expect(v.violations).toHaveLength(1)
    const [z] = v.violations
    expect(z.kind).toBe('zombie-write')
    expect(z.workers).toEqual(['worker-task01-2', 'worker-task01-1'])
    expect(z.zxids).toEqual(['0x33', '0x35', '0x37', '0x39', '0x3b', '0x3d', '0x3f', '0x42', '0x44'])
    expect(z.ids).toEqual([4, 5, 6, 7, 8, 9, 10, 11, 12])
    expect(z.message).toContain('worker-task01-2 (session 0x100003fe9d90006) set it to 4 (down from 11)')
    expect(z.message).toContain('the primary was server_1_0000000001 of worker-task01-1 (session 0x100003fe9d90005)')
    expect(z.message).toContain('server_2_0000000000 went away at zxid 0x26 (session 0x100003fe9d90003 expired)')
    expect(z.context.length).toBeGreaterThan(0)
  })

  it('passes the recipe under stop-primary', () => {
    const { log, events } = fixture('stop-primary-recipe')
    const report = checkSession({ events, txnLog: asRead(parseTxnLogFile(log).txns) })
    const v = report.verdicts.find((x) => x.invariant === 'zombie-write')!
    expect(v.ok).toBe(true)
    expect(v.stats).toMatchObject({ zombieWrites: 0, writes: 12, unattributedSessions: 0 })
    expect(report.ok).toBe(true)
  })

  it('judges zombie-write "not judged", with the reason, without a transaction log', () => {
    const { events } = fixture('stop-primary-recipe')
    const zombie = checkSession({ events }).verdicts.filter((x) => x.invariant === 'zombie-write')
    expect(zombie.map((x) => x.state)).toEqual(['not-judged'])
    expect(zombie[0]).toMatchObject({
      ok: true,
      violations: [],
      reason: stringMatching(/no ZooKeeper transaction log/),
    })
  })

  it('tells a standby writing, a regression by the primary and a lost update apart', () => {
    const task = '/customBackUp/tasks/t1'
    const lc = `${task}/lastCommit`
    const A = 0xa0n
    const B = 0xb0n
    const log = txnLogFile([
      { session: 0x1n, zxid: 1, time: 1000, txn: { op: 'create', path: lc, data: '0' } },
      {
        session: A,
        zxid: 2,
        time: 1100,
        txn: { op: 'create', path: `${task}/instance/server_1_0000000000`, ephemeral: true },
      },
      {
        session: B,
        zxid: 3,
        time: 1200,
        txn: { op: 'create', path: `${task}/instance/server_2_0000000001`, ephemeral: true },
      },
      { session: A, zxid: 4, time: 1300, txn: { op: 'setData', path: lc, data: '1', version: 1 } },
      { session: A, zxid: 5, time: 1400, txn: { op: 'setData', path: lc, data: '2', version: 2 } },
      // B is a standby: its node is not the smallest.
      { session: B, zxid: 6, time: 1500, txn: { op: 'setData', path: lc, data: '3', version: 3 } },
      // The primary repeats B's value (a lost update), then goes backwards (a regression).
      { session: A, zxid: 7, time: 1600, txn: { op: 'setData', path: lc, data: '3', version: 4 } },
      { session: A, zxid: 8, time: 1700, txn: { op: 'setData', path: lc, data: '1', version: 5 } },
      { session: A, zxid: 9, time: 1800, txn: { op: 'setData', path: lc, data: '4', version: 6 } },
    ])
    const events = [
      { seq: 1, time: 900, source: 'lab', type: 'session.created', dir: '/x', name: 's' },
      {
        seq: 2,
        time: 950,
        source: 'lab',
        type: 'process.spawned',
        name: 'worker-t1-1',
        kind: 'external',
        pid: 11,
        command: 'ext',
        args: [],
        labels: { task: 't1', workerId: 1, strategy: 'external' },
      },
      {
        seq: 3,
        time: 960,
        source: 'lab',
        type: 'process.spawned',
        name: 'worker-t1-2',
        kind: 'external',
        pid: 12,
        command: 'ext',
        args: [],
        labels: { task: 't1', workerId: 2, strategy: 'external' },
      },
    ] satisfies LabEvent[]
    const v = checkSession({ events, txnLog: asRead(parseTxnLogFile(log).txns) }).verdicts.find(
      (x) => x.invariant === 'zombie-write',
    )!
    expect(v.violations.map((x) => [x.kind, x.zxids, x.workers])).toEqual([
      ['zombie-write', ['0x6'], ['worker-t1-2', 'worker-t1-1']],
      ['lost-update', ['0x7'], ['worker-t1-1', 'worker-t1-2']],
      ['commit-regression', ['0x8'], ['worker-t1-1']],
    ])
    expect(v.violations[0].message).toContain(
      'its session held server_2_0000000001, not the smallest node: a standby writing',
    )
    expect(v.stats).toMatchObject({
      writes: 6,
      zombieWrites: 1,
      regressions: 1,
      lostUpdates: 1,
      unattributedSessions: 0,
    })
  })
})
