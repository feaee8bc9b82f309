/**
 * The source's history read back from mariadb-binlog's text: recorded from a real MariaDB 10.11
 * (`fixtures/mariadb-binlog`, TZ=UTC): a live server's two binlog files read with
 * --read-from-remote-server --to-last-log (DDL, a two-row insert, an update, a FLUSH BINARY LOGS, a
 * delete, each with its ledger row), and the second file read from disk. Also the saved
 * `source/binlog.jsonl` and its errors.
 */
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import {
  parseBinlogText,
  parseBinlogValue,
  readBinlogHistory,
  readSourceHistory,
  writeSourceHistory,
} from '../../src/core/mariadb/history.js'
import { sourceHistoryPath } from '../../src/core/session-folder/paths.js'

const FIXTURES = join(new URL('.', import.meta.url).pathname, 'fixtures', 'mariadb-binlog')
const fixture = (name: string): string => readFileSync(join(FIXTURES, name), 'utf8')
/** The recording's commit second, 2026-12-08 02:13:04 UTC. */
const RECORDED_AT = Date.UTC(2026, 11, 8, 2, 13, 4)

/**
 * The rows of gtid 0-1-6..8 as @vlasky/zongji 0.9.0 decoded them from the same server (one value per
 * column, in column order; BIGINT beyond 2^53 as an exact string): the parser must give exactly these.
 */
const ZONGJI_ROWS = {
  '0-1-6': [
    ['labsrc.orders', 'insert', [1, '9007199254740993', -7, null]],
    ['labsrc.orders', 'insert', [2, 5, 3, "it's"]],
    ['labsrc.lab_changes', 'insert', [1, 'insert', 'orders', 1, 1796695000001]],
  ],
  '0-1-7': [
    ['labsrc.orders', 'update', [1, '9007199254740993', -6, 'a b']],
    ['labsrc.lab_changes', 'insert', [2, 'update', 'orders', 1, 1796695000002]],
  ],
  '0-1-8': [
    ['labsrc.orders', 'delete', [2, 5, 3, "it's"]],
    ['labsrc.lab_changes', 'insert', [3, 'delete', 'orders', 2, 1796695000003]],
  ],
}

describe('mariadb-binlog text → source transactions', () => {
  it('reads a live server’s two files: every transaction, its GTID, file, start position and time', () => {
    const txs = parseBinlogText(fixture('remote-two-files.txt'))
    expect(txs.map((t) => [t.gtid, t.seq, t.file, t.position])).toEqual([
      ['0-1-1', 1, 'bin.000001', 322],
      ['0-1-2', 2, 'bin.000001', 473],
      ['0-1-3', 3, 'bin.000001', 629],
      ['0-1-4', 4, 'bin.000001', 762],
      ['0-1-5', 5, 'bin.000001', 1001],
      ['0-1-6', 6, 'bin.000001', 1277],
      ['0-1-7', 7, 'bin.000001', 1904],
      // After the rotation the text's `# at` lines run on from the first file; the header's are right.
      ['0-1-8', 8, 'bin.000002', 373],
    ])
    expect(txs.every((t) => t.time === RECORDED_AT)).toBe(true)
    // The DDL (user, database, tables) has no rows and no change.
    expect(txs.slice(0, 5).every((t) => t.rows.length === 0 && t.change === undefined)).toBe(true)
  })

  it('gives the rows zongji gives: after image for inserts and updates, before image for deletes', () => {
    const txs = parseBinlogText(fixture('remote-two-files.txt'))
    for (const [gtid, rows] of Object.entries(ZONGJI_ROWS)) {
      const tx = txs.find((t) => t.gtid === gtid)
      expect(tx?.rows.map((r) => [r.table, r.op, r.values])).toEqual(rows)
    }
  })

  it('takes the change id and its stamp from the ledger row', () => {
    const txs = parseBinlogText(fixture('remote-two-files.txt')).filter((t) => t.rows.length > 0)
    expect(txs.map((t) => [t.change, t.changedAt])).toEqual([
      [1, 1796695000001],
      [2, 1796695000002],
      [3, 1796695000003],
    ])
  })

  it('reads a binlog file from disk the same way, named by the caller', () => {
    const fromFile = parseBinlogText(fixture('local-file-bin.000002.txt'), 'bin.000002')
    const fromServer = parseBinlogText(fixture('remote-two-files.txt')).filter((t) => t.file === 'bin.000002')
    expect(fromFile).toEqual(fromServer)
  })

  it('drops a transaction whose COMMIT never made it into the file', () => {
    const text = fixture('remote-two-files.txt')
    // Cut before the last transaction's Xid, as a crash mid-write would.
    const cut = text.slice(0, text.lastIndexOf('\tXid = '))
    const txs = parseBinlogText(cut.slice(0, cut.lastIndexOf('\n')))
    expect(txs.at(-1)?.gtid).toBe('0-1-7')
  })

  it('parses values as zongji types them', () => {
    expect(parseBinlogValue('NULL')).toBeNull()
    expect(parseBinlogValue("''")).toBe('')
    expect(parseBinlogValue("'it's'")).toBe("it's")
    expect(parseBinlogValue("'NULL'")).toBe('NULL')
    expect(parseBinlogValue('42')).toBe(42)
    expect(parseBinlogValue('-5 (4294967291)')).toBe(-5)
    expect(parseBinlogValue('9007199254740993')).toBe('9007199254740993')
  })
})

describe('source/binlog.jsonl', () => {
  let dir: string | undefined
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true })
    dir = undefined
  })

  it('round-trips the history', async () => {
    dir = mkdtempSync(join(tmpdir(), 'zklab-history-'))
    const txs = parseBinlogText(fixture('remote-two-files.txt'))
    await writeSourceHistory(dir, txs)
    expect(readSourceHistory(dir)).toEqual(txs)
  })

  it('names the file and the line of a bad line', async () => {
    dir = mkdtempSync(join(tmpdir(), 'zklab-history-'))
    await writeSourceHistory(dir, parseBinlogText(fixture('remote-two-files.txt')).slice(0, 2))
    const path = sourceHistoryPath(dir)
    writeFileSync(path, `${readFileSync(path, 'utf8')}{"gtid":"0-1-3","seq":-1}\n`)
    expect(() => readSourceHistory(dir!)).toThrow(`${path}:3: not a source transaction`)
    writeFileSync(path, '{"gtid":\n')
    expect(() => readSourceHistory(dir!)).toThrow(`${path}:1: not JSON`)
  })
})

describe('running mariadb-binlog', () => {
  let dir: string | undefined
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true })
    dir = undefined
  })

  /** A stand-in for mariadb-binlog: a shell script. */
  function fakeProgram(body: string): string {
    dir = mkdtempSync(join(tmpdir(), 'zklab-fake-binlog-'))
    const program = join(dir, 'mariadb-binlog')
    writeFileSync(program, `#!/bin/sh\n${body}\n`)
    chmodSync(program, 0o700)
    return program
  }

  it('parses what it prints, with TZ=UTC', async () => {
    const program = fakeProgram(`[ "$TZ" = UTC ] && cat '${join(FIXTURES, 'local-file-bin.000002.txt')}'`)
    const txs = await readBinlogHistory({ files: ['/data/bin.000002'] }, { program })
    expect(txs.map((t) => [t.gtid, t.file, t.change])).toEqual([['0-1-8', 'bin.000002', 3]])
  })

  it('reports its failure with what it said', async () => {
    const program = fakeProgram('echo "Could not open log file" >&2; exit 1')
    await expect(readBinlogHistory({ files: ['/data/bin.000009'] }, { program })).rejects.toThrow(
      /bin\.000009 failed \(exit 1\): Could not open log file/,
    )
  })

  it('gives up on a run that does not end', async () => {
    const program = fakeProgram('exec sleep 30')
    await expect(readBinlogHistory({ files: ['/data/bin.000001'] }, { program, timeoutMs: 200 })).rejects.toThrow(
      /did not finish within 200 ms/,
    )
  })
})
