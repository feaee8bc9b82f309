/**
 * Splits a child's output into lines without ever holding more than one capped line: a program that
 * prints 300 MB without a newline costs the lab `maxLineBytes`, not 300 MB. The part of a line past
 * the cap is counted, not kept, and the line is marked with how much was cut.
 */
export class LineSplitter {
  /** The kept start of the line being read (at most maxLineBytes in all). */
  private parts: Buffer[] = []
  private kept = 0
  /** Bytes of the current line beyond the cap, dropped as they arrived. */
  private cut = 0

  constructor(
    private readonly maxLineBytes: number,
    private readonly onLine: (line: string) => void,
  ) {}

  /** Bytes held for the unfinished line; never more than maxLineBytes. */
  get buffered(): number {
    return this.kept
  }

  push(chunk: Buffer): void {
    let start = 0
    while (start < chunk.length) {
      const newline = chunk.indexOf(0x0a, start)
      const end = newline === -1 ? chunk.length : newline
      this.keep(chunk, start, end)
      if (newline === -1) return
      this.finish()
      start = newline + 1
    }
  }

  /** The stream ended: a last line without a newline is still a line. */
  end(): void {
    if (this.kept > 0 || this.cut > 0) this.finish()
  }

  private keep(chunk: Buffer, start: number, end: number): void {
    const room = this.maxLineBytes - this.kept
    const take = Math.min(room, end - start)
    if (take > 0) {
      // A copy, so the chunk itself (up to 64 KiB) is not pinned by a short tail.
      this.parts.push(Buffer.from(chunk.subarray(start, start + take)))
      this.kept += take
    }
    this.cut += end - start - take
  }

  private finish(): void {
    let bytes = this.parts.length === 1 ? this.parts[0] : Buffer.concat(this.parts, this.kept)
    // CRLF output (Windows-built programs, some Java loggers): the CR is not part of the line.
    if (this.cut === 0 && bytes.length > 0 && bytes[bytes.length - 1] === 0x0d)
      bytes = bytes.subarray(0, bytes.length - 1)
    const text = bytes.toString('utf8')
    const line = this.cut > 0 ? `${text}… [${this.cut} bytes cut]` : text
    this.parts = []
    this.kept = 0
    this.cut = 0
    this.onLine(line)
  }
}
