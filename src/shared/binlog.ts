/**
 * The binlog workload's shared vocabulary: MariaDB GTIDs, the line a backup worker appends to its
 * task's sink, and the source's history as the lab reads it back from the binlog after a run. The
 * workers (src/worker), the source the lab runs (src/core/mariadb) and the checker
 * (backup-integrity, backup-lag) all speak it, so they cannot drift apart.
 *
 * The seed's job: a primary streams the source's binlog from the GTID in `lastCommit`, appends each
 * row event to the backup sink, and commits the GTID of the last transaction it wrote to `lastCommit`.
 */
import { z } from 'zod'

/** What a task's primary does as its unit of work: count (`counter`, one id per step) or back up a binlog. */
export const Workload = z.enum(['counter', 'binlog'])
export type Workload = z.infer<typeof Workload>
export const DEFAULT_WORKLOAD: Workload = 'counter'

/** A MariaDB GTID, `domain-server-seq` (`0-1-42`). */
export interface Gtid {
  domain: number
  server: number
  seq: number
}

const GTID = /^(\d+)-(\d+)-(\d+)$/

/** `0-1-42` → {domain 0, server 1, seq 42}; anything else → undefined. */
export function parseGtid(text: string): Gtid | undefined {
  const m = GTID.exec(text.trim())
  if (!m) return undefined
  const [domain, server, seq] = [Number(m[1]), Number(m[2]), Number(m[3])]
  return Number.isSafeInteger(seq) ? { domain, server, seq } : undefined
}

export const formatGtid = (g: Gtid): string => `${g.domain}-${g.server}-${g.seq}`

/**
 * Where `lastCommit` says a task is, as one number: an integer for the counter, a GTID's sequence
 * number for the binlog (the lab's source is one server in one domain, so seq orders its history).
 * `0` and the empty string mean nothing committed yet; undefined for anything unreadable.
 */
export function commitPosition(data: string): number | undefined {
  const text = data.trim()
  if (text === '' || text === '0') return 0
  if (/^\d+$/.test(text)) return Number(text)
  return parseGtid(text)?.seq
}

/** A row operation in the binlog. */
export const RowOperation = z.enum(['insert', 'update', 'delete'])
export type RowOperation = z.infer<typeof RowOperation>

/**
 * A column value as both readers write it: the load generator uses only integer and short string
 * columns (and NULL), so zongji's decoded row and mariadb-binlog's text compare exactly.
 */
export const ColumnValue = z.union([z.number(), z.string(), z.null()])
export type ColumnValue = z.infer<typeof ColumnValue>

/**
 * One line of a binlog task's backup sink (`sinks/<task>.log`): one row event of one source
 * transaction, appended by the primary that backed it up.
 */
export const BackupRecord = z.object({
  /** The source transaction's GTID. */
  gtid: z.string(),
  /** Its sequence number (the GTID's last part), for ordering and the journal's `id`. */
  seq: z.number().int().nonnegative(),
  /** The row's position in its transaction, from 0. */
  index: z.number().int().nonnegative(),
  /** `database.table`. */
  table: z.string(),
  op: RowOperation,
  /** The row's values in column order: the after image for insert/update, the before image for delete. */
  values: z.array(ColumnValue),
  /** The change id the load generator gave the transaction (read from its ledger row), when known. */
  change: z.number().int().optional(),
  /** Who wrote the line: the task worker's id, or an external program's name. */
  worker: z.union([z.number().int(), z.string()]),
  /** The writer's ZooKeeper session (hex), when it has one. */
  session: z.string().optional(),
  /** recipe: lastCommit's znode version the writer held when it wrote (its fencing token). */
  token: z.number().int().optional(),
  /**
   * recipe: the writer's leadership epoch, its election node's sequence number. A successor's node is
   * always later than its predecessor's, so epochs only grow from one primary to the next.
   */
  epoch: z.number().int().nonnegative().optional(),
  /** When the line was written, ms since the epoch (the writer's clock). */
  time: z.number(),
})
export type BackupRecord = z.infer<typeof BackupRecord>

/**
 * A recipe primary's claim on the sink, appended at takeover before it reads the sink's tail: from
 * this line on, a backup line with a lower epoch is void. A lease checked before an append cannot
 * stop a process paused between the check and the write; the claim makes the sink itself refuse
 * such a late line, the way a storage system checks a fencing token.
 */
export const SinkClaim = z.object({
  claim: z.number().int().nonnegative(),
  worker: z.union([z.number().int(), z.string()]),
  session: z.string().optional(),
  time: z.number(),
})
export type SinkClaim = z.infer<typeof SinkClaim>

/**
 * The claim rule, applied to a sink's lines in file order: a claim raises the epoch, and a backup
 * line whose epoch is lower than a claim before it is void (written by a deposed primary). Lines
 * without an epoch (the seed's, external programs') are never void.
 */
export class ClaimFence {
  private highest = -1
  /** Feeds the next line; says whether it is a claim, a valid backup line or a void one. */
  see(line: { claim: number } | { epoch?: number }): 'claim' | 'valid' | 'void' {
    if ('claim' in line) {
      this.highest = Math.max(this.highest, line.claim)
      return 'claim'
    }
    return line.epoch !== undefined && line.epoch < this.highest ? 'void' : 'valid'
  }
}

/** One row event of the source's history. */
export const SourceRow = z.object({
  table: z.string(),
  op: RowOperation,
  values: z.array(ColumnValue),
})
export type SourceRow = z.infer<typeof SourceRow>

/**
 * One committed source transaction, as the lab reads it from the source's binlog after the run
 * (`source/binlog.jsonl` in the session folder, one per line, in binlog order). Transactions without
 * row events (DDL) are listed too, with no rows: a backup has nothing to hold for them.
 */
export const SourceTransaction = z.object({
  gtid: z.string(),
  seq: z.number().int().nonnegative(),
  /** The binlog file and the position the transaction starts at. */
  file: z.string(),
  position: z.number().int().nonnegative(),
  /** The transaction's commit time as the binlog stamps it: seconds resolution, in ms. */
  time: z.number(),
  rows: z.array(SourceRow),
  /** The load generator's change id, read from the transaction's ledger row. */
  change: z.number().int().optional(),
  /** The ledger row's commit stamp (ms, the lab's clock): the lag's start, finer than `time`. */
  changedAt: z.number().optional(),
})
export type SourceTransaction = z.infer<typeof SourceTransaction>

/**
 * The load generator's ledger: every transaction it commits inserts one row here, carrying the
 * change's id and the ms it was issued, so each transaction (a delete too) is identifiable in the
 * binlog and its backup lag measurable. Columns, in order: change_id, op, tbl, pk, changed_at_ms.
 */
export const LEDGER_TABLE = 'lab_changes'
/** The database the load generator writes. */
export const SOURCE_DATABASE = 'labsrc'
