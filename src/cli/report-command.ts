/**
 * `zklab report <session-dir> [--format html,json,pdf] [--out dir]`: exports a session folder, a
 * finished one or one whose lab was killed mid-run. Exit codes: 0 done, 2 bad input (no such
 * folder, not a session folder, unknown format), 1 the export failed (e.g. Chromium for the PDF).
 */
import type { Command } from 'commander'
import {
  ChromiumError,
  exportReport,
  REPORT_FORMATS,
  SessionFolderError,
  type ReportFormat,
} from '../core/report/index.js'

const EXIT_FAILED = 1
const EXIT_BAD_INPUT = 2

export function registerReportCommand(program: Command): void {
  program
    .command('report')
    .description('export a session folder as report.html (self-contained), report.json and report.pdf')
    .argument('<session-dir>', 'the session folder (holds events.jsonl and session.json)')
    .option('-f, --format <formats>', `comma-separated: ${REPORT_FORMATS.join(',')}`, REPORT_FORMATS.join(','))
    .option('-o, --out <dir>', 'where the report files go (default: the session folder)')
    .action(async (dir: string, opts: { format: string; out?: string }) => {
      process.exitCode = await report(dir, opts)
    })
}

export function parseFormats(text: string): ReportFormat[] | string {
  const asked = text
    .split(',')
    .map((f) => f.trim().toLowerCase())
    .filter(Boolean)
  const unknown = asked.filter((f) => !(REPORT_FORMATS as readonly string[]).includes(f))
  if (unknown.length)
    return `--format: unknown format ${unknown.map((f) => `"${f}"`).join(', ')} (choose from ${REPORT_FORMATS.join(', ')})`
  if (asked.length === 0) return `--format: give at least one of ${REPORT_FORMATS.join(', ')}`
  return [...new Set(asked)] as ReportFormat[]
}

async function report(dir: string, opts: { format: string; out?: string }): Promise<number> {
  const formats = parseFormats(opts.format)
  if (typeof formats === 'string') {
    console.error(`zklab report: ${formats}`)
    return EXIT_BAD_INPUT
  }
  try {
    const started = Date.now()
    const { report, files } = await exportReport(dir, { formats, outDir: opts.out })
    const i = report.integrity
    const broken = report.check.verdicts.filter((v) => !v.ok).length
    console.log(
      `${report.summary.name}: ${report.check.ok ? 'PASSED' : `FAILED (${broken} verdict(s) broken)`}, ${report.failovers.length} failover(s), ` +
        `${i.closedCleanly ? 'closed cleanly' : `cut off at seq ${i.lastEvent?.seq} (no session.closed)`}`,
    )
    for (const p of i.journalProblems)
      console.log(`  events.jsonl${p.line !== null ? ` line ${p.line}` : ''}: ${p.message} (skipped)`)
    for (const p of i.sinkProblems) console.log(`  ${p.file} line ${p.line}: ${p.message}`)
    if (i.sessionFileProblem) console.log(`  ${i.sessionFileProblem}`)
    for (const format of formats) console.log(`  ${format.padEnd(4)} ${files[format]}`)
    console.log(`  done in ${((Date.now() - started) / 1000).toFixed(1)} s`)
    return 0
  } catch (err) {
    if (err instanceof SessionFolderError) {
      console.error(`zklab report: ${err.message}`)
      return EXIT_BAD_INPUT
    }
    const what = err instanceof ChromiumError ? err.message : `export failed: ${(err as Error).stack ?? String(err)}`
    console.error(`zklab report: ${what}`)
    return EXIT_FAILED
  }
}
