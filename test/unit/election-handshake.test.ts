/**
 * The election handshake rewrite on server-to-server links: ZooKeeper's initial message keeps its
 * version and sid and gains the address the receiver is to dial back, however the bytes arrive.
 */
import { describe, expect, it } from 'vitest'
import { ElectionHandshakeRewriter } from '../../src/core/faults/election-handshake.js'

function initialMessage(version: bigint, sid: bigint, address: string): Buffer {
  const text = Buffer.from(address, 'utf8')
  const head = Buffer.alloc(20)
  head.writeBigInt64BE(version, 0)
  head.writeBigInt64BE(sid, 8)
  head.writeInt32BE(text.length, 16)
  return Buffer.concat([head, text])
}

function parse(bytes: Buffer): { version: bigint; sid: bigint; address: string; rest: Buffer } {
  const length = bytes.readInt32BE(16)
  return {
    version: bytes.readBigInt64BE(0),
    sid: bytes.readBigInt64BE(8),
    address: bytes.subarray(20, 20 + length).toString('utf8'),
    rest: bytes.subarray(20 + length),
  }
}

describe('ElectionHandshakeRewriter', () => {
  it('replaces the sender’s election address and keeps what follows', () => {
    const rewriter = new ElectionHandshakeRewriter('127.0.0.1:40123')
    const trailing = Buffer.from([1, 2, 3, 4])
    const out = rewriter.take(Buffer.concat([initialMessage(-65535n, 3n, '127.0.0.1:2888'), trailing]))
    expect(parse(out)).toEqual({ version: -65535n, sid: 3n, address: '127.0.0.1:40123', rest: trailing })
    expect(rewriter.done).toBe(true)
    // Later bytes pass untouched.
    expect(rewriter.take(Buffer.from('next'))).toEqual(Buffer.from('next'))
  })

  it('waits for a message split into single bytes, then forwards it whole', () => {
    const rewriter = new ElectionHandshakeRewriter('127.0.0.1:9')
    const message = initialMessage(-65536n, 12n, '127.0.0.1:31000|127.0.0.1:31001')
    const out: Buffer[] = []
    for (const byte of message) out.push(rewriter.take(Buffer.from([byte])))
    expect(out.slice(0, -1).every((b) => b.length === 0)).toBe(true)
    expect(parse(Buffer.concat(out))).toMatchObject({ version: -65536n, sid: 12n, address: '127.0.0.1:9' })
  })

  it('passes the old format (a sid alone) and anything that is not a handshake through unchanged', () => {
    const old = Buffer.alloc(8)
    old.writeBigInt64BE(2n, 0)
    expect(new ElectionHandshakeRewriter('127.0.0.1:9').take(old)).toEqual(old)
    const bogus = initialMessage(-1n, 1n, 'x')
    bogus.writeInt32BE(1 << 20, 16)
    expect(new ElectionHandshakeRewriter('127.0.0.1:9').take(bogus)).toEqual(bogus)
  })
})
