/**
 * The workers' typed emitter and the lab's zod entry must agree: every payload the compiler lets a worker
 * emit has to come out of child-line as that typed event, not as a log line. The samples below are held
 * to the payload types by the compiler (every child event type, every value of each closed field); the
 * run checks the schemas accept them, through the real emitter's bytes.
 */
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { parseChildLine } from '../../src/core/workers/child-line.js'
import type {
  AlertKind,
  ChildEventPayloads,
  ChildEventType,
  ConnectionState,
  WorkerExiting,
  WorkerFenced,
  WorkerRole,
  WorkerWatch,
  ZnodeStat,
} from '../../src/shared/events.js'
import { createEmitter, errorFields } from '../../src/worker/common/emitter.js'

/** Every value of a closed field: a record keyed by the type, so a value added to it fails to compile here. */
const every = <K extends string>(values: Record<K, true>): K[] => Object.keys(values) as K[]

const connectionStates = every<ConnectionState>({ connecting: true, connected: true, expired: true, closed: true })
const watchEvents = every<WorkerWatch['event']>({
  created: true,
  deleted: true,
  changed: true,
  child: true,
  notwatching: true,
})
const fencedReasons = every<WorkerFenced['reason']>({
  session: true,
  badversion: true,
  lease: true,
  'node-deleted': true,
  expired: true,
  lost: true,
  claim: true,
})
const exitReasons = every<WorkerExiting['reason']>({ signal: true, 'stdin-closed': true })
const roles = every<WorkerRole>({ primary: true, standby: true })
const alertKinds = every<AlertKind>({ 'status-stopped': true, 'no-instance': true, 'commit-stalled': true })

const SESSION = '72057937785421824'
const NODE = 'server_1_0000000003'
const INSTANCE = '/lab/tasks/t1/instance'
const stat: ZnodeStat = {
  czxid: '0x100000004',
  mzxid: '0x100000009',
  pzxid: '0x100000004',
  ctime: 1_700_000_000_000,
  mtime: 1_700_000_000_500,
  version: 3,
  cversion: 0,
  ephemeralOwner: '0',
  dataLength: 1,
  numChildren: 0,
}
const zkError = Object.assign(new Error('NO_NODE'), { code: -101 })
const connections = connectionStates.map((state) => ({ state, sessionId: SESSION }))

/** What the workers send, by event type: the mapped type makes the compiler ask for every child type. */
const samples: { [T in ChildEventType]: ChildEventPayloads[T][] } = {
  'worker.started': [{ task: 't1', workerId: 1, strategy: 'recipe', pid: 4242 }],
  'worker.connected': [{ sessionId: SESSION, replaced: false }],
  'worker.connection': [
    ...connections,
    { state: 'closed', code: -112 },
    { state: 'closed', sessionId: SESSION, code: 0, reason: 'lease' },
    { state: 'connected', sessionId: SESSION, replaced: true },
  ],
  'worker.registered': [{ node: NODE, path: `${INSTANCE}/${NODE}` }],
  'worker.role': [
    ...roles.map((role) => ({ role, node: NODE, smallest: NODE })),
    { role: 'standby', node: NODE, smallest: 'server_0_0000000001', predecessor: 'server_0_0000000001' },
    { role: 'standby', node: NODE, smallest: NODE, predecessor: null },
    { role: 'standby', node: NODE, reason: 'expired' },
  ],
  'worker.status': [
    { value: '1', version: 4 },
    { value: '0', version: 5, reason: 'last-out' },
  ],
  'worker.work': [{ id: 7 }, { id: 6, reconciled: true }, { id: 42, gtid: '0-1-42', rows: 3 }],
  'worker.commit': [
    { id: 7, version: 6 },
    { id: 6, version: 5, fastForward: true },
    { id: 42, gtid: '0-1-42', version: 9 },
  ],
  'worker.watch': watchEvents.map((event) => ({ path: INSTANCE, event })),
  'worker.error': [errorFields(zkError), errorFields('plain')],
  'worker.exiting': [
    ...exitReasons.map((reason) => ({ reason, sessionClosed: true })),
    { reason: 'signal', signal: 'SIGTERM', sessionClosed: false },
  ],
  'worker.watching': [{ path: `${INSTANCE}/server_0_0000000001`, predecessor: 'server_0_0000000001' }],
  'worker.suspended': [{ sessionId: SESSION }],
  'worker.resumed': [{ sessionId: SESSION }],
  'worker.reconciled': [
    { lastCommit: 5, sinkLast: 7, appended: [], fastForwardTo: 7 },
    { lastCommit: 7, sinkLast: 5, appended: [6, 7], fastForwardTo: null },
    {
      lastCommit: 40,
      sinkLast: 42,
      appended: [],
      fastForwardTo: null,
      resumeAfter: '0-1-41',
      skip: { gtid: '0-1-42', index: 1 },
    },
  ],
  'worker.fenced': [
    ...fencedReasons.map((reason) => ({ id: 8, version: 7, reason })),
    {
      id: 8,
      version: 7,
      reason: 'badversion',
      ...errorFields(Object.assign(new Error('BAD_VERSION'), { code: -103 })),
    },
  ],
  'worker.stream': [
    { state: 'started', gtid: '0-1-40' },
    { state: 'error', gtid: '0-1-42', message: 'connect ECONNREFUSED', attempt: 1, retryInMs: 200 },
    { state: 'stopped', gtid: '' },
  ],
  'publisher.created': [{ task: 't1', path: '/lab/tasks/t1', sessionId: SESSION }],
  'publisher.exists': [{ task: 't1', path: '/lab/tasks/t1', sessionId: SESSION }],
  'publisher.deleted': [{ task: 't1', path: '/lab/tasks/t1', sessionId: SESSION, existed: false }],
  'publisher.error': [errorFields(zkError)],
  'monitor.watching': [{ task: 't1' }],
  'monitor.status': [{ task: 't1', value: '1' }],
  'monitor.alert': alertKinds.map((kind) => ({ task: 't1', kind, message: `t1: ${kind}` })),
  'monitor.cleared': [
    { task: 't1', kind: 'no-instance' },
    { task: 't1', kind: 'commit-stalled', reason: 'task-deleted' },
  ],
  'monitor.unwatched': [{ task: 't1' }],
  'monitor.connection': connections,
  'monitor.error': [errorFields(zkError)],
  'znode.created': [
    { path: '/lab/tasks/t1/status', stat, data: '1' },
    { path: '/lab/big', stat, data: 'xx', truncated: true },
  ],
  'znode.changed': [
    { path: '/lab/tasks/t1/status', stat, data: '0', cause: 'data' },
    { path: INSTANCE, stat, data: '', cause: 'children' },
  ],
  'znode.deleted': [{ path: `${INSTANCE}/${NODE}` }],
  'observer.synced': [{ count: 12 }, { count: 12, resync: true }],
  'observer.connection': connections,
  'observer.error': [errorFields(zkError)],
}

describe('the workers’ emitter output, read back by the lab', () => {
  const dir = mkdtempSync(join(tmpdir(), 'lab-emitter-'))
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  it('comes out as a typed event, with the same fields, for every sample of every child event type', () => {
    const file = join(dir, 'stdout.ndjson')
    const fd = openSync(file, 'w')
    const sent: { type: ChildEventType; fields: object }[] = []
    try {
      const { emit } = createEmitter(fd)
      for (const type of Object.keys(samples) as ChildEventType[]) {
        for (const fields of samples[type]) {
          emit(type, fields, 'warn')
          sent.push({ type, fields })
        }
      }
    } finally {
      closeSync(fd)
    }

    const lines = readFileSync(file, 'utf8').split('\n').filter(Boolean)
    expect(lines).toHaveLength(sent.length)
    const misread: string[] = []
    lines.forEach((line, i) => {
      const event = parseChildLine('worker-t1-1', 'stdout', line, true, 0)
      if (event.type !== sent[i].type) misread.push(`${sent[i].type} read as ${event.type}: ${line}`)
      else expect(event).toMatchObject({ ...sent[i].fields, source: 'worker-t1-1', level: 'warn' })
      expect(event.time).toBeGreaterThan(0) // the child's clock, not the fallback
    })
    expect(misread).toEqual([])
  })
})
