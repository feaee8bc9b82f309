import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { analyzeSink, checkSession, checkSessionDir, type CheckReport } from '../../src/core/checker/index.js'
import { buildReport } from '../../src/core/report/build-report.js'
import { renderHtml } from '../../src/core/report/html/render-html.js'
import { readSessionFolder } from '../../src/core/report/read-session-folder.js'
import type { SessionReport } from '../../src/core/report/types.js'
import { readSourceHistory } from '../../src/core/mariadb/history.js'
import { readSink } from '../../src/core/session-folder/index.js'
import type { BackupRecord, SourceTransaction } from '../../src/shared/binlog.js'
import { summarizeVerdict } from '../../src/shared/checker-report.js'
import { JournalBuilder, T0, twoWorkers } from './helpers/checker-journal.js'
import { reportValidator } from './helpers/report-schema.js'

/**
 * The source's history: a DDL transaction without rows (seq 1), then seqs 2..7, each an insert into
 * labsrc.items and its ledger row, committed every 500 ms from +1 s (changedAt on the lab's clock).
 */
const history: SourceTransaction[] = [
  { gtid: '0-1-1', seq: 1, file: 'bin.000001', position: 4, time: T0, rows: [] },
  ...[2, 3, 4, 5, 6, 7].map((seq) => ({
    gtid: `0-1-${seq}`,
    seq,
    file: 'bin.000001',
    position: 100 * seq,
    time: Math.floor((T0 + 500 * seq) / 1000) * 1000,
    change: seq,
    changedAt: T0 + 500 * seq,
    rows: [
      { table: 'labsrc.items', op: 'insert' as const, values: [seq, `item ${seq}`] },
      { table: 'labsrc.lab_changes', op: 'insert' as const, values: [seq, 'insert', 'items', seq, T0 + 500 * seq] },
    ],
  })),
]
const txn = (seq: number) => history.find((t) => t.seq === seq)!

/** Every row of transaction `seq` as worker `n` writes it at `at` ms after the session began. */
const backup = (seq: number, n: number, at: number): BackupRecord[] =>
  txn(seq).rows.map((row, index) => ({
    gtid: `0-1-${seq}`,
    seq,
    index,
    ...row,
    worker: n,
    session: `s${n}-${999 + n}`,
    time: T0 + at,
  }))

/** Worker `n` backs up `seqs`, each `delay` ms after its source commit, committing the GTID after each. */
function primaryBacksUp(j: JournalBuilder, seqs: number[], n = 1, delay = 100): BackupRecord[] {
  return seqs.flatMap((seq) => {
    const at = 500 * seq + delay
    j.work(at, n, seq)
    return backup(seq, n, at)
  })
}

const binlogTask = () => twoWorkers(new JournalBuilder('task01', 500, 'binlog'))
const verdict = (r: CheckReport, invariant: string) => r.verdicts.find((v) => v.invariant === invariant)!

/** The session checked with its sink and (unless `null`) the source's history. */
function check(j: JournalBuilder, sink: BackupRecord[], sourceHistory: SourceTransaction[] | null = history) {
  const records = sink.map((b) => ({ id: b.seq, worker: b.worker, time: b.time, session: b.session }))
  return checkSession({
    events: j.events,
    sinks: { task01: records },
    backups: { task01: sink },
    ...(sourceHistory ? { sourceHistory } : {}),
  })
}

describe('checker: backup-integrity', () => {
  it('passes an exact backup, and gives sink-integrity no verdict for it', () => {
    const { j } = binlogTask()
    const report = check(j, primaryBacksUp(j, [2, 3, 4, 5, 6, 7]))
    const v = verdict(report, 'backup-integrity')
    expect(v.state).toBe('ok')
    expect(v.summary).toBe(
      '6 source transaction(s), 12 row(s) against 12 sink line(s): each backed up once, in binlog order, equal to the source; last in sink 0-1-7, lastCommit 0-1-7',
    )
    expect(v.position).toEqual({ sinkGtid: '0-1-7', lastCommit: '0-1-7' })
    // sink-integrity does not apply to a binlog task: no verdict at all, not a "not judged".
    expect(report.verdicts.map((x) => x.invariant)).not.toContain('sink-integrity')
    expect(verdict(report, 'commit-monotonic').state).toBe('ok')
    expect(report.ok).toBe(true)
  })

  it('is not judged without the source history, and says why', () => {
    const { j } = binlogTask()
    const v = verdict(check(j, primaryBacksUp(j, [2, 3]), null), 'backup-integrity')
    expect(v.state).toBe('not-judged')
    expect(v.reason).toMatch(/^no source history/)
  })

  it('names a missing GTID', () => {
    const { j } = binlogTask()
    const v = verdict(check(j, primaryBacksUp(j, [2, 3, 5, 6, 7])), 'backup-integrity')
    expect(v.state).toBe('fail')
    expect(v.violations).toHaveLength(1)
    const [gap] = v.violations
    expect(gap.kind).toBe('missing')
    expect(gap.ids).toEqual([4])
    expect(gap.message).toBe(
      'The backup of task01 lacks 1 source transaction(s), 0-1-4: 0-1-4, committed at +2.00 s (bin.000001:400).',
    )
    expect(v.stats).toMatchObject({ missing: 1, transactions: 6 })
  })

  it('compresses a run of missing GTIDs into one violation', () => {
    const { j } = binlogTask()
    const v = verdict(check(j, primaryBacksUp(j, [2, 6, 7])), 'backup-integrity')
    expect(v.violations.map((x) => [x.kind, x.ids])).toEqual([['missing', [3, 4, 5]]])
    expect(v.violations[0].message).toMatch(
      /^The backup of task01 lacks 3 source transaction\(s\), 0-1-3 to 0-1-5 \(3\)/,
    )
  })

  it('classifies a redo after the primary was killed between its write and its commit', () => {
    const { j, nodes } = binlogTask()
    const sink = primaryBacksUp(j, [2, 3, 4])
    // 0-1-5 reaches the sink; SIGKILL lands before its commit.
    j.work(2600, 1, 5, { commit: false })
    sink.push(...backup(5, 1, 2600))
    j.kill(2601, 1)
    j.watch(7000, 2).nodeDeleted(7001, nodes[0]).role(7004, 2, 'primary', nodes[1])
    sink.push(...primaryBacksUp(j, [5, 6, 7], 2, 5100))
    const v = verdict(check(j, sink), 'backup-integrity')
    expect(v.violations.map((x) => [x.kind, x.ids, x.workers])).toEqual([
      ['redo-after-crash', [5], ['worker-task01-1', 'worker-task01-2']],
    ])
    expect(v.violations[0].message).toBe(
      'task01: transaction 0-1-5 was backed up 2 times (worker-task01-1 at +2.60 s, worker-task01-2 at +7.60 s): worker-task01-1 wrote it at +2.60 s and was killed at +2.61 s before committing it; worker-task01-2 redid it at +7.60 s from the last commit.',
    )
    expect(v.stats).toMatchObject({ redoAfterCrash: 1, duplicates: 0, missing: 0 })
  })

  it('classifies a copy by a live zombie: redo-after-stall before any commit, duplicate after one', () => {
    const { j, nodes } = binlogTask()
    const sink = primaryBacksUp(j, [2, 3])
    // Worker 1 writes 0-1-4 and 0-1-5, is paused before committing them, and worker 2 takes over.
    j.work(2100, 1, 4, { commit: false })
    j.work(2600, 1, 5, { commit: false })
    sink.push(...backup(4, 1, 2100), ...backup(5, 1, 2600))
    j.action(2700, 1, 'pause')
    j.watch(7000, 2).nodeDeleted(7001, nodes[0]).role(7004, 2, 'primary', nodes[1])
    for (const [seq, at] of [
      [4, 7100],
      [5, 7200],
      [6, 7300],
    ]) {
      j.work(at, 2, seq)
      sink.push(...backup(seq, 2, at))
    }
    // Resumed, the zombie writes 0-1-6 after worker 2 had committed it.
    j.action(8000, 1, 'resume')
    j.work(8100, 1, 6, { commit: false })
    sink.push(...backup(6, 1, 8100))
    j.work(8200, 2, 7)
    sink.push(...backup(7, 2, 8200))
    const v = verdict(check(j, sink), 'backup-integrity')
    expect(v.violations.map((x) => [x.kind, x.ids])).toEqual([
      ['redo-after-stall', [4, 5]],
      ['duplicate', [6]],
    ])
    expect(v.violations[0].message).toBe(
      'Transactions 0-1-4 to 0-1-5 (2) of task01 were backed up twice: worker-task01-1 wrote them from +2.10 s to +2.60 s, and worker-task01-2 again from +7.10 s to +7.20 s; worker-task01-1 had not committed them and was still alive (paused or cut off).',
    )
    expect(v.violations[1].message).toContain(
      'worker-task01-2 wrote it at +7.30 s and committed it at +7.30 s, yet worker-task01-1 wrote it again at +8.10 s',
    )
  })

  it('does not owe the tail committed as the backup was stopped, but owes what it left behind before that', () => {
    // The journal ends at +3.60 s; the catch-up allowance is 2 s, so what was committed after +1.60 s
    // and after the sink's last transaction is the tail the backup could not yet have reached.
    const { j } = binlogTask()
    const stopped = verdict(check(j, primaryBacksUp(j, [2, 3, 4, 5])), 'backup-integrity')
    expect(stopped.state).toBe('ok')
    expect(stopped.stats).toMatchObject({ transactions: 4, unreached: 2 })
    expect(stopped.summary).toMatch(
      /; not owed: the last 2, committed from \+3\.00 s, within 2\.00 s of the lab stopping the workers$/,
    )
    const { j: j2 } = binlogTask()
    primaryBacksUp(j2, [4, 5, 6, 7])
    const stalled = verdict(check(j2, primaryBacksUp(new JournalBuilder('x', 500, 'binlog'), [2])), 'backup-integrity')
    expect(stalled.violations.map((x) => [x.kind, x.ids])).toEqual([['missing', [3]]])
    expect(stalled.stats).toMatchObject({ transactions: 2, unreached: 4 })
  })

  it('catches a transaction backed up after a later one', () => {
    const { j } = binlogTask()
    const sink = primaryBacksUp(j, [2, 4, 3, 5, 6, 7])
    const v = verdict(check(j, sink), 'backup-integrity')
    expect(v.violations.map((x) => [x.kind, x.ids])).toEqual([['out-of-order', [3]]])
    expect(v.violations[0].message).toBe(
      'The backup of task01 is out of binlog order at 0-1-3: 0-1-3 was first backed up by worker-task01-1 at +1.60 s, after 0-1-4 (worker-task01-1 at +2.10 s), which follows it in the binlog.',
    )
  })

  it('catches values that differ from the source, and a GTID the source never had', () => {
    const { j } = binlogTask()
    const sink = primaryBacksUp(j, [2, 3, 4, 5, 6, 7])
    sink[2] = { ...sink[2], values: [3, 'item three'] }
    sink.push({ ...sink[0], gtid: '0-1-99', seq: 99 })
    const v = verdict(check(j, sink), 'backup-integrity')
    // In time order: the foreign line copies the first one's time.
    expect(v.violations.map((x) => [x.kind, x.ids])).toEqual([
      ['foreign', [99]],
      ['mismatch', [3]],
    ])
    expect(v.violations[1].message).toBe(
      'The backup of task01 differs from the source at 0-1-3: 0-1-3 row 0: worker-task01-1 wrote insert labsrc.items [3,"item three"] at +1.60 s, the source has insert labsrc.items [3,"item 3"].',
    )
    expect(v.violations[0].message).toMatch(/0-1-99 .*: not in the source's history\.$/)
  })
})

describe('checker: backup-lag', () => {
  it('measures source commit → first sink write, and never fails on it', () => {
    const { j } = binlogTask()
    const sink = primaryBacksUp(j, [2, 3, 4, 5, 6, 7])
    // 0-1-6 reached the backup 2.4 s late (after a failover, say); a later redo does not count.
    for (const b of sink) if (b.seq === 6) b.time = T0 + 3000 + 2400
    sink.push(...backup(6, 2, 9000))
    const v = verdict(check(j, sink), 'backup-lag')
    expect(v.state).toBe('ok')
    expect(v.stats).toEqual({ transactions: 6, unbacked: 0, unreached: 0, p50Ms: 100, p99Ms: 2400, maxMs: 2400 })
    expect(v.summary).toBe('source commit → backup: p50 0.10 s, p99 2.40 s, max 2.40 s over 6 transaction(s)')
    expect(v.lagSeries).toEqual({
      bucketMs: 1000,
      points: [
        { time: T0 + 1000, maxMs: 100, transactions: 2 },
        { time: T0 + 2000, maxMs: 100, transactions: 2 },
        { time: T0 + 3000, maxMs: 2400, transactions: 2 },
      ],
    })
  })
})

describe('verdict summaries of a backup', () => {
  it('carry position, lag stats and series for the backup invariants only (what the app shows)', () => {
    const { j } = binlogTask()
    const summaries = check(j, primaryBacksUp(j, [2, 3, 4, 5, 6, 7])).verdicts.map(summarizeVerdict)
    expect(summaries.find((v) => v.invariant === 'single-primary')).not.toHaveProperty('stats')
    expect(summaries.find((v) => v.invariant === 'backup-integrity')?.position).toEqual({
      sinkGtid: '0-1-7',
      lastCommit: '0-1-7',
    })
    expect(summaries.find((v) => v.invariant === 'backup-lag')?.stats).toMatchObject({ p50Ms: 100, maxMs: 100 })
    expect(summaries.find((v) => v.invariant === 'backup-lag')?.lagSeries?.points).toHaveLength(3)
  })
})

describe('checker: binlog invariants and counter tasks', () => {
  it('gives counter tasks no backup verdicts', () => {
    const { j } = twoWorkers()
    j.loop(200, 1, 1, 3)
    const sink = [1, 2, 3].map((id) => ({ id, worker: 1, time: T0 + 200 + (id - 1) * 500 }))
    const report = checkSession({ events: j.events, sinks: { task01: sink }, sourceHistory: history })
    expect(verdict(report, 'sink-integrity').state).toBe('ok')
    // The backup invariants do not apply to a counter task: no verdicts, so nothing reads "not judged".
    expect(report.verdicts.map((x) => x.invariant)).toEqual([
      'single-primary',
      'sink-integrity',
      'commit-monotonic',
      'status-truth',
      'zombie-write',
    ])
  })

  it('orders GTIDs in lastCommit by seq: forward is fine, backward is named', () => {
    const { j } = binlogTask()
    primaryBacksUp(j, [2, 3, 4, 5])
    expect(verdict(check(j, []), 'commit-monotonic').summary).toBe(
      '5 write(s) to lastCommit, never backwards (highest 5)',
    )
    j.commit(5000, 2, 3)
    const v = verdict(check(j, []), 'commit-monotonic')
    expect(v.state).toBe('fail')
    expect(v.violations[0].message).toMatch(/^lastCommit of task01 went back from 0-1-5 to 0-1-3 at \+5\.00 s/)
  })
})

describe('session folder: binlog sinks and the source history', () => {
  const dir = mkdtempSync(join(tmpdir(), 'zklab-backup-'))
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  it('reads backup lines (a torn last one counted) and the saved history, and checks the folder with them', () => {
    const { j } = binlogTask()
    const sink = primaryBacksUp(j, [2, 3, 4, 5, 6, 7])
    mkdirSync(join(dir, 'sinks'))
    mkdirSync(join(dir, 'source'))
    writeFileSync(join(dir, 'events.jsonl'), j.events.map((e) => JSON.stringify(e)).join('\n') + '\n')
    writeFileSync(join(dir, 'session.json'), '{}')
    writeFileSync(
      join(dir, 'sinks', 'task01.log'),
      sink.map((b) => JSON.stringify(b) + '\n').join('') + '{"gtid":"0-1-',
    )
    const historyFile = join(dir, 'source', 'binlog.jsonl')
    writeFileSync(
      historyFile,
      history.map((t) => JSON.stringify(t) + '\n').join('') + '{"gtid": "0-1-8", "rows": "nope"}\n',
    )
    const read = readSink(join(dir, 'sinks', 'task01.log'))
    expect([read.backups.length, read.records.length, read.unreadable]).toEqual([12, 12, 1])
    expect(read.records[0]).toEqual({ id: 2, worker: 1, time: T0 + 1100, session: 's1-1000' })
    // The run's sink summary counts rows written twice, not a transaction's rows, as done twice.
    expect(analyzeSink(join(dir, 'sinks', 'task01.log'))).toEqual({
      records: 12,
      last: 7,
      missing: [],
      duplicates: [],
      unreadable: 1,
      voided: 0,
    })
    // A history line that is not a transaction: the backup verdicts are unknown, naming the line.
    const unreadable = verdict(checkSessionDir(dir), 'backup-integrity')
    expect(unreadable.state).toBe('unknown')
    expect(unreadable.reason).toMatch(/^the source history cannot be read: .*binlog\.jsonl:8: /)
    writeFileSync(historyFile, history.map((t) => JSON.stringify(t) + '\n').join(''))
    expect(readSourceHistory(dir)).toHaveLength(7)
    expect(verdict(checkSessionDir(dir), 'backup-integrity').state).toBe('ok')
  })

  it("puts both verdicts in report.json (valid by its schema) and the lag chart under the task's timeline", () => {
    const report = JSON.parse(
      JSON.stringify(buildReport(readSessionFolder(dir), { labVersion: '0.1.0' })),
    ) as SessionReport
    const result = reportValidator()(report)
    expect(result.errors).toBe('')
    const backupVerdict = report.check.verdicts.find((v) => v.invariant === 'backup-integrity')
    expect(backupVerdict).toMatchObject({ state: 'ok', position: { sinkGtid: '0-1-7', lastCommit: '0-1-7' } })
    // lastCommit on the timeline: the GTIDs by seq.
    expect(report.timeline.tasks[0].lastCommit.map((c) => c.value)).toEqual([0, 2, 3, 4, 5, 6, 7])
    const page = renderHtml(report)
    expect(page).toContain('data-invariant="backup-integrity" data-state="ok"')
    expect(page).toContain('data-invariant="backup-lag" data-state="ok"')
    expect(page).toMatch(/<svg class="chart backup-lag" data-task="task01"[^>]*>[\s\S]*>backup lag<\/text>/)
  })
})
