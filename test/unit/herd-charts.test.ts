/**
 * Each failover's herd, drawn: dots on the woken workers' lanes and the count on the failover's label
 * (the timeline the app and the report share), and the strips of the report's herd table. A seed's
 * failover (every standby woken) must look unlike a recipe's (one).
 */
import { rmSync } from 'node:fs'
import { afterAll, describe, expect, it } from 'vitest'
import { buildReport } from '../../src/core/report/build-report.js'
import { renderHtml } from '../../src/core/report/html/render-html.js'
import { readSessionFolder } from '../../src/core/report/read-session-folder.js'
import { writeHandMadeSession } from './helpers/report-session.js'
import { herdScale, herdStripOption, herdStripRows } from '../../src/shared/charts/herd-strip.js'
import { timelineOption, type HerdMarks, type TimelineChartData } from '../../src/shared/charts/timeline-option.js'
import { HERD_COLORS, REPORT_COLORS } from '../../src/core/report/html/charts.js'

const FORMAT = { time: (t: number) => `${t}`, duration: (d: number) => `${d} ms` }

/** A herd of `n` woken standbys of a task, the first taking over. */
function herd(task: string, n: number): HerdMarks {
  return {
    woken: n,
    workers: Array.from({ length: n }, (_, i) => ({
      worker: `worker-${task}-${i + 2}`,
      watchAt: 4000 + i,
      path: `/customBackUp/tasks/${task}/instance`,
      reactedMs: 3 + i,
      did: i === 0 ? 'primary' : 'standby',
    })),
  }
}

function chart(task: string, woken: number): TimelineChartData {
  const workers = Array.from({ length: 10 }, (_, i) => `worker-${task}-${i + 1}`)
  return {
    workers,
    intervals: workers.map((worker) => ({ worker, state: 'standby' as const, start: 0, end: 10_000 })),
    faults: [{ time: 1000, worker: workers[0], action: 'kill', wasPrimary: true }],
    commits: [],
    failovers: [{ faultTime: 1000, firstCommitMs: 4100, herd: herd(task, woken) }],
    firstTime: 0,
    lastTime: 10_000,
  }
}

function series(option: ReturnType<typeof timelineOption>, id: string) {
  return (option.series as Array<{ id?: string; data?: unknown[]; markArea?: { data: unknown[][] } }>).find(
    (s) => s.id === id,
  )
}

describe('the herd on the timeline', () => {
  it("draws a dot per woken worker on its lane at its watch, and the count on the failover's label", () => {
    const seed = timelineOption(chart('seed01', 9), 10_000, REPORT_COLORS, FORMAT)
    const recipe = timelineOption(chart('recipe01', 1), 10_000, REPORT_COLORS, FORMAT)
    const dots = (o: typeof seed) => series(o, 'herd')?.data as Array<{ value: [number, number, string] }>
    expect(dots(seed)).toHaveLength(9)
    expect(dots(recipe)).toHaveLength(1)
    // On the woken workers' own lanes (lane 0 is the killed primary), at fault + watchAt.
    expect(dots(seed).map((d) => d.value[1])).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9])
    expect(dots(seed)[0].value[0]).toBe(5000)
    expect(dots(seed)[1].value[2]).toBe(
      'worker-seed01-3: woken 4001 ms after the fault (1 of 9) by its watch on /customBackUp/tasks/seed01/instance, reacted in 4 ms → standby',
    )
    const label = (o: typeof seed) => (series(o, 'faults')?.markArea?.data[0][0] as { name: string }).name
    expect(label(seed)).toBe('failover 4100 ms · woke 9')
    expect(label(recipe)).toBe('failover 4100 ms · woke 1')
  })

  it('draws nothing more without a herd (a session not graded yet)', () => {
    const t = chart('seed01', 9)
    const option = timelineOption(
      { ...t, failovers: [{ faultTime: 1000, firstCommitMs: 4100 }] },
      10_000,
      REPORT_COLORS,
      FORMAT,
    )
    expect(series(option, 'herd')).toBeUndefined()
  })
})

describe('the herd strip', () => {
  it('has a row per woken worker on one shared scale, the one that took over apart', () => {
    const seed = herd('seed01', 9)
    const recipe = herd('recipe01', 1)
    const scale = herdScale([seed, recipe])
    // From the herd's first watch: the last woken 8 ms later, reacting in 11 ms; rounded up.
    expect(scale).toBe(20)
    const rows = herdStripRows(seed, scale)
    expect(rows).toHaveLength(9)
    expect(rows[0]).toEqual({ worker: 'worker-seed01-2', watch: 0, reacted: 15, tookOver: true })
    expect(rows[8]).toEqual({ worker: 'worker-seed01-10', watch: 40, reacted: 95, tookOver: false })
    expect(rows.filter((r) => r.tookOver)).toHaveLength(1)
    expect(herdStripRows(recipe, scale)).toHaveLength(1)
    const option = herdStripOption(seed, scale, HERD_COLORS)
    const watches = option.series.find((s) => s.id === 'herd-watches')!.data as Array<{
      itemStyle: { color: string }
    }>
    expect(watches.map((w) => w.itemStyle.color)).toEqual([
      HERD_COLORS.primary,
      ...Array<string>(8).fill(HERD_COLORS.herd),
    ])
  })

  it('leaves out a watch not seen (a silent program read off the graph) but keeps its row', () => {
    const silent: HerdMarks = {
      woken: 3,
      workers: [
        { worker: 'a', watchAt: -1 },
        { worker: 'b', watchAt: 10 },
        { worker: 'c', watchAt: 60 },
      ],
    }
    const rows = herdStripRows(silent, 100)
    expect(rows.map((r) => [r.watch, r.reacted])).toEqual([
      [null, null],
      [0, null],
      [50, null],
    ])
  })
})

describe('the herd in report.html', () => {
  const dirs: string[] = []
  afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })))

  it("draws the failover's herd on the timeline and as a strip in the herd table, with each worker's reaction", () => {
    const { dir } = writeHandMadeSession({ closed: true })
    dirs.push(dir)
    const report = buildReport(readSessionFolder(dir), { labVersion: '0.1.0' })
    expect(report.failovers[0].herd?.woken).toBe(1)
    const page = renderHtml(report)
    expect(page).toMatch(/<tr data-failover="1" data-woken="1">/)
    expect(page).toMatch(/<svg class="herd-strip" data-failover="1" data-woken="1"/)
    expect(page).toMatch(
      /<code>worker-task01-2<\/code> <span class="small">watch fired \+\d+ ms, reacted in \d+ ms → <b>primary<\/b>/,
    )
    // The timeline's failover label carries the count.
    expect(page).toMatch(/failover [\d.]+ (ms|s) · woke 1/)
  })
})
