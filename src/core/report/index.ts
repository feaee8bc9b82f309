/** Session reports: report.json (versioned schema), report.html (self-contained) and report.pdf. */
export { buildReport, type BuildReportOptions } from './build-report.js'
export {
  exportReport,
  REPORT_FORMATS,
  type ExportOptions,
  type ExportResult,
  type ReportFormat,
} from './export-report.js'
export { renderHtml } from './html/render-html.js'
export { ChromiumError, chromiumPath, renderPdf } from './pdf.js'
export { readSessionFolder, SessionFolderError, type SessionFolder } from './read-session-folder.js'
export * from './types.js'
