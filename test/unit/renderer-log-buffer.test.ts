import { describe, expect, it } from 'vitest'
import type { LabEvent } from '../../src/shared/events.js'
import { FilteredLog, type LineFilter } from '../../src/renderer/src/logs/filtered-log.js'
import { exportLine, toLogLine, type LogLine } from '../../src/renderer/src/logs/log-line.js'
import { compileSearch } from '../../src/renderer/src/logs/log-search.js'
import { LogBuffers, MERGED } from '../../src/renderer/src/logs/log-store.js'
import { RingBuffer } from '../../src/renderer/src/logs/ring-buffer.js'

let seq = 0
const ev = (source: string, type: string, fields: Record<string, unknown> = {}): LabEvent =>
  ({ seq: ++seq, time: 1_700_000_000_000 + seq, source, type, ...fields }) as LabEvent
const log = (source: string, line: string, level: LabEvent['level'] = 'info') =>
  ev(source, 'log', { stream: 'stdout', line, level })

const allLevels = new Set(['debug', 'info', 'warn', 'error'] as const)
const filter = (over: Partial<LineFilter> = {}): LineFilter => ({
  levels: allLevels,
  hiddenSources: new Set(),
  matcher: { kind: 'none' },
  ...over,
})

describe('RingBuffer', () => {
  it('keeps the newest items up to its capacity, oldest first', () => {
    const ring = new RingBuffer<number>(3)
    for (let i = 1; i <= 5; i++) ring.push(i)
    expect(ring.toArray()).toEqual([3, 4, 5])
    expect(ring.length).toBe(3)
    expect(ring.pushed).toBe(5)
    expect(ring.dropped).toBe(2)
    expect(ring.at(0)).toBe(3)
    expect(ring.at(3)).toBeUndefined()
  })

  it('returns what was pushed since a count, skipping what was evicted', () => {
    const ring = new RingBuffer<number>(3)
    for (let i = 1; i <= 4; i++) ring.push(i)
    expect(ring.since(2)).toEqual([3, 4])
    ring.push(5)
    ring.push(6)
    expect(ring.since(2)).toEqual([4, 5, 6])
    expect(ring.since(6)).toEqual([])
  })

  it('clears and moves its generation', () => {
    const ring = new RingBuffer<number>(2)
    ring.push(1)
    const generation = ring.generation
    ring.clear()
    expect(ring.length).toBe(0)
    expect(ring.pushed).toBe(0)
    expect(ring.generation).not.toBe(generation)
  })

  it('rejects a capacity that is not a positive integer', () => {
    expect(() => new RingBuffer(0)).toThrow(RangeError)
  })
})

describe('toLogLine', () => {
  it('shows a plain log event as its line', () => {
    expect(toLogLine(log('zk-1', 'INFO  [main] Started'))).toMatchObject({
      text: 'INFO  [main] Started',
      level: 'info',
      source: 'zk-1',
    })
  })

  it('shows a JSON event as its type and compact fields', () => {
    const line = toLogLine(ev('worker-task01-1', 'worker.commit', { id: 42, version: 41, level: 'info' }))
    expect(line.text).toBe('worker.commit id=42 version=41')
  })

  it('quotes strings with spaces and summarises a Stat', () => {
    const line = toLogLine(
      ev('observer', 'znode.created', {
        path: '/customBackUp/tasks/t/instance/server_1_0000000001',
        data: 'a b',
        stat: { version: 0, mzxid: '0x5', numChildren: 0, ephemeralOwner: '1000a', czxid: '0x5' },
      }),
    )
    expect(line.text).toBe(
      'znode.created path=/customBackUp/tasks/t/instance/server_1_0000000001 data="a b" stat={version:0 mzxid:0x5 numChildren:0 ephemeralOwner:1000a}',
    )
  })

  it('treats stderr without a level as a warning', () => {
    expect(toLogLine(ev('worker-x', 'log', { stream: 'stderr', line: 'oops' })).level).toBe('warn')
  })

  it('exports with ISO time, level and, in the merged view, the source', () => {
    const line = toLogLine(log('monitor', 'hello'))
    expect(exportLine(line, true, true)).toMatch(/^\d{4}-\d\d-\d\dT[\d:.]+Z INFO {2}\[monitor\] hello$/)
    expect(exportLine(line, false, false)).toBe('INFO  hello')
  })
})

describe('compileSearch', () => {
  it('matches plain text case-insensitively and literally', () => {
    const m = compileSearch({ query: 'a.b', regex: false })
    if (m.kind !== 'ok') throw new Error(m.kind)
    expect(m.test('xA.By')).toBe(true)
    expect(m.test('axb')).toBe(false)
    expect(m.ranges('a.b and A.B')).toEqual([
      [0, 3],
      [8, 11],
    ])
  })

  it('matches regular expressions and honours case sensitivity', () => {
    const m = compileSearch({ query: 'commit id=\\d+', regex: true, caseSensitive: true })
    if (m.kind !== 'ok') throw new Error(m.kind)
    expect(m.test('worker.commit id=12 version=11')).toBe(true)
    expect(m.test('worker.COMMIT id=12')).toBe(false)
    expect(m.ranges('worker.commit id=12')).toEqual([[7, 19]])
  })

  it('reports an invalid regular expression instead of throwing', () => {
    const m = compileSearch({ query: '(unclosed', regex: true })
    expect(m.kind).toBe('invalid')
    if (m.kind === 'invalid') expect(m.error).toMatch(/unterminated group|Unterminated/i)
  })

  it('never loops on empty matches', () => {
    const m = compileSearch({ query: 'x*', regex: true })
    if (m.kind !== 'ok') throw new Error(m.kind)
    expect(m.ranges('abxxc')).toEqual([[2, 4]])
  })

  it('is empty for an empty query', () => {
    expect(compileSearch({ query: '', regex: true }).kind).toBe('none')
  })
})

describe('FilteredLog', () => {
  const ringOf = (lines: LogLine[], capacity = 100) => {
    const ring = new RingBuffer<LogLine>(capacity)
    lines.forEach((l) => ring.push(l))
    return ring
  }

  it('filters by level, hidden source and search', () => {
    const ring = ringOf([
      toLogLine(log('a', 'one')),
      toLogLine(log('b', 'two', 'warn')),
      toLogLine(log('a', 'three', 'error')),
    ])
    expect(new FilteredLog(ring, filter({ levels: new Set(['warn', 'error']) })).refresh().map((l) => l.text)).toEqual([
      'two',
      'three',
    ])
    expect(new FilteredLog(ring, filter({ hiddenSources: new Set(['a']) })).refresh().map((l) => l.text)).toEqual([
      'two',
    ])
    expect(
      new FilteredLog(ring, filter({ matcher: compileSearch({ query: 't', regex: false }) }))
        .refresh()
        .map((l) => l.text),
    ).toEqual(['two', 'three'])
  })

  it('shows everything while the regex is invalid', () => {
    const ring = ringOf([toLogLine(log('a', 'one')), toLogLine(log('a', 'two'))])
    expect(
      new FilteredLog(ring, filter({ matcher: compileSearch({ query: '[', regex: true }) })).refresh(),
    ).toHaveLength(2)
  })

  it('extends incrementally, keeps its array when nothing changed, and drops evicted lines', () => {
    const ring = ringOf([], 3)
    const view = new FilteredLog(ring, filter({ matcher: compileSearch({ query: 'keep', regex: false }) }))
    ring.push(toLogLine(log('a', 'keep 1')))
    ring.push(toLogLine(log('a', 'skip')))
    const first = view.refresh()
    expect(first.map((l) => l.text)).toEqual(['keep 1'])
    expect(view.refresh()).toBe(first)
    ring.push(toLogLine(log('a', 'keep 2')))
    ring.push(toLogLine(log('a', 'keep 3'))) // evicts "keep 1"
    expect(view.refresh().map((l) => l.text)).toEqual(['keep 2', 'keep 3'])
  })

  it('starts over after the ring is cleared', () => {
    const ring = ringOf([toLogLine(log('a', 'old'))])
    const view = new FilteredLog(ring, filter())
    expect(view.refresh()).toHaveLength(1)
    ring.clear()
    ring.push(toLogLine(log('a', 'new')))
    expect(view.refresh().map((l) => l.text)).toEqual(['new'])
  })
})

describe('LogBuffers', () => {
  it('keeps a merged ring and one per source, bounded, and names new sources once', () => {
    const buffers = new LogBuffers(4, 2)
    expect(buffers.append([log('a', '1'), log('b', '2')])).toEqual(['a', 'b'])
    expect(buffers.append([log('a', '3'), log('a', '4'), log('a', '5')])).toEqual([])
    expect(
      buffers
        .ring(MERGED)!
        .toArray()
        .map((l) => l.text),
    ).toEqual(['2', '3', '4', '5'])
    expect(
      buffers
        .ring('a')!
        .toArray()
        .map((l) => l.text),
    ).toEqual(['4', '5'])
    expect(
      buffers
        .ring('b')!
        .toArray()
        .map((l) => l.text),
    ).toEqual(['2'])
    buffers.clear('a')
    expect(buffers.ring('a')!.length).toBe(0)
    expect(buffers.ring(MERGED)!.length).toBe(4)
  })
})
