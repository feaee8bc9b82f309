/**
 * Writes ZooKeeper transaction log files byte for byte as FileTxnLog does (header, then per record:
 * adler32, length, TxnHeader + txn + digest, 0x42), so parser edge cases can be built by hand. The
 * real format is pinned by the captured logs in fixtures/txnlog, checked against ZooKeeper's own tool.
 */
import { adler32, OpCode } from '../../../src/core/txnlog/txn-log-file.js'

class Out {
  private parts: Buffer[] = []
  int(v: number): this {
    const b = Buffer.alloc(4)
    b.writeInt32BE(v)
    this.parts.push(b)
    return this
  }
  long(v: bigint | number): this {
    const b = Buffer.alloc(8)
    b.writeBigInt64BE(BigInt(v))
    this.parts.push(b)
    return this
  }
  bool(v: boolean): this {
    this.parts.push(Buffer.from([v ? 1 : 0]))
    return this
  }
  buffer(v: Buffer): this {
    this.int(v.length)
    this.parts.push(v)
    return this
  }
  string(v: string): this {
    return this.buffer(Buffer.from(v, 'utf8'))
  }
  raw(v: Buffer): this {
    this.parts.push(v)
    return this
  }
  done(): Buffer {
    return Buffer.concat(this.parts)
  }
}

export type SyntheticOp =
  | { op: 'createSession'; timeoutMs: number }
  | { op: 'closeSession'; ephemerals: string[] }
  | { op: 'create'; path: string; data?: string; ephemeral?: boolean }
  | { op: 'delete'; path: string }
  | { op: 'setData'; path: string; data: string; version: number }
  | { op: 'error'; code: number }
  | { op: 'multi'; ops: SyntheticOp[] }

export interface SyntheticTxn {
  session: bigint
  cxid?: number
  zxid: number
  time: number
  txn: SyntheticOp
}

const ACL = new Out().int(1).int(31).string('world').string('anyone').done()

function body(op: SyntheticOp): { type: number; bytes: Buffer } {
  switch (op.op) {
    case 'createSession':
      return { type: OpCode.createSession, bytes: new Out().int(op.timeoutMs).done() }
    case 'closeSession': {
      const out = new Out().int(op.ephemerals.length)
      for (const p of op.ephemerals) out.string(p)
      return { type: OpCode.closeSession, bytes: out.done() }
    }
    case 'create':
      return {
        type: OpCode.create,
        bytes: new Out()
          .string(op.path)
          .string(op.data ?? '')
          .raw(ACL)
          .bool(op.ephemeral ?? false)
          .int(1)
          .done(),
      }
    case 'delete':
      return { type: OpCode.delete, bytes: new Out().string(op.path).done() }
    case 'setData':
      return { type: OpCode.setData, bytes: new Out().string(op.path).string(op.data).int(op.version).done() }
    case 'error':
      return { type: OpCode.error, bytes: new Out().int(op.code).done() }
    case 'multi': {
      const out = new Out().int(op.ops.length)
      for (const sub of op.ops) {
        const b = body(sub)
        out.int(b.type).buffer(b.bytes)
      }
      return { type: OpCode.multi, bytes: out.done() }
    }
  }
}

/** One record as FileTxnLog appends it. */
export function record(t: SyntheticTxn): Buffer {
  const { type, bytes } = body(t.txn)
  // TxnHeader, the txn, then a TxnDigest {int version, long digest} as ZooKeeper 3.6+ writes it.
  const entry = new Out()
    .long(t.session)
    .int(t.cxid ?? 1)
    .long(t.zxid)
    .long(t.time)
    .int(type)
    .raw(bytes)
    .int(2)
    .long(12345)
    .done()
  return new Out()
    .long(adler32(entry))
    .buffer(entry)
    .raw(Buffer.from([0x42]))
    .done()
}

export function txnLogFile(txns: SyntheticTxn[], padding = 64): Buffer {
  const header = new Out().int(0x5a4b4c47).int(2).long(0).done()
  return Buffer.concat([header, ...txns.map(record), Buffer.alloc(padding)])
}
