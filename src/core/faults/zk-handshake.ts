/**
 * Reads the ZooKeeper handshake off one proxied connection: the client's ConnectRequest (the first
 * frame up) and the server's ConnectResponse (the first frame down). From the pair the lab learns which
 * session the worker got, and whether it is new, resumed, or one ZooKeeper says has expired, whatever
 * the program and its node names. Only the first frame each way is read; after that the reader is done
 * and costs nothing. Anything it cannot read is simply no handshake: forwarding never depends on it.
 */
import type { ClientSession } from '../../shared/events.js'
import { normalizeSessionId } from '../txnlog/txn-log-file.js'

export type ZkHandshake = Pick<ClientSession, 'sessionId' | 'how' | 'timeoutMs' | 'readOnly'>

/** A connect frame is ~50 bytes (a 16-byte password); anything much longer is not a ZooKeeper handshake. */
const MAX_FRAME_BYTES = 512

interface ConnectRequest {
  sessionId: bigint
}

interface ConnectResponse {
  timeoutMs: number
  sessionId: bigint
  readOnly?: boolean
}

/**
 * Collects one length-prefixed frame from chunks that may split or merge frames; keeps at most
 * MAX_FRAME_BYTES. `frame` is the body once complete, `failed` when the length is out of bounds.
 */
class FirstFrame {
  private readonly chunks: Buffer[] = []
  private buffered = 0
  frame: Buffer | undefined
  failed = false

  get done(): boolean {
    return this.frame !== undefined || this.failed
  }

  push(chunk: Buffer): void {
    if (this.done) return
    this.chunks.push(chunk)
    this.buffered += chunk.length
    if (this.buffered < 4) return
    const head = Buffer.concat(this.chunks)
    const length = head.readInt32BE(0)
    if (length <= 0 || length > MAX_FRAME_BYTES) {
      this.fail()
      return
    }
    if (head.length < 4 + length) {
      // Keep one buffer so the next chunk concatenates two, not every chunk so far.
      this.chunks.splice(0, this.chunks.length, head)
      return
    }
    this.frame = head.subarray(4, 4 + length)
    this.chunks.length = 0
  }

  fail(): void {
    this.failed = true
    this.chunks.length = 0
  }
}

/** Reads a length-prefixed byte array (the password) and answers the offset after it, or undefined. */
function skipBuffer(frame: Buffer, offset: number): number | undefined {
  if (frame.length < offset + 4) return undefined
  const length = frame.readInt32BE(offset)
  // -1 is jute's null buffer.
  const end = offset + 4 + Math.max(0, length)
  return length < -1 || end > frame.length ? undefined : end
}

/** protocolVersion, lastZxidSeen, timeOut, sessionId, passwd, [readOnly]. */
export function parseConnectRequest(frame: Buffer): ConnectRequest | undefined {
  if (frame.length < 28 || frame.readInt32BE(0) !== 0) return undefined
  const end = skipBuffer(frame, 24)
  if (end === undefined || frame.length - end > 1) return undefined
  return { sessionId: frame.readBigUInt64BE(16) }
}

/** protocolVersion, timeOut, sessionId, passwd, then a readOnly byte the Go client's server answer may lack. */
export function parseConnectResponse(frame: Buffer): ConnectResponse | undefined {
  if (frame.length < 20 || frame.readInt32BE(0) !== 0) return undefined
  const timeoutMs = frame.readInt32BE(4)
  const end = skipBuffer(frame, 16)
  if (end === undefined || timeoutMs < 0 || frame.length - end > 1) return undefined
  const response: ConnectResponse = { timeoutMs, sessionId: frame.readBigUInt64BE(8) }
  if (frame.length > end) response.readOnly = frame[end] !== 0
  return response
}

/** What the pair means: 0/0 answers a resume of an expired session; the same id answers a resume. */
export function decideHandshake(request: ConnectRequest, response: ConnectResponse): ZkHandshake | undefined {
  const hex = (id: bigint) => normalizeSessionId(id.toString(16))
  const readOnly = response.readOnly ? { readOnly: true } : {}
  if (response.sessionId === 0n) {
    if (response.timeoutMs !== 0 || request.sessionId === 0n) return undefined
    return { sessionId: hex(request.sessionId), how: 'expired', timeoutMs: 0, ...readOnly }
  }
  const how = request.sessionId !== 0n && request.sessionId === response.sessionId ? 'resumed' : 'new'
  return { sessionId: hex(response.sessionId), how, timeoutMs: response.timeoutMs, ...readOnly }
}

/**
 * One connection's handshake reader: feed it every chunk each way (`up` from the worker, `down` from
 * ZooKeeper) until `done`; `onHandshake` is called at most once. It never throws.
 */
export class ZkHandshakeReader {
  private readonly request = new FirstFrame()
  private readonly response = new FirstFrame()
  private finished = false

  constructor(private readonly onHandshake: (handshake: ZkHandshake) => void) {}

  get done(): boolean {
    return this.finished
  }

  read(direction: 'up' | 'down', chunk: Buffer): void {
    if (this.finished) return
    ;(direction === 'up' ? this.request : this.response).push(chunk)
    if (this.request.failed || this.response.failed) {
      this.finish()
      return
    }
    if (!this.request.frame || !this.response.frame) return
    const request = parseConnectRequest(this.request.frame)
    const response = parseConnectResponse(this.response.frame)
    this.finish()
    const handshake = request && response ? decideHandshake(request, response) : undefined
    if (!handshake) return
    try {
      this.onHandshake(handshake)
    } catch {
      // A listener's failure is not the connection's: the bytes flow on.
    }
  }

  private finish(): void {
    this.finished = true
    this.request.fail()
    this.response.fail()
  }
}
