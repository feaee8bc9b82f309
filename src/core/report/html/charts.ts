/**
 * The report's charts as static SVG, drawn from the report model at export time: no script, no
 * library, nothing to load, and they print as crisply as text. Every mark carries a <title>, which
 * browsers show as a tooltip.
 */
import type { FailoverSteps } from '../../checker/types.js'
import type { ReportFailover, ReportFault, ReportTimeline, TimelineTask } from '../types.js'
import { esc, ms, n, rel } from './format.js'

const W = 1120
const LABEL = 156
const RIGHT = 14
const X0 = LABEL
const X1 = W - RIGHT

export const LANE_COLORS: Record<string, string> = {
  starting: '#cbd5e1',
  standby: '#93c5fd',
  primary: '#16a34a',
  paused: '#f59e0b',
  dead: 'url(#hatch)',
  running: '#94a3b8',
  stopped: 'url(#hatch)',
}

export function faultColor(f: Pick<ReportFault, 'kind' | 'target' | 'recovery'>): string {
  if (f.recovery) return '#64748b'
  if (f.target.startsWith('zk-')) return '#7c3aed'
  if (f.kind === 'pause') return '#d97706'
  if (f.kind === 'kill' || f.kind === 'stop') return '#dc2626'
  return '#2563eb'
}

interface Scale {
  x: (t: number) => number
  start: number
  end: number
}

function scale(start: number, end: number): Scale {
  const span = Math.max(end - start, 1)
  return { start, end, x: (t) => X0 + ((Math.min(Math.max(t, start), end) - start) / span) * (X1 - X0) }
}

/** Tick every 1, 2, 5, 10, 15, 30 s, … so that at most about 12 fit. */
function ticks(start: number, end: number): { times: number[]; digits: number } {
  const span = (end - start) / 1000
  const steps = [0.1, 0.2, 0.5, 1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200]
  const step = steps.find((s) => span / s <= 12) ?? 7200
  const times: number[] = []
  for (let i = 0; i * step <= span + 1e-9; i++) times.push(start + i * step * 1000)
  return { times, digits: step < 1 ? 1 : 0 }
}

/**
 * Patterns every chart refers to, defined once at the top of the page in an SVG that is rendered
 * (zero-sized, not display:none, which would stop Chromium from painting them).
 */
export function sharedDefs(): string {
  return (
    '<svg class="defs" width="0" height="0" aria-hidden="true" xmlns="http://www.w3.org/2000/svg"><defs>' +
    '<pattern id="hatch" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="6" height="6" fill="#f1f5f9"/><line x1="0" y1="0" x2="0" y2="6" stroke="#94a3b8" stroke-width="2"/></pattern>' +
    '<pattern id="nohatch" width="5" height="5" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="5" height="5" fill="#fee2e2"/><line x1="0" y1="0" x2="0" y2="5" stroke="#dc2626" stroke-width="1.5"/></pattern>' +
    '</defs></svg>'
  )
}

function axis(s: Scale, y: number, height: number, labels: 'top' | 'bottom'): string {
  const { times, digits } = ticks(s.start, s.end)
  return times
    .map((t) => {
      const x = n(s.x(t))
      const ty = labels === 'top' ? y - 5 : y + height + 13
      return `<line class="grid" x1="${x}" y1="${n(y)}" x2="${x}" y2="${n(y + height)}"/><text class="tick" x="${x}" y="${n(ty)}" text-anchor="middle">${esc(rel(t, s.start, digits))}</text>`
    })
    .join('')
}

function markers(s: Scale, faults: readonly ReportFault[], y0: number, y1: number, withLabels: boolean): string {
  // Labels that would overlap the previous one on their row go up a row (two rows, then they may touch).
  const rowEnds = [-Infinity, -Infinity]
  return faults
    .map((f) => {
      const cx = s.x(f.time)
      const x = n(cx)
      const color = faultColor(f)
      const title = `<title>#${f.index} ${esc(f.kind)} ${esc(f.target)} at ${esc(rel(f.time, s.start))}${f.hitPrimary ? ' (the primary)' : ''}</title>`
      const line = `<line class="fault-line" x1="${x}" y1="${n(y0)}" x2="${x}" y2="${n(y1)}" stroke="${color}"${f.recovery ? ' stroke-dasharray="3 3"' : ''}/>`
      let label = ''
      if (withLabels && f.recovery) label = `<path d="M${x} ${n(y0)} l-3.5 -6 h7 z" fill="${color}"/>`
      else if (withLabels) {
        const text = `${f.index} ${f.kind}`
        const half = text.length * 3.2 + 2
        const row = cx - half > rowEnds[0] ? 0 : cx - half > rowEnds[1] ? 1 : 0
        rowEnds[row] = cx + half
        label = `<path d="M${x} ${n(y0)} l-5 -9 h10 z" fill="${color}"/><text class="marker-label" x="${x}" y="${n(y0 - 12 - row * 12)}" text-anchor="middle" fill="${color}">${esc(text)}</text>`
      }
      return `<g class="fault-marker" data-kind="${esc(f.kind)}">${title}${line}${label}</g>`
    })
    .join('')
}

/** One task's leadership lanes: ZooKeeper servers, then each worker; faults, violations and teardown on the same axis. */
export function timelineSvg(timeline: ReportTimeline, task: TimelineTask, faults: readonly ReportFault[]): string {
  const s = scale(timeline.startMs, timeline.endMs)
  const taskFaults = faults.filter((f) => f.task === task.task || f.task === null)
  const SERVER_H = 12
  const SERVER_STEP = 18
  const LANE_H = 20
  const LANE_STEP = 28
  const top = 46
  let y = top
  const rows: string[] = []
  for (const server of timeline.servers) {
    rows.push(
      `<g class="lane server-lane" data-process="${esc(server.name)}"><text class="lane-label" x="${LABEL - 8}" y="${n(y + SERVER_H - 2)}" text-anchor="end">${esc(server.name)}</text>` +
        server.intervals.map((i) => rect(s, i.start, i.end, y, SERVER_H, LANE_COLORS[i.state] ?? '#e2e8f0', `iv iv-${i.state}`, `${server.name}: ${i.state} ${rel(i.start, s.start)} → ${rel(i.end, s.start)}`)).join('') +
        '</g>',
    )
    y += SERVER_STEP
  }
  if (timeline.servers.length) y += 6
  for (const lane of task.lanes) {
    const working = lane.working
      .map((w) => rect(s, w.start, w.end, y + LANE_H - 5, 5, '#052e16', 'work', `${lane.worker} worked ${rel(w.start, s.start)} → ${rel(w.end, s.start)} (the checker's working interval)`, 2))
      .join('')
    rows.push(
      `<g class="lane worker-lane" data-worker="${esc(lane.worker)}"><text class="lane-label" x="${LABEL - 8}" y="${n(y + 14)}" text-anchor="end">${esc(lane.worker)}</text>` +
        `<rect class="lane-bg" x="${X0}" y="${n(y)}" width="${X1 - X0}" height="${LANE_H}"/>` +
        lane.intervals.map((i) => rect(s, i.start, i.end, y, LANE_H - 6, LANE_COLORS[i.state], `iv iv-${i.state}`, `${lane.worker}: ${i.state} ${rel(i.start, s.start)} → ${rel(i.end, s.start)}`)).join('') +
        working +
        '</g>',
    )
    y += LANE_STEP
  }
  const violationY = y + 2
  const violations = task.violations
    .map((v) => rect(s, v.start, v.end, violationY, 10, '#dc2626', 'violation', `${v.invariant}: ${v.kind} ${rel(v.start, s.start)} → ${rel(v.end, s.start)}`, 3))
    .join('')
  rows.push(`<g class="violations"><text class="lane-label" x="${LABEL - 8}" y="${n(violationY + 9)}" text-anchor="end">violations</text><rect class="lane-bg" x="${X0}" y="${n(violationY)}" width="${X1 - X0}" height="10"/>${violations}</g>`)
  const bottom = violationY + 14
  const height = bottom + 20
  const teardown =
    timeline.teardownAt !== null && timeline.teardownAt < timeline.endMs
      ? `<g class="teardown"><title>the lab's stop-all from ${esc(rel(timeline.teardownAt, s.start))}: teardown, not an experiment</title><rect x="${n(s.x(timeline.teardownAt))}" y="${top - 4}" width="${n(Math.max(1, s.x(timeline.endMs) - s.x(timeline.teardownAt)))}" height="${n(bottom - top + 4)}" fill="#e2e8f0" opacity="0.7"/></g>`
      : ''
  return (
    `<svg class="chart timeline" data-task="${esc(task.task)}" viewBox="0 0 ${W} ${n(height)}" width="100%" role="img" aria-label="Leadership timeline of ${esc(task.task)}" xmlns="http://www.w3.org/2000/svg">` +
    `<g class="axis">${axis(s, top - 4, bottom - top + 4, 'bottom')}</g>${teardown}${rows.join('')}${markers(s, taskFaults, top - 4, bottom, true)}</svg>`
  )
}

/** lastCommit over time, a step line on the timeline's axis; a step backwards is marked red. */
export function commitsSvg(timeline: ReportTimeline, task: TimelineTask, faults: readonly ReportFault[]): string {
  const s = scale(timeline.startMs, timeline.endMs)
  const top = 12
  const plotH = 130
  const bottom = top + plotH
  const max = Math.max(1, ...task.lastCommit.map((c) => c.value))
  const niceMax = niceCeil(max)
  const y = (v: number) => bottom - (v / niceMax) * plotH
  // Whole ids, evenly spaced: 4 or 5 steps where they divide the top evenly, else 2.
  const parts = [4, 5, 2].find((p) => Number.isInteger(niceMax / p)) ?? 1
  const yTicks = Array.from({ length: parts + 1 }, (_, i) => (i * niceMax) / parts)
  const grid = yTicks
    .map((v) => `<line class="grid" x1="${X0}" y1="${n(y(v))}" x2="${X1}" y2="${n(y(v))}"/><text class="tick" x="${X0 - 6}" y="${n(y(v) + 3)}" text-anchor="end">${v}</text>`)
    .join('')
  let path = ''
  const backward: string[] = []
  task.lastCommit.forEach((c, i) => {
    const x = n(s.x(c.time))
    if (i === 0) path = `M${x} ${n(y(c.value))}`
    else {
      path += ` H${x} V${n(y(c.value))}`
      if (c.value < task.lastCommit[i - 1].value) {
        backward.push(`<circle class="backward" cx="${x}" cy="${n(y(c.value))}" r="3.5"><title>lastCommit back from ${task.lastCommit[i - 1].value} to ${c.value} at ${esc(rel(c.time, s.start))}${c.writer ? ` by ${esc(c.writer)}` : ''}</title></circle>`)
      }
    }
  })
  const last = task.lastCommit.at(-1)
  if (last) path += ` H${n(s.x(timeline.teardownAt ?? timeline.endMs))}`
  const points = task.lastCommit.length <= 400 ? task.lastCommit.map((c) => `<circle class="commit" cx="${n(s.x(c.time))}" cy="${n(y(c.value))}" r="1.8"><title>${c.value} at ${esc(rel(c.time, s.start))}${c.writer ? ` by ${esc(c.writer)}` : ''}</title></circle>`).join('') : ''
  const empty = task.lastCommit.length === 0 ? `<text class="tick" x="${(X0 + X1) / 2}" y="${top + plotH / 2}" text-anchor="middle">no commit recorded</text>` : ''
  return (
    `<svg class="chart commits" data-task="${esc(task.task)}" viewBox="0 0 ${W} ${bottom + 22}" width="100%" role="img" aria-label="lastCommit of ${esc(task.task)} over time" xmlns="http://www.w3.org/2000/svg">` +
    `<text class="lane-label" x="${8}" y="${top + 10}">lastCommit</text><g class="axis">${grid}${axis(s, top, plotH, 'bottom')}</g>` +
    markers(s, faults.filter((f) => f.task === task.task || f.task === null), top, bottom, false) +
    `<path class="commit-line" d="${path}"/>${points}${backward.join('')}${empty}</svg>`
  )
}

function rect(s: Scale, start: number, end: number, y: number, h: number, fill: string, cls: string, title: string, minWidth = 0.5): string {
  const x = s.x(start)
  const w = Math.max(minWidth, s.x(end) - x)
  return `<rect class="${cls}" x="${n(x)}" y="${n(y)}" width="${n(w)}" height="${n(h)}" fill="${fill}"><title>${esc(title)}</title></rect>`
}

function niceCeil(v: number): number {
  const p = 10 ** Math.floor(Math.log10(v))
  for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= v) return m * p
  return 10 * p
}

const STEP_ORDER: (keyof FailoverSteps)[] = ['sessionEnded', 'nodeDeleted', 'watchFired', 'newPrimary', 'firstCommit']
export const STEP_COLORS: Record<keyof FailoverSteps, string> = {
  sessionEnded: '#94a3b8',
  nodeDeleted: '#a78bfa',
  watchFired: '#60a5fa',
  newPrimary: '#34d399',
  firstCommit: '#15803d',
}
export const STEP_LABELS: Record<keyof FailoverSteps, string> = {
  sessionEnded: 'old session ended',
  nodeDeleted: 'node deleted',
  watchFired: 'watch fired',
  newPrimary: 'new primary',
  firstCommit: 'first commit',
}

/** One failover as a bar on a scale shared by every row: each segment is the time to reach the next step. */
export function breakdownSvg(f: ReportFailover, maxMs: number): string {
  const BW = 260
  const H = 14
  const x = (v: number) => (Math.max(0, v) / Math.max(maxMs, 1)) * BW
  const reached = STEP_ORDER.filter((k) => f.steps[k] !== null).sort((a, b) => f.steps[a]! - f.steps[b]!)
  let prev = 0
  const segments = reached.map((k) => {
    const v = f.steps[k]!
    const seg = `<rect class="seg seg-${k}" x="${n(x(prev))}" y="0" width="${n(Math.max(1, x(v) - x(prev)))}" height="${H}" fill="${STEP_COLORS[k]}"><title>${esc(STEP_LABELS[k])} after ${esc(ms(v))}</title></rect>`
    prev = Math.max(prev, v)
    return seg
  })
  const missing = f.steps.firstCommit === null ? `<rect x="${n(x(prev))}" y="0" width="${n(Math.max(4, BW - x(prev)))}" height="${H}" fill="url(#nohatch)" opacity="0.8"><title>no first commit by a new primary before the next fault or the close</title></rect>` : ''
  return `<svg class="breakdown" viewBox="0 0 ${BW} ${H}" width="100%" height="${H}" preserveAspectRatio="none" xmlns="http://www.w3.org/2000/svg"><rect x="0" y="0" width="${BW}" height="${H}" fill="#f1f5f9"/>${segments.join('')}${missing}</svg>`
}

export function legendSwatch(color: string, label: string, cls = ''): string {
  return `<span class="swatch ${cls}"><svg width="14" height="10" xmlns="http://www.w3.org/2000/svg"><rect width="14" height="10" fill="${color}"/></svg>${esc(label)}</span>`
}
