import { rmSync } from 'node:fs'
import { afterAll, describe, expect, it } from 'vitest'
import { buildReport } from '../../src/core/report/build-report.js'
import { readSessionFolder } from '../../src/core/report/read-session-folder.js'
import { REPORT_SCHEMA_VERSION, type SessionReport } from '../../src/core/report/types.js'
import { readJsonFile } from '../json-files.js'
import { reportValidator } from './helpers/report-schema.js'
import { writeHandMadeSession } from './helpers/report-session.js'

const validate = reportValidator()
const dirs: string[] = []
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })))

function reportOf(opts: Parameters<typeof writeHandMadeSession>[0]) {
  const { dir } = writeHandMadeSession(opts)
  dirs.push(dir)
  // Through JSON, as report.json is written and read.
  return JSON.parse(JSON.stringify(buildReport(readSessionFolder(dir), { labVersion: '0.1.0' }))) as SessionReport
}

describe('report.json schema', () => {
  it('is a draft 2020-12 schema for schemaVersion 1', () => {
    const schema = readJsonFile<{ $schema: string; properties: Record<string, unknown> }>(
      new URL('../../resources/report-schema.json', import.meta.url),
    )
    expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema')
    expect(schema.properties.schemaVersion).toEqual({ const: REPORT_SCHEMA_VERSION })
  })

  it.each([
    ['a closed session', { closed: true }],
    ['a cut-off session with torn journal and sink lines', { tornJournal: true, tornSink: true }],
    ['a session without session.json', { sessionJson: false }],
  ])('validates the report of %s', (_name, opts) => {
    const result = validate(reportOf(opts))
    expect(result.errors).toBe('')
    expect(result.ok).toBe(true)
  })

  it('rejects what breaks the contract', () => {
    const good = reportOf({ closed: true })
    const broken = [
      { ...good, schemaVersion: 2 },
      { ...good, unexpected: true },
      { ...good, summary: { ...good.summary, startMs: 'yesterday' } },
      { ...good, integrity: { ...good.integrity, ending: 'exploded' } },
      { ...good, failovers: [{ ...good.failovers[0], steps: { ...good.failovers[0].steps, firstCommit: 'soon' } }] },
      { ...good, check: { ...good.check, verdicts: [{ ...good.check.verdicts[0], invariant: 'made-up' }] } },
      { ...good, check: { ...good.check, verdicts: [{ ...good.check.verdicts[0], state: 'maybe' }] } },
    ]
    for (const report of broken) expect(validate(report).ok).toBe(false)
    const { summary: _s, ...withoutSummary } = good
    expect(validate(withoutSummary).errors).toContain("must have required property 'summary'")
    // Written before verdict states: still valid.
    const { state: _state, reason: _reason, ...stateless } = good.check.verdicts[0]
    expect(validate({ ...good, check: { ...good.check, verdicts: [stateless] } }).errors).toBe('')
  })

  it("takes a failover's server-side breakdown (the transaction log's), and its absence in older reports", () => {
    const good = reportOf({ closed: true })
    expect(good.failovers[0].server).toBeUndefined()
    const withServer = { ...good, failovers: [{ ...good.failovers[0], server: SERVER }] }
    expect(validate(withServer).errors).toBe('')
    const wrongClock = { ...good, failovers: [{ ...good.failovers[0], server: { ...SERVER, clock: 'remote' } }] }
    expect(validate(wrongClock).ok).toBe(false)
  })
})

const SERVER = {
  source: 'txn-log',
  clock: 'same-host',
  steps: { sessionEnded: 2001, nodeDeleted: 2001, firstCommit: 2009 },
  sessionEnd: 'expired',
  fromSession: 'a1',
  toSession: 'b2',
  toWorker: 'worker-task01-2',
  firstCommitZxid: '0x1f',
  firstCommitId: 6,
}
