/**
 * The first message of a ZooKeeper leader-election connection (QuorumCnxManager's initial message),
 * rewritten on its way through a server-to-server proxy.
 *
 * The message names the sender's election address. A server that receives a connection from a
 * smaller myid drops it and dials back to that address, which is the sender's own port: the call back
 * would go around the lab's proxy, and a cut link would still carry election traffic. The proxy
 * replaces the address with the proxy the receiver is to use for the sender, so every election
 * connection, whoever dials it, goes through a proxy the lab controls.
 *
 * Layout (3.5 and later): int64 protocol version (negative), int64 sid, int32 length, then that many
 * bytes of `host:port` (several joined by `|` in version 2). A non-negative first int64 is the old
 * format: the sid alone, no address; it passes through unchanged.
 */

const HEADER_BYTES = 8 + 8 + 4
/** ZooKeeper refuses initial messages longer than this; anything larger is not one. */
const MAX_ADDRESS_BYTES = 4096

export class ElectionHandshakeRewriter {
  private pending: Buffer[] = []
  private pendingBytes = 0
  private finished = false

  /** `address`: what the receiver should dial back, e.g. `127.0.0.1:40123`. */
  constructor(private readonly address: string) {}

  /** True once the first message has passed; later bytes go through untouched. */
  get done(): boolean {
    return this.finished
  }

  /**
   * Takes the bytes that arrived; returns the bytes to forward now (empty while the message is
   * still incomplete). Anything that does not parse as an initial message passes through as it came.
   */
  take(chunk: Buffer): Buffer {
    if (this.finished) return chunk
    this.pending.push(chunk)
    this.pendingBytes += chunk.length
    const head = Buffer.concat(this.pending, this.pendingBytes)
    if (head.length < 8) return Buffer.alloc(0)
    const version = head.readBigInt64BE(0)
    if (version >= 0n) return this.release(head)
    if (head.length < HEADER_BYTES) return Buffer.alloc(0)
    const length = head.readInt32BE(16)
    if (length < 0 || length > MAX_ADDRESS_BYTES) return this.release(head)
    if (head.length < HEADER_BYTES + length) return Buffer.alloc(0)
    const address = Buffer.from(this.address, 'utf8')
    const rewritten = Buffer.alloc(HEADER_BYTES + address.length)
    head.copy(rewritten, 0, 0, 16)
    rewritten.writeInt32BE(address.length, 16)
    address.copy(rewritten, HEADER_BYTES)
    return this.release(Buffer.concat([rewritten, head.subarray(HEADER_BYTES + length)]))
  }

  private release(bytes: Buffer): Buffer {
    this.finished = true
    this.pending = []
    this.pendingBytes = 0
    return bytes
  }
}
