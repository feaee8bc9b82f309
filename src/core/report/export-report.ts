/**
 * Exports a session folder as report.json, report.html and report.pdf (any of them), into the
 * session folder or another one. The model is built once; the HTML is rendered from it and the PDF
 * printed from that HTML, so the three always agree.
 */
import { mkdirSync, readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { labRoot } from '../lab-root.js'
import { REPORT_FILES, writeFileAtomically } from '../session-folder/index.js'
import { buildReport } from './build-report.js'
import { renderHtml } from './html/render-html.js'
import { renderPdf } from './pdf.js'
import { readSessionFolder } from './read-session-folder.js'
import type { SessionReport } from './types.js'

export const REPORT_FORMATS = ['html', 'json', 'pdf'] as const
export type ReportFormat = (typeof REPORT_FORMATS)[number]

export interface ExportOptions {
  formats?: readonly ReportFormat[]
  /** Where the files go; the session folder by default. */
  outDir?: string
  generatedAt?: Date
  chromiumPath?: string
}

export interface ExportResult {
  report: SessionReport
  files: Partial<Record<ReportFormat, string>>
}

export async function exportReport(sessionDir: string, options: ExportOptions = {}): Promise<ExportResult> {
  const formats = options.formats ?? REPORT_FORMATS
  const folder = readSessionFolder(sessionDir)
  const report = buildReport(folder, { generatedAt: options.generatedAt, labVersion: labVersion() })
  const outDir = resolve(options.outDir ?? folder.dir)
  mkdirSync(outDir, { recursive: true })
  const files: ExportResult['files'] = {}
  // Reports are for sharing (a CI artefact, --out): the usual mode under the umask, not session.json's 0600.
  const write = (name: string, content: string | Buffer) => writeFileAtomically(join(outDir, name), content, 0o666)
  if (formats.includes('json')) files.json = write(REPORT_FILES.json, JSON.stringify(report, null, 2) + '\n')
  const html = formats.includes('html') || formats.includes('pdf') ? renderHtml(report) : ''
  if (formats.includes('html')) files.html = write(REPORT_FILES.html, html)
  if (formats.includes('pdf')) {
    const footer = `${report.summary.name} · ${report.summary.start}`
    files.pdf = write(REPORT_FILES.pdf, await renderPdf(html, { executablePath: options.chromiumPath, footer }))
  }
  return { report, files }
}

function labVersion(): string {
  try {
    return (
      (JSON.parse(readFileSync(join(labRoot(), 'package.json'), 'utf8')) as { version?: string }).version ?? '0.0.0'
    )
  } catch {
    return '0.0.0'
  }
}
