import { appendFileSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { Journal, readJournal } from '../../src/core/journal/journal.js'

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
    const a = journal.append({ time: 1, source: 'lab', type: 'session.created', dir: '/x' })
    const b = journal.append({ time: 2, source: 'worker-1', type: 'worker.commit', id: 7, version: 6 })
    journal.close()
    expect([a.seq, b.seq]).toEqual([1, 2])
    expect(seenOnDisk).toEqual([1, 1])
    expect(readJournal(path)).toEqual({ events: [a, b], problems: [] })
  })

  it('continues the numbering when a session journal is reopened', () => {
    const path = tempJournal()
    const first = new Journal(path)
    first.append({ time: 1, source: 'lab', type: 'x' })
    first.close()
    const second = new Journal(path)
    expect(second.append({ time: 2, source: 'lab', type: 'y' }).seq).toBe(2)
    second.close()
  })

  it('reports and skips a corrupt line and a truncated last line', () => {
    const path = tempJournal()
    const journal = new Journal(path)
    journal.append({ time: 1, source: 'lab', type: 'x' })
    journal.close()
    appendFileSync(path, 'garbage\n{"seq":3,"time":3,"source":"lab","type":"z"}\n{"seq":4,"ti')
    const { events, problems } = readJournal(path)
    expect(events.map((e) => e.seq)).toEqual([1, 3])
    expect(problems).toHaveLength(2)
    expect(problems[0]).toMatchObject({ line: 2 })
    expect(problems[1].message).toMatch(/truncated/)
  })
})
