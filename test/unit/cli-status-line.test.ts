import { describe, expect, it } from 'vitest'
import { describeStep, formatStatusLine, StatusLine } from '../../src/cli/status-line.js'
import type { LabEvent } from '../../src/shared/events.js'

describe('zklab run status line (a terminal only)', () => {
  it('shows elapsed time, the step and the failovers so far', () => {
    expect(formatStatusLine({ elapsedMs: 12_345, failovers: 0 })).toBe('… 12.3s  ·  starting  ·  0 failovers')
    expect(formatStatusLine({ elapsedMs: 61_000, step: 'steps[2] kill primary', failovers: 1 })).toBe(
      '… 61.0s  ·  steps[2] kill primary  ·  1 failover',
    )
  })

  it('is cut to the terminal width so it never wraps', () => {
    const line = formatStatusLine({ elapsedMs: 1000, step: `steps[0] sleep ${'9'.repeat(200)}`, failovers: 3 }, 40)
    expect(line).toHaveLength(39)
    expect(line.endsWith('…')).toBe(true)
  })

  it('describes a step by its kind and target', () => {
    expect(describeStep('steps[1]', { kill: 'primary', task: 'task01' })).toBe('steps[1] kill primary')
    expect(describeStep('steps[3]', { expect: ['single-primary', 'sink-integrity'] })).toBe(
      'steps[3] expect single-primary,sink-integrity',
    )
    expect(describeStep('steps[4]', { partition: { from: 'primary' } })).toBe('steps[4] partition')
  })

  it('clears itself before each progress line and at the end, counting failovers from events', () => {
    let written = ''
    const out = { columns: 80, write: (text: string) => ((written += text), true) } as unknown as NodeJS.WriteStream
    const status = new StatusLine(out)
    const printed: string[] = []
    const print = status.around((line) => printed.push(`[${written.length}]${line}`))
    status.onEvent({
      type: 'scenario.step',
      seq: 1,
      time: 0,
      source: 'lab',
      path: 'steps[0]',
      step: { kill: 'primary' },
    } as unknown as LabEvent)
    status.onEvent({
      type: 'failover',
      seq: 2,
      time: 0,
      source: 'lab',
      task: 't',
      fault: 'kill',
      from: 'a',
      faultTime: 0,
    } as unknown as LabEvent)
    print('  1.0s  failover t: a -> b')
    status.stop()
    expect(written).toMatch(/steps\[0\] kill primary {2}· {2}1 failover/)
    // The line was cleared (carriage return, erase line) just before the progress line went out, and at the end.
    const at = Number(/^\[(\d+)\]/.exec(printed[0])![1])
    expect(written.slice(0, at).endsWith('\r\x1b[K')).toBe(true)
    expect(written.endsWith('\r\x1b[K')).toBe(true)
  })
})
