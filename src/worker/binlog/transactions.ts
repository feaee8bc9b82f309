/**
 * The binlog workload's decisions, as pure functions (no ZooKeeper, no MariaDB, no files): how the
 * stream's events become whole transactions, the sink lines a transaction is backed up as, what a
 * sink's tail says was last written, and where a new primary resumes.
 */
import {
  type BackupRecord,
  ClaimFence,
  type ColumnValue,
  formatGtid,
  LEDGER_TABLE,
  parseGtid,
  type RowOperation,
  SinkClaim,
  SOURCE_DATABASE,
  type SourceRow,
} from '../../shared/binlog.js'

/** One committed source transaction as the stream delivers it: its row events in binlog order. */
export interface StreamedTransaction {
  gtid: string
  seq: number
  rows: SourceRow[]
  /** The load generator's change id, from the transaction's ledger row (when it has one). */
  change?: number
}

/** The subset of a zongji event the assembler reads (zongji's own types are wider). */
export interface BinlogEventLike {
  getEventName(): string
  gtid?: string
  /** query events */
  query?: string
  /** row events */
  tableId?: number
  tableMap?: Record<number, { parentSchema: string; tableName: string }>
  rows?: unknown[]
}

const ROW_EVENTS: Record<string, RowOperation> = { writerows: 'insert', updaterows: 'update', deleterows: 'delete' }
const LEDGER = `${SOURCE_DATABASE}.${LEDGER_TABLE}`

/**
 * A column value as the sink stores it. The load generator writes integers, short strings and NULL,
 * which pass as they are; anything else (a Buffer, a Date, a 64-bit integer zongji gives as a string)
 * is written as text so a line stays plain JSON.
 */
export function columnValue(value: unknown): ColumnValue {
  if (value === null || value === undefined) return null
  if (typeof value === 'number' || typeof value === 'string') return value
  if (typeof value === 'boolean') return value ? 1 : 0
  if (Buffer.isBuffer(value)) return value.toString('utf8')
  if (value instanceof Date) return value.toISOString()
  if (typeof value === 'bigint') return value.toString()
  return JSON.stringify(value)
}

/** A row image as values in column order (zongji keys them by column name, in table order). */
const rowValues = (image: unknown): ColumnValue[] =>
  image && typeof image === 'object' ? Object.values(image).map(columnValue) : []

/**
 * Turns the stream's events into whole transactions. A MariaDB transaction opens with its GTID event
 * and ends with an `xid` (InnoDB) or a `COMMIT` query (a non-transactional engine); only then is it
 * delivered, so a stream cut mid-transaction delivers nothing of it (zongji is at-least-once: the
 * transaction comes again whole after a restart). DDL (a standalone GTID group) has no rows and is
 * not delivered.
 */
export class TransactionAssembler {
  private open: StreamedTransaction | undefined

  /** Feeds one event; returns the transaction it completes, if any. */
  push(event: BinlogEventLike): StreamedTransaction | undefined {
    const name = event.getEventName()
    if (name === 'mariadbgtid') {
      const gtid = event.gtid === undefined ? undefined : parseGtid(event.gtid)
      this.open = gtid ? { gtid: formatGtid(gtid), seq: gtid.seq, rows: [] } : undefined
      return undefined
    }
    const tx = this.open
    if (!tx || event.gtid !== tx.gtid) return undefined
    const op = ROW_EVENTS[name]
    if (op) {
      const table = event.tableMap?.[event.tableId ?? -1]
      const name = table ? `${table.parentSchema}.${table.tableName}` : `table#${event.tableId}`
      for (const row of event.rows ?? []) {
        // An update's after image; the contract keeps one image per row event.
        const image = op === 'update' ? (row as { after?: unknown }).after : row
        tx.rows.push({ table: name, op, values: rowValues(image) })
        if (name === LEDGER && op === 'insert' && tx.change === undefined) {
          const id = (image as Record<string, unknown>).change_id
          if (typeof id === 'number' && Number.isInteger(id)) tx.change = id
        }
      }
      return undefined
    }
    const commits = name === 'xid' || (name === 'query' && event.query?.trim().toUpperCase() === 'COMMIT')
    if (!commits) return undefined
    this.open = undefined
    return tx.rows.length > 0 ? tx : undefined
  }

  /** Forgets a transaction in progress (the stream was cut: it will come again whole). */
  reset(): void {
    this.open = undefined
  }
}

/** Who writes a line: the worker, its session, and (recipe) its fencing token. */
export interface Writer {
  worker: number
  session: string
  token?: number
  /** recipe: its leadership epoch (election node sequence), which the sink's claims fence by. */
  epoch?: number
}

/**
 * The sink lines of a transaction (one BackupRecord per row event), from row index `from` on: a new
 * primary completing a transaction its predecessor wrote in part passes the first missing index.
 */
export function backupLines(tx: StreamedTransaction, writer: Writer, from = 0, time = Date.now()): string {
  let text = ''
  for (let index = from; index < tx.rows.length; index++) {
    const { table, op, values } = tx.rows[index]
    const record: BackupRecord = {
      gtid: tx.gtid,
      seq: tx.seq,
      index,
      table,
      op,
      values,
      ...(tx.change === undefined ? {} : { change: tx.change }),
      worker: writer.worker,
      session: writer.session,
      ...(writer.token === undefined ? {} : { token: writer.token }),
      ...(writer.epoch === undefined ? {} : { epoch: writer.epoch }),
      time,
    }
    text += JSON.stringify(record) + '\n'
  }
  return text
}

/** The last row a binlog sink holds: which transaction, and which row of it. */
export interface BinlogSinkLast {
  gtid: string
  seq: number
  index: number
}

/**
 * The backup rows of a sink's tail text in file order, each with the claim rule's verdict: void when
 * a claim with a later epoch came before it (ClaimFence: a deposed primary's late write). Torn and
 * empty lines are skipped, claims only raise the fence.
 */
function* fencedRows(text: string): Generator<BinlogSinkLast & { epoch?: number; valid: boolean }> {
  const fence = new ClaimFence()
  for (const line of text.split('\n')) {
    let value: unknown
    try {
      value = JSON.parse(line)
    } catch {
      continue // torn or empty
    }
    const claim = SinkClaim.safeParse(value)
    if (claim.success) {
      fence.see(claim.data)
      continue
    }
    const record = value as Partial<BackupRecord>
    const gtid = typeof record.gtid === 'string' ? parseGtid(record.gtid) : undefined
    if (!gtid || typeof record.index !== 'number' || !Number.isInteger(record.index) || record.index < 0) continue
    const epoch = typeof record.epoch === 'number' ? record.epoch : undefined
    const valid = fence.see({ epoch }) === 'valid'
    yield { gtid: formatGtid(gtid), seq: gtid.seq, index: record.index, epoch, valid }
  }
}

/**
 * The last valid row of a binlog sink's tail text, or undefined when it holds none. A torn last line
 * (a crash mid-write) does not count: that row was not written. Nor does a void line; a new primary
 * reads the tail after its own claim, so that claim is in view.
 */
export function lastBackupRow(text: string): BinlogSinkLast | undefined {
  let last: BinlogSinkLast | undefined
  for (const { gtid, seq, index, valid } of fencedRows(text)) if (valid) last = { gtid, seq, index }
  return last
}

/**
 * Whether the last line of transaction `gtid` written under `epoch` in this tail text is void (a claim
 * with a later epoch came before it); false when no such line is in view.
 */
export function lastWriteVoid(text: string, gtid: string, epoch: number): boolean {
  let voided = false
  for (const row of fencedRows(text)) if (row.gtid === gtid && row.epoch === epoch) voided = !row.valid
  return voided
}

/** The claim line a recipe primary appends at takeover (see SinkClaim). */
export function claimLine(epoch: number, writer: Writer, time = Date.now()): string {
  const claim: SinkClaim = { claim: epoch, worker: writer.worker, session: writer.session, time }
  return JSON.stringify(claim) + '\n'
}

/**
 * Where a new recipe primary streams from, and which rows of the first transaction it must not write
 * again. lastCommit names the last transaction wholly written; the sink may be ahead of it (the recipe
 * writes a transaction, then commits its GTID later), and its last transaction may be partial (a
 * predecessor killed between two lines; in practice one append holds a whole transaction, so only a
 * torn line makes it partial). The primary resumes after the later of the two:
 * - sink not ahead: stream after lastCommit, nothing to skip;
 * - sink ahead: stream from the sink's last transaction itself and skip its rows up to the last index
 *   the sink holds, so only its missing rows are written (none when it was complete). The checker
 *   counts each (gtid, index) once either way.
 */
export interface ResumePlan {
  /** zongji's `gtidSet`: the position streaming starts after ('' = the start of the binlog). */
  after: string
  /** Rows of this transaction up to `index` are already in the sink. */
  skip?: { gtid: string; index: number }
}

export function resumePlan(lastCommit: string, sinkLast: BinlogSinkLast | undefined): ResumePlan {
  const committed = parseGtid(lastCommit)
  const after = committed ? formatGtid(committed) : ''
  if (!sinkLast || (committed && sinkLast.seq <= committed.seq)) return { after }
  const g = parseGtid(sinkLast.gtid)!
  return {
    after: g.seq > 1 ? formatGtid({ ...g, seq: g.seq - 1 }) : '',
    skip: { gtid: sinkLast.gtid, index: sinkLast.index },
  }
}

/** The first row of `tx` to write under a skip, or undefined when the skip is for another transaction. */
export function firstMissingRow(tx: StreamedTransaction, skip: ResumePlan['skip']): number {
  return skip && skip.gtid === tx.gtid ? skip.index + 1 : 0
}
