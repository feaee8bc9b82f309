import { readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { buildReport } from '../../src/core/report/build-report.js'
import { renderHtml } from '../../src/core/report/html/render-html.js'
import { readSessionFolder } from '../../src/core/report/read-session-folder.js'
import { reportValidator } from './helpers/report-schema.js'
import { T0, writeHandMadeSession } from './helpers/report-session.js'

const dirs: string[] = []
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })))

const cuts = [
  { from: 'zk-3', to: 'zk-1' },
  { from: 'zk-1', to: 'zk-3' },
  { from: 'zk-3', to: 'zk-2' },
  { from: 'zk-2', to: 'zk-3' },
]

/** The hand-made session with an ensemble beside it: zk-3 leads, is isolated, zk-2 takes over, the links heal. */
function ensembleSession(): string {
  const { dir } = writeHandMadeSession({ closed: true })
  dirs.push(dir)
  const journal = join(dir, 'events.jsonl')
  const events = readFileSync(journal, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { seq: number; time: number; type: string })
  const zk = (time: number, type: string, id: number, fields: Record<string, unknown> = {}) => ({
    time,
    source: 'lab',
    type,
    server: id,
    name: `zk-${id}`,
    ...fields,
  })
  const added = [
    ...[2, 3].map((id) => zk(T0 + 10, 'zk.starting', id, { port: 2181 + id })),
    zk(T0 + 20, 'zk.ready', 3, { port: 2184, mode: 'leader', version: '3.8.0', startMs: 10 }),
    zk(T0 + 30, 'zk.ready', 2, { port: 2183, mode: 'follower', version: '3.8.0', startMs: 20 }),
    { time: T0 + 1000, source: 'lab', type: 'zk.links', shape: 'isolate', description: 'zk-3 (leader) cut off', cuts },
    zk(T0 + 1100, 'zk.mode', 3, { mode: 'not-serving', previous: 'leader' }),
    zk(T0 + 1200, 'zk.mode', 2, { mode: 'not-serving', previous: 'follower' }),
    zk(T0 + 1300, 'zk.mode', 1, { mode: 'not-serving', previous: 'standalone' }),
    zk(T0 + 2000, 'zk.mode', 2, { mode: 'leader', previous: 'not-serving', epoch: 2 }),
    zk(T0 + 2100, 'zk.mode', 1, { mode: 'follower', previous: 'not-serving', epoch: 2 }),
    { time: T0 + 3000, source: 'lab', type: 'zk.links', shape: 'heal', description: 'every link healed', cuts: [] },
  ]
  const merged = [...events, ...added].sort((a, b) => a.time - b.time).map((e, i) => ({ ...e, seq: i + 1 }))
  writeFileSync(journal, merged.map((e) => JSON.stringify(e)).join('\n') + '\n')
  return dir
}

describe('report: the ZooKeeper ensemble', () => {
  it('lists link cuts, leaders and quorum changes in report.json, valid against its schema, and in the page', () => {
    const report = buildReport(readSessionFolder(ensembleSession()), { labVersion: '0.1.0' })
    expect(report.timeline.ensemble.links).toEqual([
      { start: T0 + 1000, end: T0 + 3000, description: 'zk-3 (leader) cut off', cuts },
    ])
    expect(report.timeline.ensemble.marks.map((m) => [m.time - T0, m.kind, m.label, m.epoch])).toEqual([
      [20, 'leader', 'leader zk-3', null],
      [1200, 'quorum-lost', 'quorum lost (1/3 serving)', null],
      [2000, 'leader', 'leader zk-2 (epoch 2)', 2],
      [2100, 'quorum-regained', 'quorum regained (2/3 serving)', null],
    ])
    expect(reportValidator()(report)).toMatchObject({ ok: true })
    const page = renderHtml(report)
    expect(page).toContain('<section id="zookeeper"><h2>ZooKeeper ensemble (5)</h2>')
    expect(page).toContain('zk-3 ✕ zk-1 (both ways), zk-3 ✕ zk-2 (both ways)')
    expect(page).toContain('quorum regained (2/3 serving)')
  })

  it('leaves the section out when the ensemble did nothing worth a row', () => {
    const { dir } = writeHandMadeSession({ closed: true })
    dirs.push(dir)
    const report = buildReport(readSessionFolder(dir), { labVersion: '0.1.0' })
    expect(report.timeline.ensemble.links).toEqual([])
    expect(renderHtml(report)).not.toContain('id="zookeeper"')
  })
})
