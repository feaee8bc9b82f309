/** The report's stylesheet, inlined: system fonts only, light on screen, and print rules for A4. */
export const REPORT_CSS = `
:root {
  --fg: #0f172a; --muted: #64748b; --line: #e2e8f0; --soft: #f8fafc; --accent: #1d4ed8;
  --ok: #15803d; --ok-bg: #dcfce7; --bad: #b91c1c; --bad-bg: #fee2e2; --warn: #b45309; --warn-bg: #fef3c7;
  --mono: ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", "DejaVu Sans Mono", monospace;
  --sans: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, "Liberation Sans", sans-serif;
  color-scheme: light;
}
* { box-sizing: border-box; }
html { background: #fff; }
body { margin: 0; font: 13.5px/1.45 var(--sans); color: var(--fg); background: #fff; }
main { max-width: 1200px; margin: 0 auto; padding: 0 24px 48px; }
header.top { border-bottom: 1px solid var(--line); background: var(--soft); }
header.top .inner { max-width: 1200px; margin: 0 auto; padding: 18px 24px 12px; }
h1 { font-size: 21px; margin: 0 0 4px; font-weight: 650; letter-spacing: -0.01em; }
h1 .kind { color: var(--muted); font-weight: 500; }
h2 { font-size: 16px; margin: 32px 0 10px; padding-bottom: 4px; border-bottom: 1px solid var(--line); font-weight: 650; }
h3 { font-size: 14px; margin: 18px 0 8px; font-weight: 600; }
.meta { color: var(--muted); display: flex; flex-wrap: wrap; gap: 4px 16px; }
.meta b { color: var(--fg); font-weight: 600; }
nav.toc { display: flex; flex-wrap: wrap; gap: 4px 14px; margin-top: 10px; font-size: 12.5px; }
nav.toc a { color: var(--accent); text-decoration: none; }
nav.toc a:hover { text-decoration: underline; }
.tools { margin-left: auto; display: flex; gap: 6px; }
button { font: inherit; font-size: 12px; padding: 2px 9px; border: 1px solid #cbd5e1; border-radius: 4px; background: #fff; color: var(--fg); cursor: pointer; }
button:hover { background: var(--soft); }
code, .mono, pre { font-family: var(--mono); font-size: 12px; }
.pill { display: inline-block; padding: 0 7px; border-radius: 9px; font-size: 11.5px; font-weight: 650; letter-spacing: 0.02em; line-height: 18px; white-space: nowrap; }
.pill.ok { background: var(--ok-bg); color: var(--ok); }
.pill.bad { background: var(--bad-bg); color: var(--bad); }
.pill.warn { background: var(--warn-bg); color: var(--warn); }
.pill.neutral { background: #e2e8f0; color: #334155; }
.verdict-big { font-size: 14px; padding: 2px 12px; border-radius: 12px; vertical-align: 3px; margin-left: 8px; }
.notice { margin: 14px 0 0; padding: 8px 12px; border-left: 4px solid var(--warn); background: var(--warn-bg); border-radius: 3px; }
.notice.bad { border-color: var(--bad); background: var(--bad-bg); }
.notice ul { margin: 4px 0 0; padding-left: 18px; }
dl.summary { display: grid; grid-template-columns: max-content 1fr max-content 1fr; gap: 4px 18px; margin: 0; }
dl.summary dt { color: var(--muted); }
dl.summary dd { margin: 0; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: 4px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { font-weight: 600; color: #334155; background: var(--soft); font-size: 12px; white-space: nowrap; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
tr.fail > td { background: #fff7f7; }
tr.unknown > td { background: #fffbeb; }
.muted { color: var(--muted); }
.small { font-size: 12px; }
details { margin: 6px 0; }
details > summary { cursor: pointer; padding: 3px 0; }
details > summary::marker { color: var(--muted); }
.violation { border: 1px solid #fecaca; border-left: 4px solid var(--bad); border-radius: 4px; padding: 4px 10px; margin: 6px 0; background: #fff; }
.violation .msg { margin: 4px 0 6px; }
.context td, .logs td { font-family: var(--mono); font-size: 11.5px; padding: 1px 6px; }
.context tr.anchor td, .logs tr.anchor td { background: #fef9c3; font-weight: 600; }
.logs td.text, .context td.text { white-space: pre-wrap; word-break: break-word; }
.logs tr.level-warn td.text { color: #92400e; }
.logs tr.level-error td.text { color: var(--bad); }
.logs td.proc { white-space: nowrap; color: #334155; }
.chips { display: flex; flex-wrap: wrap; gap: 4px; margin: 6px 0; }
.chips label { font-size: 11.5px; border: 1px solid #cbd5e1; border-radius: 10px; padding: 0 8px; cursor: pointer; user-select: none; }
.chips input { margin: 0 4px 0 0; vertical-align: -1px; }
figure { margin: 8px 0 18px; }
figcaption { color: var(--muted); font-size: 12px; margin-top: 2px; }
svg.chart { display: block; width: 100%; max-width: 1120px; height: auto; }
.legend { display: flex; flex-wrap: wrap; gap: 4px 14px; font-size: 12px; color: #334155; margin: 2px 0 6px; }
.swatch { display: inline-flex; align-items: center; gap: 5px; }
.swatch svg { border: 1px solid #cbd5e1; }
.bar-cell { width: 24%; min-width: 120px; vertical-align: middle; }
.herd-strip { display: block; width: 100%; }
td.herd-workers { line-height: 1.5; }
svg.breakdown { display: block; width: 100%; height: 14px; }
td.handover code, td.ids, table.verdicts code { white-space: nowrap; }
.context td:nth-child(1) { width: 52px; }
.context td:nth-child(2) { width: 76px; }
.context td:nth-child(3), .logs td.proc { width: 140px; }
.logs td:nth-child(1) { width: 86px; }
.logs td:nth-child(3) { width: 44px; }
.tree td.path { font-family: var(--mono); font-size: 12px; white-space: nowrap; }
.tree td.data { font-family: var(--mono); font-size: 12px; word-break: break-all; max-width: 360px; }
.tree .ind { display: inline-block; }
.stat { font-family: var(--mono); font-size: 11px; color: var(--muted); }
footer { margin-top: 40px; padding-top: 10px; border-top: 1px solid var(--line); color: var(--muted); font-size: 12px; }
a { color: var(--accent); }

@page { size: A4; margin: 12mm 10mm 14mm; }
@media print {
  body { font-size: 9.5pt; }
  main, header.top .inner { max-width: none; padding-left: 0; padding-right: 0; }
  header.top { background: none; }
  nav.toc, .tools, .chips, button { display: none !important; }
  h2 { break-after: avoid; page-break-after: avoid; margin-top: 18px; }
  h3 { break-after: avoid; page-break-after: avoid; }
  figure, svg.chart, tr, .notice, dl.summary, .violation > div, .violation .msg { break-inside: avoid; page-break-inside: avoid; }
  .violation .msg { break-after: avoid; page-break-after: avoid; }
  thead { display: table-header-group; }
  .logs td, .context td { font-size: 7.5pt; }
  .logs td:nth-child(1) { width: 58px; } .logs td.proc { width: 92px; } .logs td:nth-child(3) { width: 30px; }
  .context td:nth-child(3) { width: 104px; white-space: nowrap; }
  td { font-size: 8.5pt; }
  td.handover code { font-size: 8pt; }
  .logs tr { display: table-row !important; }
  details > summary::marker { content: ''; }
  a { color: inherit; text-decoration: none; }
  .pill { print-color-adjust: exact; -webkit-print-color-adjust: exact; }
  * { print-color-adjust: exact; -webkit-print-color-adjust: exact; }
}
`
