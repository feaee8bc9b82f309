/**
 * Measurement 3: the log pipeline in browser mode. `zklab serve` runs the lab; 20 external workers
 * (bench/fixtures/log-emitter.mjs) each print N lines a second with the time they wrote them; the app
 * is open in Chromium on the Logs tab. In the page, an init script records for every line:
 *   - when its event batch reached the page's own WebSocket (a listener added to the page's socket,
 *     called before the app's handler), and
 *   - when it was in the renderer's store and on screen: the log view (merged, following) renders the
 *     newest line of the store, so the largest `data-seq` in the DOM, watched with a
 *     MutationObserver, says how far the store has got; every line up to that seq is in it.
 * Delay = arrival − the time the worker wrote the line (same machine, same clock).
 */
import type { ChildProcess } from 'node:child_process'
import { existsSync, mkdirSync, statSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { chromium, type Browser, type Page } from 'playwright-core'
import { connectBridge } from '../src/core/bridge/bridge-client.js'
import { startServeProcess, stopServeProcess } from '../src/cli/serve-process.js'
import { HEADLESS_CHROMIUM_ARGS } from '../src/core/report/chromium-args.js'
import { cpuMsOf, descendants } from './lib/proc.js'
import { summarize, type Summary } from './lib/stats.js'
import { fmtMs, fmtNum, table } from './lib/table.js'
import { sleep } from './lib/wait.js'

async function waitFor(condition: () => Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (await condition()) return true
    await sleep(250)
  }
  return false
}

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const EMITTER = join(ROOT, 'bench', 'fixtures', 'log-emitter.mjs')

export interface LogConfig {
  sessionsDir: string
  workers: number
  /** Lines per second per worker, one run each. */
  rates: number[]
  seconds: number
  /** An untimed run first (JIT, caches, the page's first layout of many rows), in seconds; 0 for none. */
  warmupSeconds: number
  log: (line: string) => void
}

export interface LogRow {
  ratePerWorker: number
  workers: number
  offeredPerS: number
  emitted: number
  socket: { received: number; deliveredPerS: number | null; delayMs: Summary }
  store: { received: number; deliveredPerS: number | null; delayMs: Summary }
  lost: number
  /** Every line in the store over the span from the first written to the last arriving. */
  overallPerS: number | null
  /** How long all emitters ran at once: the window the lines/s are measured over. */
  allEmittingMs: number
  /** Frame-to-frame times in the page while lines came in. */
  frameMs: Summary
  /** CPU over the run, % of one core: zklab serve (lab + bridge) and every Chromium process. */
  cpu: { servePct: number | null; chromiumPct: number | null }
  durationMs: number
}

export interface LogResult {
  config: Omit<LogConfig, 'log' | 'sessionsDir'>
  rows: LogRow[]
  chromium?: string
  rendererBuiltAt?: string
  problem?: string
}

/** Runs in the page before the app: hooks its WebSocket and watches the log view. Plain JS on purpose. */
const PAGE_HOOK = `(() => {
  const B = (window.__bench = { seqs: [], emits: [], ws: [], wsTimes: [], domTimes: [], domSeqs: [], frames: [], emitted: 0, done: 0 })
  B.reset = () => { B.seqs.length = 0; B.emits.length = 0; B.ws.length = 0; B.wsTimes.length = 0; B.domTimes.length = 0; B.domSeqs.length = 0; B.frames.length = 0; B.emitted = 0; B.done = 0 }
  const LINE = /"line":"bench-line w=(\\d+) n=\\d+ t=(\\d+)","seq":(\\d+)/g
  const DONE = /bench-done w=\\d+ emitted=(\\d+)/g
  const Native = window.WebSocket
  window.WebSocket = class extends Native {
    constructor(url, protocols) {
      super(url, protocols)
      this.addEventListener('message', (m) => {
        const now = Date.now()
        const text = m.data
        if (typeof text !== 'string' || !text.startsWith('{"events"') || text.indexOf('bench-') < 0) return
        let found = 0
        for (const x of text.matchAll(LINE)) { B.ws.push(Number(x[1])); B.emits.push(Number(x[2])); B.seqs.push(Number(x[3])); B.wsTimes.push(now); found++ }
        if (found === 0 && text.indexOf('bench-line ') >= 0) {
          // The journal's key order changed: parse properly (slower, but right).
          for (const e of JSON.parse(text).events) {
            if (e.type !== 'log' || typeof e.line !== 'string' || !e.line.startsWith('bench-line ')) continue
            B.ws.push(Number(/w=(\\d+)/.exec(e.line)[1])); B.emits.push(Number(e.line.slice(e.line.lastIndexOf('t=') + 2))); B.seqs.push(e.seq); B.wsTimes.push(now)
          }
        }
        for (const x of text.matchAll(DONE)) { B.emitted += Number(x[1]); B.done++ }
      })
    }
  }
  let maxSeq = 0
  const observer = new MutationObserver(() => {
    let m = maxSeq
    for (const row of document.querySelectorAll('.log-row[data-seq]')) { const s = Number(row.getAttribute('data-seq')); if (s > m) m = s }
    if (m > maxSeq) { maxSeq = m; B.domTimes.push(Date.now()); B.domSeqs.push(m) }
  })
  const start = () => observer.observe(document.body, { subtree: true, childList: true, attributes: true, attributeFilter: ['data-seq'] })
  if (document.body) start(); else document.addEventListener('DOMContentLoaded', start)
  let last = performance.now()
  const tick = (now) => { B.frames.push(now - last); last = now; requestAnimationFrame(tick) }
  requestAnimationFrame(tick)
})()`

interface PageData {
  seqs: number[]
  /** The emitting worker of each line. */
  ws: number[]
  emits: number[]
  wsTimes: number[]
  domTimes: number[]
  domSeqs: number[]
  frames: number[]
  emitted: number
  done: number
}

export async function runLogPipeline(config: LogConfig): Promise<LogResult> {
  const say = (line: string) => config.log(`  [logs] ${line}`)
  const index = join(ROOT, 'out', 'renderer', 'index.html')
  if (!existsSync(index))
    return {
      config: strip(config),
      rows: [],
      problem: 'the app is not built (out/renderer is missing): run npm run build first',
    }
  const rendererBuiltAt = statSync(index).mtime.toISOString()
  const dir = join(config.sessionsDir, 'serve')
  mkdirSync(dir, { recursive: true })
  let serve: ChildProcess | undefined
  let browser: Browser | undefined
  const rows: LogRow[] = []
  let version: string | undefined
  try {
    const started = await startServeProcess({ sessionsDir: dir })
    serve = started.child
    const url = started.url
    say(`zklab serve at ${url}`)
    // Connected only for a call: a connected client gets every event batch too, which would double
    // what the bridge sends while we measure it.
    const withLab = async <T>(fn: (lab: Awaited<ReturnType<typeof connectBridge>>) => Promise<T>): Promise<T> => {
      const lab = await connectBridge(url)
      try {
        return await fn(lab)
      } finally {
        lab.close()
      }
    }
    browser = await chromium.launch({
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: HEADLESS_CHROMIUM_ARGS,
    })
    version = browser.version()
    const page = await browser.newPage({ viewport: { width: 1600, height: 1000 } })
    await page.addInitScript(PAGE_HOOK)
    await page.goto(url)
    await page.getByRole('tab', { name: 'Logs', exact: true }).click()
    await withLab((lab) => lab.startZooKeeper({ tickTimeMs: 500 }))
    if (config.warmupSeconds > 0) {
      await withLab((lab) =>
        lab.addWorkers({
          task: 'logs-warmup',
          count: config.workers,
          external: { command: process.execPath, args: [EMITTER, '{workerId}', '50', String(config.warmupSeconds)] },
        }),
      )
      await waitFor(async () => (await progress(page)).done >= config.workers, config.warmupSeconds * 1000 + 30_000)
      await sleep(1000)
    }
    for (const rate of config.rates) {
      await page.evaluate(() => (globalThis as unknown as { __bench: { reset(): void } }).__bench.reset())
      const started = Date.now()
      const cpu0 = cpuOf(serve?.pid)
      await withLab((lab) =>
        lab.addWorkers({
          task: `logs-${rate}`,
          count: config.workers,
          external: { command: process.execPath, args: [EMITTER, '{workerId}', String(rate), String(config.seconds)] },
        }),
      )
      // The emitters stop by themselves; then wait until what they wrote has arrived, or stopped arriving.
      const expected = config.workers * rate * config.seconds
      let lastProgress = Date.now()
      let lastCount = -1
      let cpuDone: { at: number; cpu: ReturnType<typeof cpuOf> } | undefined
      const deadline = Date.now() + config.seconds * 1000 + 120_000
      while (Date.now() < deadline) {
        await sleep(500)
        const p = await progress(page)
        const count = p.received + p.storeSeq
        if (count !== lastCount) lastProgress = Date.now()
        lastCount = count
        if (!cpuDone && p.done >= config.workers) cpuDone = { at: Date.now(), cpu: cpuOf(serve?.pid) }
        // Done: every emitter said so, every line it wrote reached the socket, and the store caught up.
        if (p.done >= config.workers && p.received >= p.emitted && p.storeSeq >= p.lastSeq) break
        if (Date.now() - lastProgress > 10_000 && Date.now() - started > config.seconds * 1000) break
      }
      const elapsed = Date.now() - started
      // CPU while the emitters ran (until the last said it was done), not while we waited for stragglers.
      const { at, cpu: cpu1 } = cpuDone ?? { at: Date.now(), cpu: cpuOf(serve?.pid) }
      const span = at - started
      const data = await pageData(page)
      const row = analyze(rate, config.workers, expected, data, elapsed, {
        servePct:
          cpu0.serve !== undefined && cpu1.serve !== undefined ? (100 * (cpu1.serve - cpu0.serve)) / span : null,
        chromiumPct: (100 * (cpu1.chromium - cpu0.chromium)) / span,
      })
      rows.push(row)
      say(
        `${config.workers} × ${rate} lines/s: ${row.socket.received}/${row.emitted} at the socket (p99 ${fmtMs(row.socket.delayMs.p99)} ms), ` +
          `${row.store.received} in the store (p99 ${fmtMs(row.store.delayMs.p99)} ms), ${fmtNum(row.store.deliveredPerS, 0)} lines/s`,
      )
      // The next rate starts from an idle lab.
      await sleep(1000)
    }
    await page.close()
  } finally {
    await browser?.close().catch(() => {})
    if (serve) await stopServeProcess(serve)
  }
  return { config: strip(config), rows, chromium: version, rendererBuiltAt }
}

function strip(config: LogConfig): LogResult['config'] {
  const { log: _l, sessionsDir: _d, ...rest } = config
  return rest
}

async function pageData(page: Page): Promise<PageData> {
  return page.evaluate(() => {
    const B = (globalThis as unknown as { __bench: PageData }).__bench
    return {
      seqs: B.seqs,
      ws: B.ws,
      emits: B.emits,
      wsTimes: B.wsTimes,
      domTimes: B.domTimes,
      domSeqs: B.domSeqs,
      frames: B.frames,
      emitted: B.emitted,
      done: B.done,
    }
  })
}

/** While waiting: how far things got, without copying every timestamp out of the page. */
async function progress(
  page: Page,
): Promise<{ received: number; lastSeq: number; storeSeq: number; emitted: number; done: number }> {
  return page.evaluate(() => {
    const B = (globalThis as unknown as { __bench: PageData }).__bench
    let lastSeq = 0
    for (let i = Math.max(0, B.seqs.length - 2000); i < B.seqs.length; i++) lastSeq = Math.max(lastSeq, B.seqs[i])
    return {
      received: B.seqs.length,
      lastSeq,
      storeSeq: B.domSeqs.length ? B.domSeqs[B.domSeqs.length - 1] : 0,
      emitted: B.emitted,
      done: B.done,
    }
  })
}

function analyze(
  rate: number,
  workers: number,
  expected: number,
  d: PageData,
  durationMs: number,
  cpu: LogRow['cpu'],
): LogRow {
  const socketDelays: number[] = []
  const storeDelays: number[] = []
  let storeCount = 0
  for (let i = 0; i < d.seqs.length; i++) {
    const emit = d.emits[i]
    socketDelays.push(d.wsTimes[i] - emit)
    const at = firstAtOrAbove(d.domSeqs, d.seqs[i])
    if (at >= 0) {
      storeDelays.push(d.domTimes[at] - emit)
      storeCount++
    }
  }
  // Throughput while every emitter was running (they start one after another): lines that arrived in
  // that window over its length. A pipeline that keeps up delivers the offered rate; one that cannot, its capacity.
  const firstOf = new Map<number, number>()
  const lastOf = new Map<number, number>()
  for (let i = 0; i < d.ws.length; i++) {
    const w = d.ws[i]
    firstOf.set(w, Math.min(firstOf.get(w) ?? Infinity, d.emits[i]))
    lastOf.set(w, Math.max(lastOf.get(w) ?? -Infinity, d.emits[i]))
  }
  const from = Math.max(...firstOf.values())
  const to = Math.min(...lastOf.values())
  const inWindow = (times: number[]) => times.filter((t) => t >= from && t <= to).length
  const storeTimes: number[] = []
  for (let i = 0; i < d.seqs.length; i++) {
    const at = firstAtOrAbove(d.domSeqs, d.seqs[i])
    if (at >= 0) storeTimes.push(d.domTimes[at])
  }
  const windowMs = to - from
  const rateIn = (times: number[]) => (windowMs > 1000 ? (1000 * inWindow(times)) / windowMs : null)
  // Every line over the whole span, first written to last in the store: the capacity once it falls behind.
  let firstEmit = Infinity
  for (const t of d.emits) if (t < firstEmit) firstEmit = t
  let lastStore = -Infinity
  for (const t of storeTimes) if (t > lastStore) lastStore = t
  const overall =
    storeTimes.length && lastStore > firstEmit ? (1000 * storeTimes.length) / (lastStore - firstEmit) : null
  const emitted = d.emitted || expected
  return {
    ratePerWorker: rate,
    workers,
    offeredPerS: rate * workers,
    emitted,
    socket: { received: d.seqs.length, deliveredPerS: rateIn(d.wsTimes), delayMs: summarize(socketDelays) },
    store: { received: storeCount, deliveredPerS: rateIn(storeTimes), delayMs: summarize(storeDelays) },
    overallPerS: overall,
    allEmittingMs: windowMs,
    lost: emitted - d.seqs.length,
    frameMs: summarize(d.frames),
    cpu,
    durationMs,
  }
}

/** Index of the first value ≥ x in an ascending array, or -1. */
function firstAtOrAbove(sorted: number[], x: number): number {
  let lo = 0
  let hi = sorted.length
  while (lo < hi) {
    const mid = (lo + hi) >> 1
    if (sorted[mid] < x) lo = mid + 1
    else hi = mid
  }
  return lo < sorted.length ? lo : -1
}

function cpuOf(servePid: number | undefined): { serve?: number; chromium: number } {
  // Chromium is a tree of processes under the one Playwright started (a child of this process).
  const chromium = descendants(process.pid)
    .filter((p) => /chrom/i.test(p.comm))
    .reduce((sum, p) => sum + (cpuMsOf(p.pid) ?? 0), 0)
  return { serve: servePid === undefined ? undefined : cpuMsOf(servePid), chromium }
}

export function logTables(result: LogResult): string {
  if (result.problem) return `Log pipeline: not measured: ${result.problem}`
  const t = table(
    [
      'workers × lines/s',
      'offered lines/s',
      'at the page socket lines/s',
      'socket delay p50',
      'p99',
      'in the store lines/s',
      'overall lines/s',
      'store delay p50',
      'p95',
      'p99',
      'max',
      'lost',
      'frame p95 ms',
      'CPU % serve',
      'CPU % Chromium',
    ],
    result.rows.map((r) => [
      `${r.workers} × ${r.ratePerWorker}`,
      r.offeredPerS,
      fmtNum(r.socket.deliveredPerS, 0),
      fmtMs(r.socket.delayMs.p50),
      fmtMs(r.socket.delayMs.p99),
      fmtNum(r.store.deliveredPerS, 0),
      fmtNum(r.overallPerS, 0),
      fmtMs(r.store.delayMs.p50),
      fmtMs(r.store.delayMs.p95),
      fmtMs(r.store.delayMs.p99),
      fmtMs(r.store.delayMs.max),
      r.lost,
      fmtNum(r.frameMs.p95, 0),
      fmtNum(r.cpu.servePct, 0),
      fmtNum(r.cpu.chromiumPct, 0),
    ]),
  )
  return [
    `Log pipeline, browser mode: worker stdout → lab journal → WebSocket bridge → page → store (on screen), ${result.config.seconds} s per rate; lines/s while all 20 wrote, and overall (first line written to last in the store); delays in ms from the worker writing the line (Chromium ${result.chromium ?? '?'}, renderer built ${result.rendererBuiltAt ?? '?'})`,
    '',
    t,
  ].join('\n')
}
