import { rmSync } from 'node:fs'
import { afterAll, describe, expect, it } from 'vitest'
import { buildReport } from '../../src/core/report/build-report.js'
import { renderHtml } from '../../src/core/report/html/render-html.js'
import { readSessionFolder } from '../../src/core/report/read-session-folder.js'
import { writeHandMadeSession } from './helpers/report-session.js'

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
    expect(page).not.toMatch(/<(script|link|img|iframe|object|embed|source|video|audio)\b[^>]*\s(src|href|data)=(?!"data:)/i)
    expect(page).not.toMatch(/@import|@font-face|url\(\s*['"]?(https?:)?\/\//i)
    // The only absolute URLs are SVG's namespace (an identifier, never fetched).
    const urls = [...page.matchAll(/https?:\/\/[^\s"'<>)]+/g)].map((m) => m[0])
    expect(new Set(urls)).toEqual(new Set(['http://www.w3.org/2000/svg']))
    expect(page).toContain(`<meta http-equiv="Content-Security-Policy" content="default-src 'none';`)
  })

  it('has every section, the charts inline, and the verdict up front', () => {
    const page = html({ closed: true })
    for (const id of ['summary', 'verdicts', 'timeline', 'failovers', 'faults', 'alerts', 'logs', 'sinks', 'tree']) expect(page).toContain(`<section id="${id}">`)
    expect(page).toContain('<svg class="chart timeline" data-task="task01"')
    expect(page.match(/<g class="lane worker-lane" data-worker="worker-task01-\d"/g)).toHaveLength(2)
    expect(page).toContain('<svg class="chart commits" data-task="task01"')
    expect(page).toContain('<svg class="breakdown"')
    expect(page).toContain('PASSED')
    expect(page).toContain('closed cleanly')
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
    expect(report.check.verdicts.find((v) => v.invariant === 'zombie-write')).toMatchObject({ state: 'not-judged', ok: true, reason: expect.stringMatching(/no ZooKeeper transaction log/) })
    const page = renderHtml(report)
    const row = /<tr class="not-judged" data-invariant="zombie-write" data-state="not-judged">.*?<\/tr>/.exec(page)?.[0] ?? ''
    expect(row).toContain('<span class="pill neutral" title="no ZooKeeper transaction log')
    expect(row).toContain('>not judged</span>')
    expect(row).not.toMatch(/>(PASS|FAIL)</)
    expect(page).toMatch(/<span class="pill neutral">\d+ not judged<\/span>/)
  })

  it('renders a report.json written before verdict states, by ok', () => {
    const { dir } = writeHandMadeSession({ closed: true })
    dirs.push(dir)
    const report = buildReport(readSessionFolder(dir), { labVersion: '0.1.0' })
    const old = JSON.parse(JSON.stringify(report))
    old.check.verdicts = old.check.verdicts.filter((v: { state: string }) => v.state !== 'not-judged').map(({ state: _s, reason: _r, ...v }: Record<string, unknown>) => v)
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
})
