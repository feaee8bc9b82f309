/** What the supervisor keeps of a child's output: lines cut at a cap, a rate with a burst, drops counted. */
import { describe, expect, it } from 'vitest'
import { LineSplitter } from '../../src/core/workers/line-splitter.js'
import { LogRateLimiter } from '../../src/core/workers/log-rate.js'

function split(max: number, chunks: Array<string | Buffer>, end = true): string[] {
  const lines: string[] = []
  const splitter = new LineSplitter(max, (line) => lines.push(line))
  for (const chunk of chunks) splitter.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk))
  if (end) splitter.end()
  return lines
}

describe('LineSplitter', () => {
  it('splits lines across chunks, drops the CR of CRLF, and keeps a last line without a newline', () => {
    expect(split(100, ['one\ntw', 'o\r\nthr', 'ee'])).toEqual(['one', 'two', 'three'])
    expect(split(100, ['a\n\nb\n'])).toEqual(['a', '', 'b'])
    expect(split(100, ['held'], false)).toEqual([])
  })

  it('cuts a line past the cap and says how many bytes were cut', () => {
    expect(split(8, ['0123456789abcdef\nshort\n'])).toEqual(['01234567… [8 bytes cut]', 'short'])
    expect(split(8, ['0123', '4567', '89', 'ab\n'])).toEqual(['01234567… [4 bytes cut]'])
  })

  it('never holds more than the cap while a 300 MB line without a newline goes through', () => {
    const cap = 64 * 1024
    const lines: string[] = []
    const splitter = new LineSplitter(cap, (line) => lines.push(line))
    const chunk = Buffer.alloc(64 * 1024, 0x79)
    let largest = 0
    const chunks = (300 * 1024 * 1024) / chunk.length
    for (let i = 0; i < chunks; i++) {
      splitter.push(chunk)
      largest = Math.max(largest, splitter.buffered)
    }
    expect(largest).toBe(cap)
    expect(lines).toEqual([])
    splitter.push(Buffer.from('\nnext\n'))
    expect(lines).toHaveLength(2)
    expect(lines[0]).toBe('y'.repeat(cap) + `… [${300 * 1024 * 1024 - cap} bytes cut]`)
    expect(lines[1]).toBe('next')
    expect(splitter.buffered).toBe(0)
  })
})

describe('LogRateLimiter', () => {
  it('lets a burst through, then the rate, and counts every line it drops', () => {
    const limiter = new LogRateLimiter(100, 100, 0)
    let kept = 0
    for (let i = 0; i < 250; i++) if (limiter.admit(0)) kept++
    expect(kept).toBe(100)
    expect(limiter.takeDropped()).toBe(150)
    expect(limiter.takeDropped()).toBe(0)
    // Half a second later: 50 more lines of room, not more.
    kept = 0
    for (let i = 0; i < 80; i++) if (limiter.admit(500)) kept++
    expect(kept).toBe(50)
    expect(limiter.takeDropped()).toBe(30)
  })

  it('refills up to the burst only, however long the child was quiet', () => {
    const limiter = new LogRateLimiter(10, 20, 0)
    let kept = 0
    for (let i = 0; i < 100; i++) if (limiter.admit(60_000)) kept++
    expect(kept).toBe(20)
    expect(limiter.takeDropped()).toBe(80)
  })
})
