import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { buildReport } from '../../src/core/report/build-report.js'
import { BREAKDOWN_COLORS } from '../../src/core/report/html/charts.js'
import { renderHtml } from '../../src/core/report/html/render-html.js'
import { readSessionFolder } from '../../src/core/report/read-session-folder.js'
import { JournalBuilder, twoWorkers } from './helpers/checker-journal.js'
import { writeHandMadeSession } from './helpers/report-session.js'
import { stringMatching } from '../matchers.js'

const dirs: string[] = []
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })))

function html(opts: Parameters<typeof writeHandMadeSession>[0] = {}): string {
  const { dir } = writeHandMadeSession(opts)
  dirs.push(dir)
  return renderHtml(buildReport(readSessionFolder(dir), { labVersion: '0.1.0' }))
}

describe('report.html', () => {
  it('is one file that loads nothing: no external script, style, image, font or link', () => {
    const page = html({ closed: true })
    // The one link is the favicon, inlined as data: so the browser does not go looking for one.
    expect(page).not.toMatch(
      /<(script|link|img|iframe|object|embed|source|video|audio)\b[^>]*\s(src|href|data)=(?!"data:)/i,
    )
    expect(page).not.toMatch(/@import|@font-face|url\(\s*['"]?(https?:)?\/\//i)
    // The only absolute URLs are the SVG and XLink namespaces (identifiers, never fetched).
    const urls = [...page.matchAll(/https?:\/\/[^\s"'<>)]+/g)].map((m) => m[0])
    expect(new Set(urls)).toEqual(new Set(['http://www.w3.org/2000/svg', 'http://www.w3.org/1999/xlink']))
    // The charts' references stay inside the page: clip paths and the like by #id.
    expect(page).not.toMatch(/(href|src)="(?!#|data:)/i)
    expect(page).toContain(`<meta http-equiv="Content-Security-Policy" content="default-src 'none';`)
  })

  it('has every section, the charts inline, and the verdict up front', () => {
    const page = html({ closed: true })
    for (const id of ['summary', 'verdicts', 'timeline', 'failovers', 'faults', 'alerts', 'logs', 'sinks', 'tree'])
      expect(page).toContain(`<section id="${id}">`)
    // One timeline chart per task, drawn by the app's chart definition: the server and worker lanes
    // by name, the lastCommit grid, the fault numbered as in the table, and the failover's gap.
    const timeline = chartOf(page, 'chart timeline')
    for (const lane of ['zk-1', 'worker-task01-1', 'worker-task01-2', 'lastCommit', 'primary', 'standby', 'running'])
      expect(timeline).toContain(`>${lane}</text>`)
    // With the herd the failover's watch woke (worker 2 alone: two workers).
    expect(timeline).toMatch(/>failover 2012 ms · woke 1<\/text>/)
    expect(timeline).toMatch(/>1<\/text>/)
    // One breakdown bar per failover, its steps in the app's colours.
    const bar = chartOf(page, 'breakdown')
    expect(bar).toContain('data-failover="1"')
    expect(bar).toContain(`fill="${BREAKDOWN_COLORS.steps.sessionEnded}"`)
    expect(bar).toContain(`fill="${BREAKDOWN_COLORS.steps.firstCommit}"`)
    expect(page).toContain('PASSED')
    expect(page).toContain('closed cleanly')
  })

  it("shows a failover's server-side steps first, labelled as the transaction log's, and the workers' second", () => {
    const { dir } = writeHandMadeSession({ closed: true })
    dirs.push(dir)
    const report = buildReport(readSessionFolder(dir), { labVersion: '0.1.0' })
    const server = {
      source: 'txn-log' as const,
      clock: 'same-host' as const,
      steps: { sessionEnded: 2001, nodeDeleted: 2001, firstCommit: 2009 },
      sessionEnd: 'expired' as const,
      fromSession: 'a1',
      toSession: 'b2',
      toWorker: 'worker-task01-2',
      firstCommitZxid: '0x1f',
      firstCommitId: 6,
    }
    const page = renderHtml({ ...report, failovers: [{ ...report.failovers[0], server }] })
    const rows = [...page.matchAll(/<tr data-failover="1" data-source="([^"]+)"[^>]*>([\s\S]*?)<\/tr>/g)]
    expect(rows.map((r) => r[1])).toEqual(['txn-log', 'workers'])
    expect(rows[0][2]).toContain('ZooKeeper txn log (server clock)')
    // The server's first commit in bold, then after session end: 2009 − 2001.
    expect(rows[0][2]).toMatch(/<b>2009 ms<\/b><\/td><td class="num">8 ms<\/td>/)
    expect(rows[1][2]).toContain('workers (reported)')
    expect(page).toContain("the server's own times (its clock is this machine's")
  })

  it('says when a session was cut off and which lines were skipped', () => {
    const page = html({ tornJournal: true, tornSink: true })
    expect(page).toContain('This session was cut off.')
    expect(page).toMatch(/<code>events.jsonl<\/code> line \d+: truncated last line/)
    expect(page).toContain('<code>sinks/task01.log</code> line 7: truncated last line')
  })

  it('shows zombie-write without a transaction log as "not judged", with the reason, apart from PASS and FAIL', () => {
    const { dir } = writeHandMadeSession({ closed: true })
    dirs.push(dir)
    const report = buildReport(readSessionFolder(dir), { labVersion: '0.1.0' })
    expect(report.check.verdicts.find((v) => v.invariant === 'zombie-write')).toMatchObject({
      state: 'not-judged',
      ok: true,
      reason: stringMatching(/no ZooKeeper transaction log/),
    })
    const page = renderHtml(report)
    const row =
      /<tr class="not-judged" data-invariant="zombie-write" data-state="not-judged">.*?<\/tr>/.exec(page)?.[0] ?? ''
    expect(row).toContain('<span class="pill neutral" title="no ZooKeeper transaction log')
    expect(row).toContain('>not judged</span>')
    expect(row).not.toMatch(/>(PASS|FAIL)</)
    expect(page).toMatch(/<span class="pill neutral">\d+ not judged<\/span>/)
  })

  it('renders a report.json written before verdict states, by ok', () => {
    const { dir } = writeHandMadeSession({ closed: true })
    dirs.push(dir)
    const report = buildReport(readSessionFolder(dir), { labVersion: '0.1.0' })
    const old = JSON.parse(JSON.stringify(report)) as typeof report
    // Verdicts without state or reason: the type no longer admits them, report.json files still hold them.
    old.check.verdicts = old.check.verdicts
      .filter((v) => v.state !== 'not-judged')
      .map(({ state: _s, reason: _r, ...v }) => v) as typeof old.check.verdicts
    old.check.verdicts[0].ok = false
    const page = renderHtml(old)
    expect(page).not.toContain('not judged')
    expect(page).toMatch(/data-state="fail"><td><span class="pill bad">FAIL<\/span>/)
    expect(page).toMatch(/data-state="ok"><td><span class="pill ok">PASS<\/span>/)
  })

  it('escapes what the processes wrote', () => {
    const page = html()
    expect(page).not.toContain('<script>alert(1)</script>')
    expect(page).toContain('&lt;script&gt;alert(1)&lt;/script&gt;')
    expect(page.match(/<script>/g)).toHaveLength(1)
  })

  it('renders a session with no task, no fault and no failover', () => {
    const dir = mkdtempSync(join(tmpdir(), 'zklab-report-unit-'))
    dirs.push(dir)
    const j = new JournalBuilder('task01', 500)
    j.add(0, 'lab', 'session.created', { name: 'empty' })
    j.add(10, 'lab', 'session.closing')
    j.add(20, 'lab', 'session.closed')
    writeFileSync(join(dir, 'events.jsonl'), j.events.map((e) => JSON.stringify(e)).join('\n') + '\n')
    const page = renderHtml(buildReport(readSessionFolder(dir), { labVersion: '0.1.0' }))
    expect(page).toContain('No task, so no lanes.')
    expect(page).toContain('No fault hit a primary, so there was no failover to measure.')
    expect(page).not.toContain('<svg class="chart')
  })

  it('draws a task whose workers never failed over: lanes, no gap, no bar', () => {
    const dir = mkdtempSync(join(tmpdir(), 'zklab-report-unit-'))
    dirs.push(dir)
    const j = new JournalBuilder('task01', 500)
    twoWorkers(j)
    j.loop(200, 1, 1, 3)
    writeFileSync(join(dir, 'events.jsonl'), j.events.map((e) => JSON.stringify(e)).join('\n') + '\n')
    const page = renderHtml(buildReport(readSessionFolder(dir), { labVersion: '0.1.0' }))
    const timeline = chartOf(page, 'chart timeline')
    expect(timeline).toContain('>worker-task01-1</text>')
    expect(timeline).not.toContain('>failover ')
    expect(page).not.toContain('<svg class="breakdown"')
  })
})

/** The first inline <svg> of the class, whole. */
function chartOf(page: string, cls: string): string {
  const start = page.indexOf(`<svg class="${cls}"`)
  expect(start).toBeGreaterThanOrEqual(0)
  return page.slice(start, page.indexOf('</svg>', start) + '</svg>'.length)
}
