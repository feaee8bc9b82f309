/**
 * The source's history as the lab reads it back, independently of the workers' binlog client: MariaDB's
 * own `mariadb-binlog` decodes the binlog (from the live server, or from the files of a stopped one)
 * and this module parses its text into `SourceTransaction`s, the ground truth backup-integrity holds
 * the backup sinks against. It is saved in the session as `source/binlog.jsonl`.
 *
 * Values come out as zongji gives them for the load's column types, so the two compare exactly:
 * integers as numbers (as exact strings beyond 2^53), strings without their quotes, NULL as null.
 * mariadb-binlog prints a string's bytes unescaped (control characters as \xNN), which is exact for
 * the printable ASCII the load generator writes; other column types are kept as mariadb-binlog's text.
 */
import { spawn } from 'node:child_process'
import { createWriteStream, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { basename, join } from 'node:path'
import { createInterface } from 'node:readline'
import mysql from 'mysql2/promise'
import {
  LEDGER_TABLE,
  SOURCE_DATABASE,
  SourceTransaction,
  parseGtid,
  type ColumnValue,
  type RowOperation,
  type SourceRow,
} from '../../shared/binlog.js'
import { sourceHistoryPath } from '../session-folder/paths.js'
import type { SourceConnection } from './load-generator.js'

const LEDGER = `${SOURCE_DATABASE}.${LEDGER_TABLE}`

/** `#261208  2:06:04 server id 1  end_log_pos 421 CRC32 0xf1217759 \tGTID 0-1-10 trans` */
const EVENT_HEADER =
  /^#(\d\d)(\d\d)(\d\d)\s+(\d{1,2}):(\d\d):(\d\d)\s+server id \d+\s+end_log_pos (\d+)(?:\s+CRC32 0x[0-9a-f]+)?\s+(.*)$/
const ROTATE = /^Rotate to (\S+)/
const GTID_EVENT = /^GTID (\d+-\d+-\d+)/
const ROW_START = /^### (INSERT INTO|UPDATE|DELETE FROM) `([^`]+)`\.`([^`]+)`$/
const ROW_VALUE = /^###\s+@(\d+)=(.*)$/
const INTEGER = /^(-?\d+)(?: \(\d+\))?$/

const OPERATIONS: Record<string, RowOperation> = { 'INSERT INTO': 'insert', UPDATE: 'update', 'DELETE FROM': 'delete' }

/**
 * A value as mariadb-binlog -v prints it, as zongji decodes it: `NULL`, `'text'` (unescaped, up to the
 * line's last quote), an integer (`-5 (4294967291)`: the signed value, then the unsigned reading).
 */
export function parseBinlogValue(text: string): ColumnValue {
  if (text === 'NULL') return null
  if (text.length >= 2 && text.startsWith("'") && text.endsWith("'")) return text.slice(1, -1)
  const integer = INTEGER.exec(text)
  if (integer) {
    const value = Number(integer[1])
    return Number.isSafeInteger(value) ? value : integer[1]
  }
  return text
}

interface OpenTransaction {
  gtid: string
  file: string
  position: number
  time: number
  standalone: boolean
  rows: SourceRow[]
}

interface OpenRow {
  table: string
  op: RowOperation
  before: ColumnValue[]
  after: ColumnValue[]
  section: 'before' | 'after'
}

/**
 * Parses mariadb-binlog's `--base64-output=decode-rows -v` text, line by line, into committed
 * transactions. The file and start position come from the event headers (`end_log_pos` of the
 * event before the GTID, and Rotate events), not from `# at` lines, which run on across files when
 * reading from a server. Times are read as UTC: run mariadb-binlog with TZ=UTC.
 */
export class BinlogTextParser {
  private readonly done: SourceTransaction[] = []
  private file: string
  private previousEnd = 4
  private lastTime = 0
  private tx: OpenTransaction | undefined
  private row: OpenRow | undefined

  /** `file`: the binlog file the text starts in (a Rotate event in the text overrides it). */
  constructor(file = '') {
    this.file = file
  }

  line(line: string): void {
    if (line.startsWith('### ')) return this.rowLine(line)
    this.closeRow()
    const header = EVENT_HEADER.exec(line)
    if (header) return this.header(header)
    if (!this.tx) return
    if (line === 'START TRANSACTION' || line === 'BEGIN') this.tx.standalone = false
    else if (line.startsWith('COMMIT')) this.commit(this.lastTime)
    else if (line.startsWith('ROLLBACK') && !this.tx.standalone) this.tx = undefined
  }

  /** The committed transactions, in binlog order; a standalone one still open (DDL) is closed first. */
  end(): SourceTransaction[] {
    this.closeRow()
    if (this.tx?.standalone) this.commit(this.tx.time)
    this.tx = undefined
    return this.done
  }

  private header(m: RegExpExecArray): void {
    const [, yy, mo, dd, hh, mi, ss, end, rest] = m as unknown as string[]
    const time = Date.UTC(2000 + Number(yy), Number(mo) - 1, Number(dd), Number(hh), Number(mi), Number(ss))
    const rotate = ROTATE.exec(rest)
    const gtid = GTID_EVENT.exec(rest)
    if (this.tx && (rotate || gtid || rest.startsWith('Start:'))) {
      // A standalone transaction (DDL) has no COMMIT: the next event group ends it. One that was
      // waiting for its COMMIT never got it (a crash cut the file): it did not commit.
      if (this.tx.standalone) this.commit(this.tx.time)
      else this.tx = undefined
    }
    if (rotate) {
      this.file = rotate[1]!
      return
    }
    if (gtid) {
      this.tx = { gtid: gtid[1], file: this.file, position: this.previousEnd, time, standalone: true, rows: [] }
    }
    this.lastTime = time
    if (Number(end) > 0) this.previousEnd = Number(end)
  }

  private rowLine(line: string): void {
    const start = ROW_START.exec(line)
    if (start) {
      this.closeRow()
      const op = OPERATIONS[start[1]]
      this.row = {
        table: `${start[2]}.${start[3]}`,
        op,
        before: [],
        after: [],
        section: op === 'insert' ? 'after' : 'before',
      }
      return
    }
    if (!this.row) return
    if (line === '### WHERE') this.row.section = 'before'
    else if (line === '### SET') this.row.section = 'after'
    else {
      const value = ROW_VALUE.exec(line)
      if (value) this.row[this.row.section][Number(value[1]) - 1] = parseBinlogValue(value[2])
    }
  }

  private closeRow(): void {
    if (!this.row) return
    const { table, op, before, after } = this.row
    this.row = undefined
    this.tx?.rows.push({ table, op, values: op === 'delete' ? before : after })
  }

  private commit(time: number): void {
    const tx = this.tx
    this.tx = undefined
    if (!tx) return
    const seq = parseGtid(tx.gtid)?.seq ?? 0
    const ledger = tx.rows.find((r) => r.table === LEDGER && r.op === 'insert')
    const change = ledger?.values[0]
    const changedAt = ledger?.values[4]
    this.done.push({
      gtid: tx.gtid,
      seq,
      file: tx.file,
      position: tx.position,
      time,
      rows: tx.rows,
      ...(typeof change === 'number' ? { change } : {}),
      ...(typeof changedAt === 'number' ? { changedAt } : {}),
    })
  }
}

/** Parses a whole mariadb-binlog text (a recorded fixture, say). */
export function parseBinlogText(text: string, file = ''): SourceTransaction[] {
  const parser = new BinlogTextParser(file)
  for (const line of text.split('\n')) parser.line(line)
  return parser.end()
}

/** Where to read the binlog: a live server (all of its binlog files), or the files of a stopped one. */
export type BinlogSource = { server: SourceConnection } | { files: string[] }

export interface ReadBinlogOptions {
  /** The mariadb-binlog program. Default: `mariadb-binlog` on the PATH. */
  program?: string
  /** Limit for each mariadb-binlog run (a paused server would keep it waiting). Default 120 s. */
  timeoutMs?: number
}

const DEFAULT_READ_TIMEOUT_MS = 120_000

/** Reads the source's full history with mariadb-binlog: every committed transaction, in binlog order. */
export async function readBinlogHistory(
  source: BinlogSource,
  options: ReadBinlogOptions = {},
): Promise<SourceTransaction[]> {
  const program = options.program ?? 'mariadb-binlog'
  const timeoutMs = options.timeoutMs ?? DEFAULT_READ_TIMEOUT_MS
  const decode = ['--base64-output=decode-rows', '--verbose']
  if ('files' in source) {
    const txs: SourceTransaction[] = []
    // One run per file: its text then cannot run on into the next file's events.
    for (const path of source.files)
      txs.push(...(await runMariadbBinlog(program, ['--no-defaults', ...decode, path], basename(path), timeoutMs)))
    return txs
  }
  const { host, port, user, password } = source.server
  const first = await firstBinlogFile(source.server)
  // The password goes through a private options file, not the command line every user can read.
  const dir = mkdtempSync(join(tmpdir(), 'zklab-binlog-'))
  try {
    const options = join(dir, 'client.cnf')
    writeFileSync(options, `[client]\nuser=${optionValue(user)}\npassword=${optionValue(password)}\n`, { mode: 0o600 })
    const args = [`--defaults-extra-file=${options}`, '--read-from-remote-server', `--host=${host}`, `--port=${port}`]
    return await runMariadbBinlog(program, [...args, '--to-last-log', ...decode, first], first, timeoutMs)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

/** An option file value, quoted so spaces, quotes and `#` survive. */
function optionValue(value: string): string {
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`
}

async function firstBinlogFile(server: SourceConnection): Promise<string> {
  const conn = await mysql.createConnection({ ...server, connectTimeout: 5000 })
  conn.on('error', () => undefined)
  try {
    const [rows] = await conn.query({ sql: 'SHOW BINARY LOGS', timeout: 10_000 })
    const first = (rows as { Log_name?: string }[])[0]?.Log_name
    if (!first) throw new Error(`The source at ${server.host}:${server.port} has no binary log (is --log-bin on?).`)
    return first
  } finally {
    conn.destroy()
  }
}

function runMariadbBinlog(
  program: string,
  args: string[],
  file: string,
  timeoutMs: number,
): Promise<SourceTransaction[]> {
  return new Promise((resolve, reject) => {
    // mariadb-binlog prints event times in local time: UTC makes them parseable.
    const child = spawn(program, args, { env: { ...process.env, TZ: 'UTC' }, stdio: ['ignore', 'pipe', 'pipe'] })
    let timedOut = false
    const timer = setTimeout(() => {
      timedOut = true
      child.kill('SIGKILL')
    }, timeoutMs)
    const parser = new BinlogTextParser(file)
    let stderr = ''
    child.stderr.on('data', (chunk: Buffer) => {
      if (stderr.length < 4000) stderr += chunk.toString()
    })
    const lines = createInterface({ input: child.stdout, crlfDelay: Infinity })
    lines.on('line', (line) => parser.line(line))
    let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined
    let linesDone = false
    const finish = (): void => {
      if (!exit || !linesDone) return
      clearTimeout(timer)
      if (timedOut)
        reject(new Error(`${program} ${args.at(-1)} did not finish within ${timeoutMs} ms (is the source paused?)`))
      else if (exit.code === 0) resolve(parser.end())
      else
        reject(
          new Error(
            `${program} ${args.at(-1)} failed (${exit.signal ?? `exit ${exit.code}`}): ${stderr.trim() || 'no message'}`,
          ),
        )
    }
    lines.on('close', () => {
      linesDone = true
      finish()
    })
    child.on('error', (err) => {
      clearTimeout(timer)
      reject(new Error(`Could not run ${program}: ${err.message}`, { cause: err }))
    })
    child.on('close', (code, signal) => {
      exit = { code, signal }
      finish()
    })
  })
}

/** Saves the source's history in the session folder, one transaction a line. */
export async function writeSourceHistory(sessionDir: string, txs: readonly SourceTransaction[]): Promise<string> {
  const path = sourceHistoryPath(sessionDir)
  mkdirSync(join(path, '..'), { recursive: true, mode: 0o700 })
  const out = createWriteStream(path, { mode: 0o600 })
  for (const tx of txs)
    if (!out.write(`${JSON.stringify(tx)}\n`)) await new Promise<void>((r) => out.once('drain', () => r()))
  await new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err ? reject(err) : resolve())))
  return path
}

/** Reads a session's saved source history; a bad line is an error naming the file and the line. */
export function readSourceHistory(sessionDir: string): SourceTransaction[] {
  const path = sourceHistoryPath(sessionDir)
  const txs: SourceTransaction[] = []
  readFileSync(path, 'utf8')
    .split('\n')
    .forEach((line, i) => {
      if (line.trim() === '') return
      let json: unknown
      try {
        json = JSON.parse(line)
      } catch (err) {
        throw new Error(`${path}:${i + 1}: not JSON (${(err as Error).message})`, { cause: err })
      }
      const parsed = SourceTransaction.safeParse(json)
      if (!parsed.success) {
        const issue = parsed.error.issues[0]
        throw new Error(
          `${path}:${i + 1}: not a source transaction (${issue?.path.join('.') || 'line'}: ${issue?.message})`,
        )
      }
      txs.push(parsed.data)
    })
  return txs
}
