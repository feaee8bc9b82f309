import { describe, expect, it } from 'vitest'
import { parseChildLine } from '../../src/core/workers/child-line.js'

const NOW = 1_700_000_000_000

describe('a child stdout line', () => {
  it('becomes a typed event when it is a valid event of a child type, keeping the child clock and extra fields', () => {
    const line = JSON.stringify({
      level: 'info',
      time: 123,
      type: 'worker.commit',
      id: 7,
      version: 6,
      fastForward: true,
      extra: 'kept',
      seq: 99,
      source: 'forged',
    })
    const event = parseChildLine('worker-t1-1', 'stdout', line, true, NOW)
    expect(event).toEqual({
      time: 123,
      source: 'worker-t1-1',
      type: 'worker.commit',
      level: 'info',
      id: 7,
      version: 6,
      fastForward: true,
      extra: 'kept',
    })
    if (event.type !== 'worker.commit') throw new Error('not a commit')
    // The compiler knows what it carries.
    expect(event.id + 1).toBe(8)
  })

  it('keeps a JSON line with a known type but the wrong fields whole, as a log line', () => {
    const line = JSON.stringify({ level: 'info', time: 123, type: 'worker.commit', id: 'seven' })
    expect(parseChildLine('worker-t1-1', 'stdout', line, true, NOW)).toEqual({
      time: NOW,
      source: 'worker-t1-1',
      type: 'log',
      level: 'info',
      stream: 'stdout',
      line,
    })
  })

  it('keeps a JSON line of a type the lab does not know whole, as a log line', () => {
    const line = JSON.stringify({ level: 'warn', time: 123, type: 'worker.unheard-of' })
    expect(parseChildLine('worker-t1-1', 'stdout', line, true, NOW)).toMatchObject({
      type: 'log',
      stream: 'stdout',
      line,
      time: NOW,
    })
  })

  it('keeps plain text, broken JSON and JSON from programs without events as log lines', () => {
    expect(parseChildLine('zk-1', 'stdout', 'ERROR something', true, NOW)).toMatchObject({
      type: 'log',
      level: 'error',
      line: 'ERROR something',
    })
    expect(parseChildLine('w', 'stdout', '{"type":"worker.commit",', true, NOW)).toMatchObject({
      type: 'log',
      line: '{"type":"worker.commit",',
    })
    const commit = JSON.stringify({ type: 'worker.commit', id: 1, version: 0 })
    expect(parseChildLine('ext', 'stdout', commit, false, NOW)).toMatchObject({ type: 'log', line: commit })
    expect(parseChildLine('w', 'stderr', 'oops', true, NOW)).toMatchObject({
      type: 'log',
      level: 'warn',
      stream: 'stderr',
    })
  })

  it('takes pino numeric levels and falls back to now for a missing clock', () => {
    const line = JSON.stringify({ level: 50, type: 'worker.error', message: 'boom' })
    expect(parseChildLine('w', 'stdout', line, true, NOW)).toEqual({
      time: NOW,
      source: 'w',
      type: 'worker.error',
      level: 'error',
      message: 'boom',
    })
  })
})
