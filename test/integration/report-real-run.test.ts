/**
 * `zklab report` on real sessions: one the lab closed (the seed under a paused primary, which
 * breaks every invariant), and one whose lab was SIGKILLed after its first commits. Real ZooKeeper,
 * real workers, the real CLI, and the system's Chromium for the PDF.
 */
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { checkSessionDir } from '../../src/core/checker/check-session.js'
import { readJournal } from '../../src/core/journal/journal.js'
import type { SessionReport } from '../../src/core/report/types.js'
import { reportValidator } from '../unit/helpers/report-schema.js'
import { waitFor } from './helpers/wait.js'
import { ROOT, ZKLAB, zklab } from './helpers/zklab-cli.js'
import { stringMatching } from '../matchers.js'

const SCREENSHOTS = join(ROOT, 'test-results', 'screenshots')
const validate = reportValidator()

/** Processes whose command line names the folder: ZooKeeper and every worker carry the session path. */
function pgrep(folder: string): string[] {
  const found = spawnSync('pgrep', ['-a', '-f', folder], { encoding: 'utf8' })
  return found.stdout.split('\n').filter((l) => l.trim() !== '' && !l.includes('pgrep'))
}

function pdfPages(file: string): number {
  if (hasCommand('pdfinfo')) {
    const info = execFileSync('pdfinfo', [file], { encoding: 'utf8' })
    return Number(/^Pages:\s+(\d+)/m.exec(info)?.[1] ?? 0)
  }
  // Without poppler: count the page objects (Chromium writes them uncompressed).
  return (readFileSync(file, 'latin1').match(/\/Type\s*\/Page[^s]/g) ?? []).length
}

function hasCommand(name: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${name}`]).status === 0
}

function comparable(
  verdicts: {
    invariant: string
    task: string
    ok: boolean
    summary: string
    violations: { kind: string; message: string; time: number }[]
  }[],
) {
  return verdicts.map((v) => ({
    invariant: v.invariant,
    task: v.task,
    ok: v.ok,
    summary: v.summary,
    violations: v.violations.map((x) => [x.kind, x.message, x.time]),
  }))
}

describe('zklab report on real sessions', () => {
  let dir: string
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'zklab-report-'))
    mkdirSync(SCREENSHOTS, { recursive: true })
  })
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  it('exports a finished seed session as JSON, HTML and PDF that agree with the checker', async () => {
    const session = join(dir, 'pause-seed')
    const run = await zklab(['run', 'pause-primary', '--strategy', 'seed', '--out', session])
    // The seed breaks the invariants under a pause: the run fails, the session is whole.
    expect([0, 1], run.stderr).toContain(run.code)

    const exported = await zklab(['report', session, '--format', 'html,json,pdf'])
    expect(exported.stderr).toBe('')
    expect(exported.code).toBe(0)
    expect(exported.stdout).toMatch(/pause-primary: FAILED \(\d verdict\(s\) broken\), 1 failover\(s\), closed cleanly/)

    const report = JSON.parse(readFileSync(join(session, 'report.json'), 'utf8')) as SessionReport
    expect(validate(report).errors).toBe('')
    expect(comparable(report.check.verdicts)).toEqual(comparable(checkSessionDir(session).verdicts))
    expect(report.check.ok).toBe(false)
    expect(report.summary).toMatchObject({
      name: 'pause-primary',
      scenario: 'pause-primary',
      strategies: ['seed'],
      workerCount: 3,
      zookeeper: { mode: 'standalone' },
    })
    expect(report.summary.zookeeper.version).toMatch(/^3\./)
    expect(report.integrity).toMatchObject({
      closedCleanly: true,
      ending: 'closed',
      journalProblems: [],
      sinkProblems: [],
    })
    expect(report.failovers).toHaveLength(1)
    expect(report.failovers[0]).toMatchObject({ fault: 'pause', to: stringMatching(/^worker-task01-\d$/) })
    expect(report.faultLogs[0].recovery?.kind).toBe('resume')
    expect(report.faultLogs[0].processes.map((p) => p.process)).toEqual(
      expect.arrayContaining(['lab', 'zk-1', 'observer', 'monitor']),
    )
    expect(report.tree.nodes.some((n) => n.ephemeral && n.owner?.startsWith('worker-task01-'))).toBe(true)

    const html = readFileSync(join(session, 'report.html'), 'utf8')
    expect(html).toContain('<svg class="chart timeline"')
    // The only absolute URLs are the SVG and XLink namespaces (identifiers, never fetched), and the one script is inline.
    expect(
      [...html.matchAll(/https?:\/\/[^\s"'<>)]+/g)].every(
        (m) => m[0] === 'http://www.w3.org/2000/svg' || m[0] === 'http://www.w3.org/1999/xlink',
      ),
    ).toBe(true)
    expect(html).not.toMatch(/<script\b[^>]*\ssrc=/i)
    // The chart drew the three workers' lanes, and one breakdown bar per failover and source: the
    // server's, from the transaction log of the ZooKeeper the lab ran, and the workers'.
    const timeline = html.slice(
      html.indexOf('<svg class="chart timeline"'),
      html.indexOf('</svg>', html.indexOf('<svg class="chart timeline"')),
    )
    for (const n of [1, 2, 3]) expect(timeline).toContain(`>worker-task01-${n}</text>`)
    expect(report.failovers.filter((f) => f.server)).toHaveLength(report.failovers.length)
    expect(html.match(/<svg class="breakdown"/g)).toHaveLength(2 * report.failovers.length)
    expect(html.match(/<tr data-failover="\d+" data-source="txn-log"/g)).toHaveLength(report.failovers.length)

    const pdf = join(session, 'report.pdf')
    expect(readFileSync(pdf).subarray(0, 5).toString()).toBe('%PDF-')
    expect(pdfPages(pdf)).toBeGreaterThanOrEqual(1)
    if (hasCommand('pdftoppm')) {
      // Page 1 as an image, to look at: test-results/screenshots/report-pdf-page1.png
      execFileSync('pdftoppm', [
        '-png',
        '-r',
        '80',
        '-f',
        '1',
        '-l',
        '1',
        '-singlefile',
        pdf,
        join(SCREENSHOTS, 'report-pdf-page1'),
      ])
      expect(existsSync(join(SCREENSHOTS, 'report-pdf-page1.png'))).toBe(true)
    }
  }, 400_000)

  it('exports a session whose lab was SIGKILLed mid-run, up to its last event, and leaves nothing running', async () => {
    const session = join(dir, 'killed-lab')
    const lab: ChildProcess = spawn(process.execPath, [ZKLAB, 'run', 'kill-primary', '--out', session], {
      cwd: ROOT,
      stdio: 'ignore',
    })
    const exited = new Promise<void>((resolve) => lab.once('exit', () => resolve()))
    try {
      const journal = join(session, 'events.jsonl')
      await waitFor(
        () => existsSync(journal) && readJournal(journal).events.filter((e) => e.type === 'worker.commit').length >= 3,
        180_000,
        200,
      )
    } finally {
      lab.kill('SIGKILL')
      await exited
    }
    // The kernel's parent-death signal takes ZooKeeper and every worker down with the lab.
    await waitFor(() => pgrep(session).length === 0, 30_000, 200).catch(() => {
      throw new Error(`left running after the lab was killed:\n${pgrep(session).join('\n')}`)
    })

    // A write torn by the kill, in the journal and in the sink.
    appendFileSync(join(session, 'events.jsonl'), '{"time":1,"source":"worker-task01-1","type":"worker.com')
    appendFileSync(join(session, 'sinks', 'task01.log'), '{"id":99,"wor')
    const { events } = readJournal(join(session, 'events.jsonl'))

    const exported = await zklab(['report', session, '--format', 'json,html'])
    expect(exported.stderr).toBe('')
    expect(exported.code).toBe(0)
    expect(exported.stdout).toMatch(/cut off at seq \d+ \(no session.closed\)/)
    expect(exported.stdout).toMatch(/events.jsonl line \d+: truncated last line/)

    const report = JSON.parse(readFileSync(join(session, 'report.json'), 'utf8')) as SessionReport
    expect(validate(report).errors).toBe('')
    expect(report.integrity).toMatchObject({
      closedCleanly: false,
      events: events.length,
      lastEvent: { seq: Math.max(...events.map((e) => e.seq)) },
    })
    expect(report.integrity.ending).toMatch(/^cut-off/)
    expect(report.integrity.journalProblems).toContainEqual(expect.objectContaining({ kind: 'truncated' }))
    expect(report.integrity.sinkProblems).toContainEqual(expect.objectContaining({ task: 'task01', kind: 'truncated' }))
    expect(report.summary.run).toBeNull()
    expect(report.timeline.tasks[0].lastCommit.filter((c) => c.value > 0).length).toBeGreaterThanOrEqual(1)
    expect(comparable(report.check.verdicts)).toEqual(comparable(checkSessionDir(session).verdicts))
    expect(readFileSync(join(session, 'report.html'), 'utf8')).toContain('This session was cut off.')
  }, 400_000)

  it('exits 2 naming what is missing for a bad folder, and 1 naming Chromium when it is missing', async () => {
    const missing = await zklab(['report', join(dir, 'no-such-session')])
    expect(missing.code).toBe(2)
    expect(missing.stderr).toContain('no such folder')

    const notSession = join(dir, 'not-a-session')
    mkdirSync(notSession, { recursive: true })
    writeFileSync(join(notSession, 'notes.txt'), 'hello')
    const bad = await zklab(['report', notSession])
    expect(bad.code).toBe(2)
    expect(bad.stderr).toMatch(
      /is not a session folder: neither events.jsonl \(the journal\) nor session.json is there/,
    )

    const format = await zklab(['report', notSession, '--format', 'docx'])
    expect(format.code).toBe(2)
    expect(format.stderr).toContain('unknown format "docx"')

    // A session folder made by hand, enough for a report; then a PDF without a Chromium.
    const tiny = join(dir, 'tiny')
    mkdirSync(tiny, { recursive: true })
    writeFileSync(
      join(tiny, 'events.jsonl'),
      JSON.stringify({ seq: 1, time: Date.now(), source: 'lab', type: 'session.created', dir: tiny, name: 'tiny' }) +
        '\n',
    )
    const noChromium = await zklab(['report', tiny, '--format', 'json,pdf'], {
      env: { ...process.env, CHROMIUM_PATH: join(dir, 'no-chromium-here') },
    })
    expect(noChromium.code).toBe(1)
    expect(noChromium.stderr).toContain(`Chromium not found at ${join(dir, 'no-chromium-here')}`)
    expect(noChromium.stderr).toMatch(/apt-get install chromium.*CHROMIUM_PATH/)
    expect(existsSync(join(tiny, 'report.json'))).toBe(true)
  }, 120_000)
})
