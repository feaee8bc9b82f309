import { appendFileSync, mkdtempSync, readFileSync, rmSync, statSync, writeSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { Journal, readJournal, type JournalFailure } from '../../src/core/journal/journal.js'

describe('journal', () => {
  const dirs: string[] = []
  const tempJournal = () => {
    const dir = mkdtempSync(join(tmpdir(), 'zklab-journal-'))
    dirs.push(dir)
    return join(dir, 'events.jsonl')
  }
  afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })))

  it('numbers events, writes them before listeners hear of them, and reads them back unchanged', () => {
    const path = tempJournal()
    const journal = new Journal(path)
    const seenOnDisk: number[] = []
    journal.subscribe((e) => seenOnDisk.push(readJournal(path).events.filter((x) => x.seq === e.seq).length))
    const a = journal.append({ time: 1, source: 'lab', type: 'session.created', dir: '/x', name: 'x' })
    const b = journal.append({ time: 2, source: 'worker-1', type: 'worker.commit', id: 7, version: 6 })
    journal.close()
    expect([a.seq, b.seq]).toEqual([1, 2])
    expect(seenOnDisk).toEqual([1, 1])
    expect(readJournal(path)).toEqual({ events: [a, b], problems: [] })
  })

  it('never continues an existing journal: opening one that exists fails', () => {
    const path = tempJournal()
    const first = new Journal(path)
    first.append({ time: 1, source: 'lab', type: 'session.closing' })
    first.close()
    expect(() => new Journal(path)).toThrow(/EEXIST/)
    expect(readJournal(path).events.map((e) => e.seq)).toEqual([1])
  })

  it('creates the journal readable by its owner only', () => {
    const path = tempJournal()
    new Journal(path).close()
    expect(statSync(path).mode & 0o777).toBe(0o600)
  })

  it('writes every byte of a line when the disk takes it a few bytes at a time', () => {
    const path = tempJournal()
    const calls: number[] = []
    const journal = new Journal(path, {
      write: (fd, buffer, offset, length) => {
        calls.push(length)
        return writeSync(fd, buffer, offset, Math.min(length, 7))
      },
    })
    const long = 'x'.repeat(100)
    const events = [1, 2, 3].map((time) =>
      journal.append({ time, source: 'lab', type: 'log', stream: 'stdout', line: long }),
    )
    journal.close()
    expect(calls.length).toBeGreaterThan(3 * 15)
    expect(readJournal(path)).toEqual({ events, problems: [] })
  })

  it('on a failed write: cuts the torn line, records nothing more, says why once, and never throws', () => {
    const path = tempJournal()
    let budget = Infinity
    const failures: JournalFailure[] = []
    const journal = new Journal(path, {
      // A disk with `budget` bytes left: a short write, then ENOSPC.
      write: (fd, buffer, offset, length) => {
        if (budget <= 0) throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' })
        const n = writeSync(fd, buffer, offset, Math.min(length, budget))
        budget -= n
        return n
      },
      onFailure: (f) => failures.push(f),
    })
    const heard: string[] = []
    journal.subscribe((e) => heard.push(`${e.seq}:${'task' in e ? e.task : e.type}`))
    journal.append({ time: 1, source: 'lab', type: 'task.published', task: 'first' })
    journal.append({ time: 2, source: 'lab', type: 'task.published', task: 'second' })
    const whole = readFileSync(path, 'utf8')
    budget = 10
    expect(() =>
      journal.append({ time: 3, source: 'lab', type: 'log', stream: 'stdout', line: 'y'.repeat(50) }),
    ).not.toThrow()
    expect(journal.append({ time: 4, source: 'lab', type: 'task.published', task: 'after' }).seq).toBe(4)
    expect(() => journal.fail('again')).not.toThrow()
    journal.close()

    // The file ends with the last whole line; the failed event and later ones are not in it.
    expect(readFileSync(path, 'utf8')).toBe(whole)
    expect(readJournal(path)).toMatchObject({ problems: [], events: [{ seq: 1 }, { seq: 2 }] })
    expect(failures).toHaveLength(1)
    expect(failures[0]).toMatchObject({ code: 'ENOSPC', lastRecordedSeq: 2 })
    expect(failures[0].reason).toContain(path)
    expect(failures[0].reason).toContain('no space left')
    expect(journal.failure).toEqual(failures[0])
    // Listeners still hear every event, in order, in memory.
    expect(heard).toEqual(['1:first', '2:second', '3:log', '4:after'])
  })

  it('tells the failure after the event that failed went round, so what the lab says next follows it', () => {
    const path = tempJournal()
    const order: string[] = []
    const journal: Journal = new Journal(path, {
      write: () => {
        throw Object.assign(new Error('EIO: i/o error, write'), { code: 'EIO' })
      },
      onFailure: (f) => {
        order.push(`failure after ${f.lastRecordedSeq}`)
        journal.append({ time: 2, source: 'lab', type: 'recording.failed', reason: 'x', dir: '/x', lastRecordedSeq: 1 })
      },
    })
    journal.subscribe((e) => order.push(`${e.seq}:${e.type}`))
    journal.append({ time: 1, source: 'lab', type: 'session.closing' })
    journal.close()
    expect(order).toEqual(['1:session.closing', 'failure after 0', '2:recording.failed'])
    expect(readFileSync(path, 'utf8')).toBe('')
  })

  it('a write that takes no bytes is a failure, not an endless loop', () => {
    const path = tempJournal()
    const journal = new Journal(path, { write: () => 0 })
    journal.append({ time: 1, source: 'lab', type: 'session.closing' })
    expect(journal.failure?.reason).toMatch(/could not be written/)
    journal.close()
  })

  it('a handler that throws on failure does not make append throw', () => {
    const path = tempJournal()
    const journal = new Journal(path, {
      write: () => {
        throw Object.assign(new Error('EBADF: bad file descriptor, write'), { code: 'EBADF' })
      },
      onFailure: () => {
        throw new Error('broken handler')
      },
    })
    expect(() => journal.append({ time: 1, source: 'lab', type: 'session.closing' })).not.toThrow()
    expect(journal.failure?.code).toBe('EBADF')
    journal.close()
  })

  it('reports and skips a corrupt line and a truncated last line', () => {
    const path = tempJournal()
    const journal = new Journal(path)
    journal.append({ time: 1, source: 'lab', type: 'session.closing' })
    journal.close()
    appendFileSync(path, 'garbage\n{"seq":3,"time":3,"source":"lab","type":"z"}\n{"seq":4,"ti')
    const { events, problems } = readJournal(path)
    expect(events.map((e) => e.seq)).toEqual([1, 3])
    expect(problems).toHaveLength(2)
    expect(problems[0]).toMatchObject({ line: 2 })
    expect(problems[1].message).toMatch(/truncated/)
  })
})
