import { describe, expect, it } from 'vitest'
import { ZkHandshakeReader, type ZkHandshake } from '../../src/core/faults/zk-handshake.js'
import { attributeSessions } from '../../src/core/txnlog/attribution.js'
import { buildTxnHistory } from '../../src/core/txnlog/history.js'
import type { LabEvent } from '../../src/shared/events.js'
import { applyEvent, emptyLabState, MAX_WORKER_SESSIONS } from '../../src/shared/lab-state.js'

const PASSWORD = Buffer.alloc(16, 7)

function frame(body: Buffer): Buffer {
  const length = Buffer.alloc(4)
  length.writeInt32BE(body.length)
  return Buffer.concat([length, body])
}

/** A ConnectRequest as the Java and C clients send it (with the readOnly byte). */
function connectRequest(sessionId: bigint, options: { timeoutMs?: number; readOnlyByte?: boolean } = {}): Buffer {
  const head = Buffer.alloc(28)
  head.writeInt32BE(0, 0) // protocolVersion
  head.writeBigInt64BE(0x2an, 4) // lastZxidSeen
  head.writeInt32BE(options.timeoutMs ?? 4000, 12)
  head.writeBigUInt64BE(sessionId, 16)
  head.writeInt32BE(sessionId === 0n ? 16 : PASSWORD.length, 24)
  const tail = options.readOnlyByte === false ? [] : [Buffer.from([0])]
  return frame(Buffer.concat([head, sessionId === 0n ? Buffer.alloc(16) : PASSWORD, ...tail]))
}

/** A ConnectResponse: a 37-byte body from the Java server with its readOnly byte, 36 without (as the Go client's). */
function connectResponse(sessionId: bigint, timeoutMs: number, readOnly: boolean | 'absent' = false): Buffer {
  const head = Buffer.alloc(20)
  head.writeInt32BE(0, 0)
  head.writeInt32BE(timeoutMs, 4)
  head.writeBigUInt64BE(sessionId, 8)
  head.writeInt32BE(PASSWORD.length, 16)
  const tail = readOnly === 'absent' ? [] : [Buffer.from([readOnly ? 1 : 0])]
  return frame(Buffer.concat([head, PASSWORD, ...tail]))
}

/** Feeds the chunks in order, each tagged with its direction, and collects what the reader reports. */
function read(chunks: Array<['up' | 'down', Buffer]>): { seen: ZkHandshake[]; reader: ZkHandshakeReader } {
  const seen: ZkHandshake[] = []
  const reader = new ZkHandshakeReader((h) => seen.push(h))
  for (const [direction, chunk] of chunks) reader.read(direction, chunk)
  return { seen, reader }
}

const bytes = (direction: 'up' | 'down', buffer: Buffer): Array<['up' | 'down', Buffer]> =>
  [...buffer].map((b) => [direction, Buffer.from([b])])

const SESSION = 0x10000abc0000f01n

describe('ZooKeeper handshake reader', () => {
  it('reads a new session from frames split one byte at a time', () => {
    const { seen, reader } = read([
      ...bytes('up', connectRequest(0n)),
      ...bytes('down', connectResponse(SESSION, 6000)),
    ])
    expect(seen).toEqual([{ sessionId: '10000abc0000f01', how: 'new', timeoutMs: 6000 }])
    expect(reader.done).toBe(true)
  })

  it('reads the first frame of a chunk that holds two, and nothing after', () => {
    const ping = frame(Buffer.alloc(8, 1))
    const { seen, reader } = read([
      ['up', Buffer.concat([connectRequest(SESSION), ping])],
      ['down', Buffer.concat([connectResponse(SESSION, 4000), ping])],
      ['down', connectResponse(0x99n, 4000)],
    ])
    expect(seen).toEqual([{ sessionId: '10000abc0000f01', how: 'resumed', timeoutMs: 4000 }])
    expect(reader.done).toBe(true)
  })

  it("reads the Go client's 36-byte response (no readOnly byte) and the Java/C 37-byte one", () => {
    const go = connectResponse(SESSION, 4000, 'absent')
    const java = connectResponse(SESSION, 4000, true)
    // The frame's length field: 36 bytes, or 37.
    expect([go.readInt32BE(0), java.readInt32BE(0)]).toEqual([36, 37])
    expect(
      read([
        ['up', connectRequest(0n, { readOnlyByte: false })],
        ['down', go],
      ]).seen,
    ).toEqual([{ sessionId: '10000abc0000f01', how: 'new', timeoutMs: 4000 }])
    expect(
      read([
        ['up', connectRequest(0n)],
        ['down', java],
      ]).seen,
    ).toEqual([{ sessionId: '10000abc0000f01', how: 'new', timeoutMs: 4000, readOnly: true }])
  })

  it('reads 0/0 as the expiry of the session the client asked to resume', () => {
    const { seen } = read([
      ['up', connectRequest(SESSION)],
      ['down', connectResponse(0n, 0)],
    ])
    expect(seen).toEqual([{ sessionId: '10000abc0000f01', how: 'expired', timeoutMs: 0 }])
  })

  it('a resume answered with another id is a new session', () => {
    const { seen } = read([
      ['up', connectRequest(SESSION)],
      ['down', connectResponse(0x77n, 4000)],
    ])
    expect(seen).toEqual([{ sessionId: '77', how: 'new', timeoutMs: 4000 }])
  })

  it('gives up on garbage, an oversized frame or a malformed one, and stops reading', () => {
    const fourLetterWord = read([
      ['up', Buffer.from('srvr')],
      ['down', connectResponse(SESSION, 4000)],
    ])
    expect(fourLetterWord.seen).toEqual([])
    expect(fourLetterWord.reader.done).toBe(true)

    const huge = Buffer.alloc(4)
    huge.writeInt32BE(1 << 30)
    expect(read([['up', huge]]).reader.done).toBe(true)

    // A password longer than its frame.
    const bad = connectResponse(SESSION, 4000)
    bad.writeInt32BE(400, 4 + 16)
    expect(
      read([
        ['up', connectRequest(0n)],
        ['down', bad],
      ]).seen,
    ).toEqual([])

    // Still waiting on a half frame: nothing reported, not done.
    const half = read([['up', connectRequest(0n).subarray(0, 10)]])
    expect(half.seen).toEqual([])
    expect(half.reader.done).toBe(false)
  })

  it('a listener that throws does not escape the reader', () => {
    const reader = new ZkHandshakeReader(() => {
      throw new Error('listener broke')
    })
    reader.read('up', connectRequest(0n))
    expect(() => reader.read('down', connectResponse(SESSION, 4000))).not.toThrow()
  })
})

const spawned = (name: string, seq: number): LabEvent => ({
  seq,
  time: seq,
  source: 'lab',
  type: 'process.spawned',
  name,
  kind: 'external',
  pid: 100 + seq,
  command: 'ext',
  args: [],
  labels: { task: 't1', workerId: 1, strategy: 'external' },
})
const session = (name: string, seq: number, sessionId: string, how: 'new' | 'resumed' | 'expired'): LabEvent => ({
  seq,
  time: seq * 1000,
  source: 'lab',
  type: 'client.session',
  name,
  sessionId,
  how,
  timeoutMs: how === 'expired' ? 0 : 4000,
  server: '127.0.0.1:2181',
})

describe('sessions read at the proxy', () => {
  it('attribute sessions first, before what a worker says of itself', () => {
    const events: LabEvent[] = [
      spawned('worker-t1-1', 1),
      session('worker-t1-1', 2, 'a1', 'new'),
      // A report claiming the same session for another process loses to the proxy.
      { seq: 3, time: 3, source: 'worker-t1-2', type: 'worker.connected', sessionId: '0xa1', replaced: false },
      session('worker-t1-1', 4, 'a1', 'expired'),
      session('worker-t1-1', 5, 'b2', 'new'),
    ]
    const owners = attributeSessions(events, buildTxnHistory([]))
    expect(owners.get('a1')).toEqual({ worker: 'worker-t1-1', how: 'proxy' })
    expect(owners.get('b2')).toEqual({ worker: 'worker-t1-1', how: 'proxy' })
  })

  it('each worker keeps every session it had, across restarts, the latest ones bounded', () => {
    const state = emptyLabState()
    applyEvent(state, spawned('worker-t1-1', 1))
    applyEvent(state, session('worker-t1-1', 2, 'a1', 'new'))
    applyEvent(state, session('worker-t1-1', 3, 'a1', 'resumed'))
    applyEvent(state, session('worker-t1-1', 4, 'a1', 'expired'))
    applyEvent(state, spawned('worker-t1-1', 5))
    applyEvent(state, session('worker-t1-1', 6, 'b2', 'new'))
    const worker = state.workers['worker-t1-1']
    expect(worker.sessionId).toBe('b2')
    expect(worker.sessions).toEqual([
      { sessionId: 'a1', how: 'new', time: 2000, timeoutMs: 4000, resumes: 1, expiredAt: 4000 },
      { sessionId: 'b2', how: 'new', time: 6000, timeoutMs: 4000, resumes: 0 },
    ])
    for (let i = 0; i < MAX_WORKER_SESSIONS + 5; i++) applyEvent(state, session('worker-t1-1', 10 + i, `c${i}`, 'new'))
    expect(worker.sessions).toHaveLength(MAX_WORKER_SESSIONS)
    expect(worker.sessions.at(-1)?.sessionId).toBe(`c${MAX_WORKER_SESSIONS + 4}`)
  })
})
