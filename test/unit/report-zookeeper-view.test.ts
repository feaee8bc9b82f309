/**
 * The report's view of ZooKeeper's clients at the end of a session: the last sessions and watch graph
 * snapshots before the lab's stop-all, each connection's worker, last operation, watches and ephemeral
 * nodes; in report.json (valid against the schema) and report.html.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { buildReport } from '../../src/core/report/build-report.js'
import { renderHtml } from '../../src/core/report/html/render-html.js'
import { readSessionFolder } from '../../src/core/report/read-session-folder.js'
import type { SessionReport } from '../../src/core/report/types.js'
import { JournalBuilder, T0, twoWorkers } from './helpers/checker-journal.js'
import { reportValidator } from './helpers/report-schema.js'
import { znodeStat } from './helpers/znode-stat.js'

const INSTANCE = '/customBackUp/tasks/task01/instance'
const SESSIONS = { 'worker-task01-1': '0x10000a1b2c0001', 'worker-task01-2': '0x10000a1b2c0002' }
const dirs: string[] = []
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })))

function reportOf(j: JournalBuilder): SessionReport {
  const dir = mkdtempSync(join(tmpdir(), 'zklab-report-zkview-'))
  dirs.push(dir)
  writeFileSync(join(dir, 'events.jsonl'), j.events.map((e) => JSON.stringify(e)).join('\n') + '\n')
  return JSON.parse(JSON.stringify(buildReport(readSessionFolder(dir), { labVersion: '0.1.0' }))) as SessionReport
}

/** Two seed workers, their nodes owned by their sessions, and the lab's polls of one server. */
function polledJournal(): JournalBuilder {
  const { j, nodes } = twoWorkers()
  nodes.forEach((node, i) =>
    j.add(170 + i, 'observer', 'znode.changed', {
      path: `${INSTANCE}/${node}`,
      data: '',
      cause: 'data',
      stat: znodeStat(Object.values(SESSIONS)[i]),
    }),
  )
  j.add(1000, 'lab', 'zookeeper.watches', {
    edges: [
      // The seed's standby on the whole list (inferred), the observer (no worker) on the list and a node.
      {
        session: '10000a1b2c0002',
        worker: 'worker-task01-2',
        path: INSTANCE,
        server: 'zk-1',
        kind: 'child',
        inferred: true,
      },
      { session: '10000a1b2c0009', path: INSTANCE, server: 'zk-1', kind: 'data' },
      { session: '10000a1b2c0009', path: `${INSTANCE}/${nodes[0]}`, server: 'zk-1', kind: 'data' },
    ],
    counts: { [INSTANCE]: 2, [`${INSTANCE}/${nodes[0]}`]: 1 },
    totals: [{ server: 'zk-1', connections: 3, paths: 4, watches: 5 }],
  })
  j.add(1001, 'lab', 'zookeeper.sessions', {
    connections: [
      {
        server: 'zk-1',
        client: '127.0.0.1:40002',
        session: '10000a1b2c0002',
        worker: 'worker-task01-2',
        establishedAt: T0 + 105,
        timeoutMs: 4000,
        outstanding: 0,
        lastOp: 'GETC',
      },
      {
        server: 'zk-1',
        client: '127.0.0.1:40009',
        session: '10000a1b2c0009',
        establishedAt: T0 + 20,
        timeoutMs: 30000,
        outstanding: 1,
        lastOp: 'PING',
      },
      {
        server: 'zk-1',
        client: '127.0.0.1:40001',
        session: '10000a1b2c0001',
        worker: 'worker-task01-1',
        establishedAt: T0 + 104,
        timeoutMs: 4000,
        outstanding: 0,
        lastOp: 'SETD',
      },
    ],
  })
  return j
}

describe("report: ZooKeeper's sessions and watches at the end", () => {
  it("takes the last snapshots before the stop-all, with each session's worker, watches and ephemeral nodes", () => {
    const j = polledJournal()
    j.add(5000, 'lab', 'session.closing')
    // The stop-all takes the workers away: what the servers list then is not the session's end.
    j.add(5100, 'lab', 'zookeeper.sessions', { connections: [] })
    j.add(5101, 'lab', 'zookeeper.watches', { edges: [], counts: {}, totals: [] })
    j.add(5200, 'lab', 'session.closed')
    const report = reportOf(j)
    expect(reportValidator()(report).errors).toBe('')

    const view = report.zookeeperView!
    expect(view.sessions?.time).toBe(T0 + 1001)
    expect(view.sessions?.connections.map((c) => [c.worker, c.session, c.lastOp, c.outstanding, c.watches])).toEqual([
      ['worker-task01-1', '0x10000a1b2c0001', 'SETD', 0, 0],
      ['worker-task01-2', '0x10000a1b2c0002', 'GETC', 0, 1],
      [null, '0x10000a1b2c0009', 'PING', 1, 2],
    ])
    expect(view.sessions?.connections.map((c) => c.ephemeralNodes)).toEqual([
      [expect.stringMatching(/^\/customBackUp\/tasks\/task01\/instance\/server_1_/)],
      [expect.stringMatching(/^\/customBackUp\/tasks\/task01\/instance\/server_2_/)],
      [],
    ])
    expect(view.watches?.paths.find((p) => p.path === INSTANCE)).toEqual({
      path: INSTANCE,
      watches: 2,
      data: 1,
      child: 1,
      inferred: 1,
      workers: ['worker-task01-2'],
    })
    expect(view.watches?.totals).toEqual([{ server: 'zk-1', connections: 3, paths: 4, watches: 5 }])

    const page = renderHtml(report)
    expect(page).toContain('<section id="zookeeper-view"')
    expect(page).toMatch(
      /<tr data-session="0x10000a1b2c0001" data-worker="worker-task01-1">.*?<td class="mono">SETD<\/td>/,
    )
    expect(page).toMatch(new RegExp(`<tr data-watch-path="${INSTANCE}" data-count="2">`))
  })

  it('is left out when the lab did not poll, and the page says so', () => {
    const { j } = twoWorkers()
    const report = reportOf(j)
    expect(report.zookeeperView).toBeUndefined()
    expect(reportValidator()(report).errors).toBe('')
    expect(renderHtml(report)).toContain('The lab did not poll ZooKeeper for its sessions and watches')
  })
})
