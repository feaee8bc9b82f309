/** The binlog workload's pure decisions: transactions from stream events, sink lines, the sink's tail, where to resume. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { BackupRecord, ClaimFence } from '../../src/shared/binlog.js'
import { readSink } from '../../src/core/session-folder/index.js'
import {
  backupLines,
  claimLine,
  columnValue,
  firstMissingRow,
  lastBackupRow,
  lastWriteVoid,
  resumePlan,
  TransactionAssembler,
  type BinlogEventLike,
  type StreamedTransaction,
} from '../../src/worker/binlog/transactions.js'
import { readBinlogSinkTailOfFile } from '../../src/worker/strategies/sink-tail.js'

const tableMap = {
  7: { parentSchema: 'labsrc', tableName: 'items' },
  8: { parentSchema: 'labsrc', tableName: 'lab_changes' },
}
const ev = (name: string, fields: Partial<BinlogEventLike> = {}): BinlogEventLike => ({
  getEventName: () => name,
  tableMap,
  ...fields,
})

describe('TransactionAssembler', () => {
  it('delivers a transaction at its xid, with its rows in order and the ledger row’s change id', () => {
    const a = new TransactionAssembler()
    const gtid = '0-1-9'
    expect(a.push(ev('mariadbgtid', { gtid }))).toBeUndefined()
    expect(a.push(ev('tablemap', { gtid }))).toBeUndefined()
    a.push(
      ev('updaterows', {
        gtid,
        tableId: 7,
        rows: [{ before: { id: 1, name: 'a', n: 0 }, after: { id: 1, name: 'a', n: 1 } }],
      }),
    )
    a.push(
      ev('writerows', {
        gtid,
        tableId: 8,
        rows: [{ change_id: 42, op: 'update', tbl: 'items', pk: 1, changed_at_ms: 5 }],
      }),
    )
    const tx = a.push(ev('xid', { gtid }))
    expect(tx).toEqual({
      gtid,
      seq: 9,
      change: 42,
      rows: [
        { table: 'labsrc.items', op: 'update', values: [1, 'a', 1] },
        { table: 'labsrc.lab_changes', op: 'insert', values: [42, 'update', 'items', 1, 5] },
      ],
    })
  })

  it('delivers nothing for DDL, for events of another transaction, or for a transaction cut by a reset', () => {
    const a = new TransactionAssembler()
    a.push(ev('mariadbgtid', { gtid: '0-1-1' }))
    expect(a.push(ev('query', { gtid: '0-1-1', query: 'CREATE TABLE t (id INT)' }))).toBeUndefined()
    a.push(ev('mariadbgtid', { gtid: '0-1-2' }))
    a.push(ev('deleterows', { gtid: '0-1-2', tableId: 7, rows: [{ id: 3, name: 'c', n: 0 }] }))
    a.reset()
    expect(a.push(ev('xid', { gtid: '0-1-2' }))).toBeUndefined()
    a.push(ev('mariadbgtid', { gtid: '0-1-3' }))
    a.push(ev('writerows', { gtid: '0-1-2', tableId: 7, rows: [{ id: 4 }] })) // stale
    a.push(ev('deleterows', { gtid: '0-1-3', tableId: 7, rows: [{ id: 3, name: 'c', n: 0 }] }))
    // A non-transactional engine commits with a COMMIT query instead of an xid.
    expect(a.push(ev('query', { gtid: '0-1-3', query: 'COMMIT' }))).toEqual({
      gtid: '0-1-3',
      seq: 3,
      rows: [{ table: 'labsrc.items', op: 'delete', values: [3, 'c', 0] }],
    })
  })

  it('writes column values as plain JSON', () => {
    expect([1, 'x', null, undefined, true].map(columnValue)).toEqual([1, 'x', null, null, 1])
    expect(columnValue(Buffer.from('ab'))).toBe('ab')
    expect(columnValue(12345678901234567890n)).toBe('12345678901234567890')
    expect(columnValue(new Date(0))).toBe('1970-01-01T00:00:00.000Z')
  })
})

const tx: StreamedTransaction = {
  gtid: '0-1-5',
  seq: 5,
  change: 3,
  rows: [
    { table: 'labsrc.items', op: 'insert', values: [3, 'c', 0] },
    { table: 'labsrc.lab_changes', op: 'insert', values: [3, 'insert', 'items', 3, 9] },
  ],
}

describe('sink lines', () => {
  it('are one BackupRecord per row, from the first missing index on', () => {
    const lines = backupLines(tx, { worker: 2, session: 'abc', token: 4 }, 0, 1000).trimEnd().split('\n')
    expect(lines.map((l) => BackupRecord.parse(JSON.parse(l)))).toEqual([
      {
        gtid: '0-1-5',
        seq: 5,
        index: 0,
        table: 'labsrc.items',
        op: 'insert',
        values: [3, 'c', 0],
        change: 3,
        worker: 2,
        session: 'abc',
        token: 4,
        time: 1000,
      },
      {
        gtid: '0-1-5',
        seq: 5,
        index: 1,
        table: 'labsrc.lab_changes',
        op: 'insert',
        values: [3, 'insert', 'items', 3, 9],
        change: 3,
        worker: 2,
        session: 'abc',
        token: 4,
        time: 1000,
      },
    ])
    expect(backupLines(tx, { worker: 1, session: 's' }, 1).trimEnd().split('\n')).toHaveLength(1)
    expect(backupLines(tx, { worker: 1, session: 's' }, 2)).toBe('')
  })

  it('tail: the last readable row, a torn line not counted', () => {
    const text = backupLines(tx, { worker: 1, session: 's' })
    expect(lastBackupRow(text)).toEqual({ gtid: '0-1-5', seq: 5, index: 1 })
    const torn = text.slice(0, text.indexOf('\n') + 1) + text.slice(text.indexOf('\n') + 1, -10)
    expect(lastBackupRow(torn)).toEqual({ gtid: '0-1-5', seq: 5, index: 0 })
    expect(lastBackupRow('')).toBeUndefined()
    expect(lastBackupRow('{"id":3}\n')).toBeUndefined()
  })

  it('tail of a file: found beyond the first chunk, and whether the file ends cleanly', () => {
    const dir = mkdtempSync(join(tmpdir(), 'zklab-binlog-tail-'))
    try {
      const path = join(dir, 'sink.log')
      expect(readBinlogSinkTailOfFile(path)).toEqual({ last: undefined, endsClean: true })
      writeFileSync(path, backupLines(tx, { worker: 1, session: 's' }) + '{"gtid":"0-1-6","se')
      expect(readBinlogSinkTailOfFile(path, 16)).toEqual({
        last: { gtid: '0-1-5', seq: 5, index: 1 },
        endsClean: false,
      })
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})

describe('resumePlan', () => {
  it('resumes after lastCommit when the sink is not ahead of it', () => {
    expect(resumePlan('0', undefined)).toEqual({ after: '' })
    expect(resumePlan('0-1-7', undefined)).toEqual({ after: '0-1-7' })
    expect(resumePlan('0-1-7', { gtid: '0-1-7', seq: 7, index: 1 })).toEqual({ after: '0-1-7' })
    expect(resumePlan('0-1-7', { gtid: '0-1-6', seq: 6, index: 0 })).toEqual({ after: '0-1-7' })
  })

  it('resumes at the sink’s last transaction when it is ahead, skipping the rows it holds', () => {
    const plan = resumePlan('0-1-7', { gtid: '0-1-9', seq: 9, index: 0 })
    expect(plan).toEqual({ after: '0-1-8', skip: { gtid: '0-1-9', index: 0 } })
    expect(resumePlan('0', { gtid: '0-1-1', seq: 1, index: 1 })).toEqual({
      after: '',
      skip: { gtid: '0-1-1', index: 1 },
    })
    expect(firstMissingRow({ ...tx, gtid: '0-1-9' }, plan.skip)).toBe(1)
    expect(firstMissingRow(tx, plan.skip)).toBe(0)
    expect(firstMissingRow(tx, undefined)).toBe(0)
  })
})

describe('sink claims', () => {
  const tx6: StreamedTransaction = { ...tx, gtid: '0-1-6', seq: 6 }
  const old = { worker: 1, session: 'a', token: 4, epoch: 3 }
  const successor = { worker: 2, session: 'b', token: 4, epoch: 5 }

  it('a line written under an older epoch after a claim is void: the tail and the reader skip it', () => {
    const text = backupLines(tx, old, 0, 1) + claimLine(5, successor, 2) + backupLines(tx6, old, 0, 3) // the deposed primary's late write
    expect(lastBackupRow(text)).toEqual({ gtid: '0-1-5', seq: 5, index: 1 })
    expect(lastWriteVoid(text, '0-1-6', 3)).toBe(true)
    expect(lastWriteVoid(text, '0-1-5', 3)).toBe(false) // written before the claim: valid
    const dir = mkdtempSync(join(tmpdir(), 'claims-'))
    try {
      const path = join(dir, 'task01.log')
      writeFileSync(path, text + backupLines(tx6, successor, 0, 4))
      const read = readSink(path)
      expect(read.voided).toBe(2)
      expect(read.unreadable).toBe(0)
      expect(read.backups.map((b) => `${b.gtid}#${b.index}@${b.epoch}`)).toEqual([
        '0-1-5#0@3',
        '0-1-5#1@3',
        '0-1-6#0@5',
        '0-1-6#1@5',
      ])
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it('lines without an epoch (the seed, external programs) are never void', () => {
    const fence = new ClaimFence()
    expect(fence.see({ claim: 9 })).toBe('claim')
    expect(fence.see({})).toBe('valid')
    expect(fence.see({ epoch: 9 })).toBe('valid')
    expect(fence.see({ epoch: 8 })).toBe('void')
  })
})
