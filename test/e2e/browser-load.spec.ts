/**
 * The renderer under load, in a real browser: 20 workers logging 100 lines a second each, and a
 * 10,000-znode tree. The page is served by `zklab serve`, but its WebSocket bridge is answered here,
 * so the test controls exactly what arrives and when; no ZooKeeper is involved. It asserts behaviour
 * (everything arrives, follow keeps up, the tree scrolls to its last node, clicks answer) and prints
 * frame times for whoever tunes it.
 */
import type { WebSocketRoute } from '@playwright/test'
import type { LabEvent } from '../../src/shared/events.js'
import { emptyLabState } from '../../src/shared/lab-state.js'
import { expect, test } from './browser-lab.js'

const WORKERS = 20
const LINES_PER_WORKER_PER_S = 100
const BATCH_MS = 50
const SECONDS = 6
const ZNODES = 10_000
const TASKS = 2_499

test('20 workers × 100 lines/s and 10,000 znodes stay responsive', async ({ page, lab }) => {
  let seq = 0
  const started = Date.now()
  const ev = (source: string, type: string, fields: Record<string, unknown>): LabEvent =>
    ({ seq: ++seq, time: Date.now(), source, type, level: 'info', ...fields }) as LabEvent
  const snapshot = { ...emptyLabState(), session: { dir: '/tmp/zklab-load', name: 'load', createdAt: started } }
  let socket: WebSocketRoute | undefined
  let answeredHistory!: () => void
  const historyAnswered = new Promise<void>((resolve) => (answeredHistory = resolve))

  await page.routeWebSocket(/\/api$/, (ws) => {
    socket = ws
    ws.onMessage((message) => {
      const { id, method } = JSON.parse(String(message)) as { id: number; method: string }
      const result = method === 'snapshot' ? { ...snapshot, lastSeq: seq } : method === 'recentEvents' ? [] : null
      ws.send(JSON.stringify({ id, ok: true, result }))
      if (method === 'recentEvents') answeredHistory()
    })
  })
  await page.addInitScript(() => {
    // Frame-to-frame times, read back at the end.
    const frames: number[] = []
    ;(globalThis as unknown as { __frames: number[] }).__frames = frames
    let last = performance.now()
    const tick = (now: number) => {
      frames.push(now - last)
      last = now
      requestAnimationFrame(tick)
    }
    requestAnimationFrame(tick)
  })

  await page.goto(lab.url)
  await historyAnswered
  const send = (events: LabEvent[]) => socket!.send(JSON.stringify({ events }))

  // The workers, and a tree of 10,000 znodes: 2,499 tasks of the seed's layout plus two instances.
  const names = Array.from({ length: WORKERS }, (_, i) => `worker-load-${i + 1}`)
  send(
    names.map((name, i) =>
      ev('lab', 'process.spawned', {
        name,
        kind: 'worker',
        pid: 10_000 + i,
        labels: { task: 't0000', workerId: i + 1, strategy: 'seed' },
      }),
    ),
  )
  const stat = {
    czxid: '0x1',
    mzxid: '0x1',
    pzxid: '0x1',
    ctime: started,
    mtime: started,
    version: 0,
    cversion: 0,
    ephemeralOwner: '0',
    dataLength: 0,
    numChildren: 0,
  }
  const paths = ['/customBackUp', '/customBackUp/tasks']
  for (let i = 0; i < TASKS; i++) {
    const task = `/customBackUp/tasks/t${String(i).padStart(4, '0')}`
    paths.push(task, `${task}/instance`, `${task}/lastCommit`, `${task}/status`)
  }
  paths.push(
    '/customBackUp/tasks/t0000/instance/server_1_0000000000',
    '/customBackUp/tasks/t0000/instance/server_2_0000000001',
  )
  expect(paths).toHaveLength(ZNODES)
  for (let i = 0; i < paths.length; i += 1000)
    send(paths.slice(i, i + 1000).map((path) => ev('observer', 'znode.created', { path, stat, data: '' })))

  // Logs: 20 × 100 lines/s in 50 ms batches, while the user watches the merged view.
  await page.getByRole('tab', { name: 'Logs', exact: true }).click()
  const perBatch = (LINES_PER_WORKER_PER_S * BATCH_MS) / 1000
  let sent = 0
  let lastLine = ''
  const clickTimes: number[] = []
  for (let t = 0; t < (SECONDS * 1000) / BATCH_MS; t++) {
    const batch: LabEvent[] = []
    for (const name of names) {
      for (let k = 0; k < perBatch; k++) {
        lastLine = `line ${++sent} from ${name}: appended id ${t * perBatch + k} to the sink`
        batch.push(ev(name, 'log', { stream: 'stdout', line: lastLine }))
      }
    }
    send(batch)
    // Now and then the user does something; it must answer promptly even under load.
    if (t % 40 === 20) {
      const before = Date.now()
      await page.getByRole('button', { name: 'Timestamps' }).or(page.getByLabel('Timestamps')).click()
      clickTimes.push(Date.now() - before)
    }
    await new Promise((r) => setTimeout(r, BATCH_MS))
  }

  const log = page.getByRole('log', { name: 'All processes' })
  await expect(page.getByTestId('log-count')).toContainText('20,000 of last 20,000 kept in memory')
  // Following: the newest line is on screen.
  await expect(log.getByText(lastLine, { exact: true })).toBeVisible()
  expect(sent).toBe(WORKERS * LINES_PER_WORKER_PER_S * SECONDS)

  // Search across the 20,000 lines in memory.
  await page.getByLabel('Search logs').fill('from worker-load-7:')
  await expect(log.locator('mark').first()).toHaveText('from worker-load-7:')

  // The tree: all 10,000 znodes, and the last one reachable by scrolling.
  await page.getByRole('tab', { name: 'Znode tree', exact: true }).click()
  await expect(page.getByTestId('znode-count')).toHaveText('10,000 znodes')
  const tree = page.getByRole('tree', { name: 'Znode tree' })
  await tree.evaluate((el) => el.scrollTo({ top: el.scrollHeight }))
  await expect(
    tree.locator(`[data-path="/customBackUp/tasks/t${String(TASKS - 1).padStart(4, '0')}/status"]`),
  ).toBeVisible()
  // The cluster panel folds the idle tasks away.
  await expect(page.getByRole('button', { name: /Show 2,48\d more tasks without workers/ })).toBeVisible()
  // Only the visible rows are in the DOM.
  expect(await tree.locator('[role="treeitem"]').count()).toBeLessThan(200)

  const frames = await page.evaluate(() => (globalThis as unknown as { __frames: number[] }).__frames.slice(5))
  const sorted = [...frames].sort((a, b) => a - b)
  const pct = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))].toFixed(1)
  console.log(
    `[load] ${sent} lines in ${SECONDS} s, ${ZNODES} znodes: frames p50 ${pct(50)} ms, p95 ${pct(95)} ms, max ${pct(100)} ms over ${frames.length} frames; clicks answered in ${clickTimes.join(', ')} ms`,
  )
  // Generous: a loaded 2-core machine with software rendering still answers a click within seconds.
  for (const ms of clickTimes) expect(ms).toBeLessThan(5000)
})
