/**
 * Reads Jute, ZooKeeper's binary serialization (big-endian ints and longs, length-prefixed strings,
 * buffers and vectors, -1 for null). Just enough of it for transaction log records.
 */
export class JuteReader {
  private offset: number

  constructor(
    private readonly buf: Buffer,
    start = 0,
    private readonly end = buf.length,
  ) {
    this.offset = start
  }

  get position(): number {
    return this.offset
  }

  get remaining(): number {
    return this.end - this.offset
  }

  int(): number {
    this.need(4)
    const v = this.buf.readInt32BE(this.offset)
    this.offset += 4
    return v
  }

  long(): bigint {
    this.need(8)
    const v = this.buf.readBigInt64BE(this.offset)
    this.offset += 8
    return v
  }

  bool(): boolean {
    this.need(1)
    return this.buf[this.offset++] !== 0
  }

  byte(): number {
    this.need(1)
    return this.buf[this.offset++]
  }

  buffer(): Buffer | null {
    const length = this.int()
    if (length < 0) return null
    this.need(length)
    const out = this.buf.subarray(this.offset, this.offset + length)
    this.offset += length
    return out
  }

  ustring(): string | null {
    const bytes = this.buffer()
    return bytes === null ? null : bytes.toString('utf8')
  }

  vector<T>(item: (r: JuteReader) => T): T[] | null {
    const count = this.int()
    if (count < 0) return null
    // A count larger than the bytes left is garbage, not a reason to allocate a huge array.
    if (count > this.remaining) throw new JuteError(`vector of ${count} items with ${this.remaining} bytes left`)
    const out: T[] = []
    for (let i = 0; i < count; i++) out.push(item(this))
    return out
  }

  private need(n: number): void {
    if (this.offset + n > this.end)
      throw new JuteError(`needs ${n} byte(s) at ${this.offset}, only ${this.end - this.offset} left`)
  }
}

export class JuteError extends Error {
  override readonly name = 'JuteError'
}
