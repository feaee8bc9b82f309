/**
 * One ZooKeeper transaction log file (`version-2/log.<zxid>`), parsed in Node.
 *
 * Layout (FileTxnLog): a header {int magic "ZKLG", int version 2, long dbId}, then records
 * {long adler32, int length, byte[length] entry, byte 0x42 'B'} until a zero length (the file is
 * preallocated with zeros). An entry is a TxnHeader {long session, int cxid, long zxid, long time,
 * int type}, the type's txn record, and since 3.6 a TxnDigest, which is not needed here.
 *
 * Parsed directly rather than through the distribution's TxnLogToolkit because the toolkit prints
 * times to the second in the JVM's locale and data unquoted between commas (see docs/decisions.md).
 */
import { JuteError, JuteReader } from './jute-reader.js'

export const TXNLOG_MAGIC = 0x5a4b4c47 // "ZKLG"
const EOR = 0x42

/** ZooDefs.OpCode values that appear in transaction logs. */
export const OpCode = {
  error: -1,
  createSession: -10,
  closeSession: -11,
  create: 1,
  delete: 2,
  setData: 5,
  setACL: 7,
  check: 13,
  multi: 14,
  create2: 15,
  reconfig: 16,
  createContainer: 19,
  deleteContainer: 20,
  createTTL: 21,
} as const

export type TxnOp =
  | { op: 'createSession'; timeoutMs: number }
  /** The ephemeral paths the server deleted with the session (ZooKeeper 3.6+ lists them). */
  | { op: 'closeSession'; ephemerals?: string[] }
  | { op: 'create'; path: string; data: string; ephemeral: boolean; container?: boolean; ttlMs?: number }
  | { op: 'delete'; path: string }
  /** `version` is the node's version after the write (what a Stat shows), not the one the client expected. */
  | { op: 'setData'; path: string; data: string; version: number }
  | { op: 'setACL'; path: string; version: number }
  | { op: 'check'; path: string; version: number }
  /** A request that failed (KeeperException code: -101 no node, -103 bad version, -110 node exists, …). */
  | { op: 'error'; code: number }
  | { op: 'multi'; ops: TxnOp[] }
  | { op: 'other'; type: number }

export interface Txn {
  /** ZooKeeper's transaction id: epoch in the high 32 bits, counter in the low 32. */
  zxid: number
  /** The client session that asked for it (hex, lowercase, no 0x), or the server's own for expiries. */
  session: string
  cxid: number
  /** The server's wall clock when it accepted the request, ms since the epoch. */
  time: number
  type: number
  txn: TxnOp
}

export interface TxnLogFile {
  dbId: string
  txns: Txn[]
  /** Where reading stopped early and why (a torn record at the end of a log being written, corruption). */
  problems: string[]
}

/** Session and zxid as ZooKeeper prints them, without 0x: `100003fe9d90003`. */
export function hex(value: bigint | number): string {
  return BigInt.asUintN(64, BigInt(value)).toString(16)
}

/** A session id in one spelling whatever wrote it: `0x0100003FE9D90003` → `100003fe9d90003`. */
export function normalizeSessionId(id: string): string {
  const bare = id
    .trim()
    .toLowerCase()
    .replace(/^0x/, '')
    .replace(/^0+(?=.)/, '')
  return bare
}

export function zxidHex(zxid: number): string {
  return `0x${zxid.toString(16)}`
}

export function parseTxnLogFile(buf: Buffer): TxnLogFile {
  const problems: string[] = []
  if (buf.length < 16)
    return { dbId: '0', txns: [], problems: buf.length === 0 ? [] : ['shorter than the file header'] }
  const header = new JuteReader(buf)
  const magic = header.int()
  const version = header.int()
  const dbId = hex(header.long())
  if (magic >>> 0 !== TXNLOG_MAGIC)
    return { dbId, txns: [], problems: [`not a transaction log (magic 0x${(magic >>> 0).toString(16)})`] }
  if (version !== 2) problems.push(`log format version ${version}, expected 2`)

  const txns: Txn[] = []
  let offset = 16
  while (offset + 12 <= buf.length) {
    const crc = Number(buf.readBigUInt64BE(offset))
    const length = buf.readInt32BE(offset + 8)
    // Zeros past the last record: the preallocated rest of the file.
    if (length === 0) break
    const start = offset + 12
    if (length < 0 || start + length + 1 > buf.length) {
      problems.push(`record at byte ${offset} is cut off (length ${length}): the log ends there`)
      break
    }
    const entry = buf.subarray(start, start + length)
    if (adler32(entry) !== crc) {
      // A record being written while we read (live) or a damaged file: ZooKeeper stops there too.
      problems.push(`record at byte ${offset} fails its checksum: the log is read up to there`)
      break
    }
    if (buf[start + length] !== EOR) {
      problems.push(`record at byte ${offset} lacks its end-of-record mark: the log is read up to there`)
      break
    }
    try {
      txns.push(parseEntry(entry))
    } catch (err) {
      problems.push(`record at byte ${offset} cannot be parsed (${(err as Error).message}); skipped`)
    }
    offset = start + length + 1
  }
  return { dbId, txns, problems }
}

function parseEntry(entry: Buffer): Txn {
  const r = new JuteReader(entry)
  const session = hex(r.long())
  const cxid = r.int()
  const zxid = Number(r.long())
  const time = Number(r.long())
  const type = r.int()
  return { zxid, session, cxid, time, type, txn: parseBody(type, r) }
}

/** The txn record of one type; what follows it (the digest) is left unread. */
function parseBody(type: number, r: JuteReader): TxnOp {
  switch (type) {
    case OpCode.createSession:
      return { op: 'createSession', timeoutMs: r.int() }
    case OpCode.closeSession:
      return { op: 'closeSession', ...closeSessionPaths(r) }
    case OpCode.create:
    case OpCode.create2: {
      const path = str(r)
      const data = bytes(r)
      skipAcl(r)
      const ephemeral = r.bool()
      r.int() // parentCVersion
      return { op: 'create', path, data, ephemeral }
    }
    case OpCode.createContainer: {
      const path = str(r)
      const data = bytes(r)
      skipAcl(r)
      r.int()
      return { op: 'create', path, data, ephemeral: false, container: true }
    }
    case OpCode.createTTL: {
      const path = str(r)
      const data = bytes(r)
      skipAcl(r)
      r.int()
      return { op: 'create', path, data, ephemeral: false, ttlMs: Number(r.long()) }
    }
    case OpCode.delete:
    case OpCode.deleteContainer:
      return { op: 'delete', path: str(r) }
    case OpCode.setData:
    case OpCode.reconfig: {
      const path = str(r)
      const data = bytes(r)
      return { op: 'setData', path, data, version: r.int() }
    }
    case OpCode.setACL: {
      const path = str(r)
      skipAcl(r)
      return { op: 'setACL', path, version: r.int() }
    }
    case OpCode.check:
      return { op: 'check', path: str(r), version: r.int() }
    case OpCode.error:
      return { op: 'error', code: r.int() }
    case OpCode.multi: {
      const ops =
        r.vector((v) => {
          const subType = v.int()
          const data = v.buffer() ?? Buffer.alloc(0)
          return parseBody(subType, new JuteReader(data))
        }) ?? []
      return { op: 'multi', ops }
    }
    default:
      return { op: 'other', type }
  }
}

/**
 * CloseSessionTxn {vector<ustring> paths2Delete}. Servers with closeSessionTxn disabled write no
 * record, so the bytes here would be the digest: anything that does not read as absolute paths is
 * taken as "not listed" (the session's ephemerals are then known from their creates).
 */
function closeSessionPaths(r: JuteReader): { ephemerals?: string[] } {
  if (r.remaining === 0) return {}
  try {
    const paths = r.vector((v) => v.ustring() ?? '')
    if (paths && paths.every((p) => p.startsWith('/'))) return { ephemerals: paths }
  } catch (err) {
    if (!(err instanceof JuteError)) throw err
  }
  return {}
}

function str(r: JuteReader): string {
  return r.ustring() ?? ''
}

function bytes(r: JuteReader): string {
  return r.buffer()?.toString('utf8') ?? ''
}

function skipAcl(r: JuteReader): void {
  r.vector((v) => {
    v.int()
    v.ustring()
    v.ustring()
    return null
  })
}

/** java.util.zip.Adler32, which FileTxnLog uses for each record. */
export function adler32(buf: Uint8Array): number {
  const MOD = 65521
  let a = 1
  let b = 0
  let i = 0
  while (i < buf.length) {
    // 5552 is the most bytes before the sums can overflow 2^32 between reductions.
    const n = Math.min(5552, buf.length - i)
    for (let j = 0; j < n; j++, i++) {
      a += buf[i]
      b += a
    }
    a %= MOD
    b %= MOD
  }
  return ((b << 16) | a) >>> 0
}
