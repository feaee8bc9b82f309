import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { recipeSinkRecord } from '../../src/worker/strategies/recipe-rules.js'
import { readSinkTailOfFile } from '../../src/worker/strategies/sink-tail.js'

describe("recipe: a takeover reads only the sink's last records", () => {
  const dir = mkdtempSync(join(tmpdir(), 'zklab-sink-tail-'))
  afterAll(() => rmSync(dir, { recursive: true, force: true }))
  const sink = (name: string, text: string) => {
    const path = join(dir, name)
    writeFileSync(path, text)
    return path
  }
  const records = (from: number, to: number) =>
    Array.from({ length: to - from + 1 }, (_, i) =>
      recipeSinkRecord(from + i, 1, 'abc', { version: from + i }, 1000),
    ).join('')

  it('a missing or empty sink has recorded nothing and ends cleanly', () => {
    expect(readSinkTailOfFile(join(dir, 'absent.log'))).toEqual({ lastId: 0, endsClean: true })
    expect(readSinkTailOfFile(sink('empty.log', ''))).toEqual({ lastId: 0, endsClean: true })
  })

  it('finds the highest id in a sink many times larger than the chunk it reads, starting at a whole line', () => {
    const path = sink('long.log', records(1, 2000))
    expect(readSinkTailOfFile(path, 100)).toEqual({ lastId: 2000, endsClean: true })
  })

  it('reads further back past a torn last line longer than the chunk', () => {
    const torn = '{"id":2001,"worker":1,"pad":"' + 'x'.repeat(500)
    expect(readSinkTailOfFile(sink('torn.log', records(1, 50) + torn), 64)).toEqual({ lastId: 50, endsClean: false })
  })

  it('agrees with a whole-file read on a short sink', () => {
    expect(readSinkTailOfFile(sink('short.log', records(1, 3)))).toEqual({ lastId: 3, endsClean: true })
  })
})
