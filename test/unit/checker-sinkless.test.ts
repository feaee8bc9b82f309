/**
 * A program that keeps no sink and reports nothing (kazoo's Election here): its work is its writes to
 * lastCommit, each the work of the primary the lab read off the election, and the window until
 * ZooKeeper lets go of a killed primary's session is nobody's fault.
 */
import { describe, expect, it } from 'vitest'
import { checkSession } from '../../src/core/checker/index.js'
import { ExternalRoles } from '../../src/core/external/external-roles.js'
import type { LabEvent } from '../../src/shared/events.js'
import { JournalBuilder, T0 } from './helpers/checker-journal.js'

const ROOT = '/customBackUp'
const I = 500

/** A journal of kazoo workers, with the lab's external.role events derived as the lab derives them live. */
class KazooJournal {
  readonly j = new JournalBuilder('task01', I)
  private readonly roles = new ExternalRoles(ROOT, (e) => this.j.add(this.at, 'lab', e.type, { ...e }))
  private at = 0
  private lastCommit = 0
  private statusVersion = 0

  add(at: number, source: string, type: string, fields: Record<string, unknown> = {}): LabEvent {
    this.at = at
    const e = this.j.add(at, source, type, fields)
    this.roles.onEvent(e)
    return e
  }

  spawn(at: number, n: number, session: string): this {
    this.add(at, 'lab', 'process.spawned', {
      name: this.j.name(n),
      kind: 'external',
      pid: 2000 + n,
      labels: { task: 'task01', workerId: n, strategy: 'kazoo' },
    })
    this.add(at + 1, 'lab', 'client.session', {
      name: this.j.name(n),
      sessionId: session,
      how: 'new',
      timeoutMs: 4000,
      server: '127.0.0.1:2181',
    })
    return this
  }

  node(at: number, kind: 'created' | 'deleted', name: string, owner = '0'): this {
    this.add(at, 'observer', `znode.${kind}`, {
      path: `${ROOT}/tasks/task01/instance/${name}`,
      data: '',
      stat: { ephemeralOwner: owner, ctime: 0, version: 0 },
    })
    return this
  }

  /** The observer's report of a write by whoever it was. */
  write(at: number, child: 'lastCommit' | 'status', data: string): this {
    const version = child === 'lastCommit' ? ++this.lastCommit : ++this.statusVersion
    this.add(at, 'observer', 'znode.changed', {
      path: `${ROOT}/tasks/task01/${child}`,
      data,
      cause: 'data',
      stat: { version, ephemeralOwner: '0', ctime: 0 },
    })
    return this
  }

  commits(at: number, from: number, to: number): number {
    let t = at
    for (let id = from; id <= to; id++, t += I) this.write(t, 'lastCommit', String(id))
    return t
  }

  kill(at: number, n: number): this {
    this.add(at, 'lab', 'process.action', { name: this.j.name(n), action: 'kill' })
    this.add(at + 5, 'lab', 'process.exited', { name: this.j.name(n), pid: 2000 + n, code: null, signal: 'SIGKILL' })
    return this
  }
}

const A = `${'a'.repeat(32)}__lock__0000000000`
const B = `${'b'.repeat(32)}__lock__0000000001`

/** Two kazoo workers, 1 primary working; 1 killed; its node lasts the 4 s session timeout. */
function killedPrimary({ takeover }: { takeover: boolean }) {
  const k = new KazooJournal()
  k.j.publish(10)
  k.spawn(100, 1, '100a').spawn(100, 2, '100b')
  k.node(150, 'created', A, '100a').node(160, 'created', B, '100b')
  k.write(170, 'status', '1')
  const t = k.commits(200, 1, 6)
  k.kill(t, 1)
  k.node(t + 4000, 'deleted', A)
  if (takeover) k.commits(t + 4020, 7, 12)
  return k
}

const verdictOf = (events: readonly LabEvent[], invariant: string) =>
  checkSession({ events, sinks: { task01: [] } }).verdicts.find((v) => v.invariant === invariant)!

describe('checker: a worker with no sink and no work events', () => {
  it('works out who worked from the writes to lastCommit and the derived primary', () => {
    const { j } = killedPrimary({ takeover: true })
    const single = verdictOf(j.events, 'single-primary')
    expect(single.state).toBe('ok')
    expect(single.summary).toMatch(/2 working interval/)
  })

  it('says sink-integrity is not judged: the program keeps no sink', () => {
    const { j } = killedPrimary({ takeover: true })
    const v = verdictOf(j.events, 'sink-integrity')
    expect(v).toMatchObject({ state: 'not-judged', ok: true, reason: 'no sink: kazoo keeps none' })
  })

  it('breaks the takeover down from the election and the first write to lastCommit after it', () => {
    const { j } = killedPrimary({ takeover: true })
    const [failover] = checkSession({ events: j.events, sinks: { task01: [] } }).failovers
    expect(failover).toMatchObject({ fault: 'kill', from: j.name(1), to: j.name(2), fromNode: A, firstCommitId: 7 })
    expect(failover.steps.nodeDeleted).toBe(4000)
    expect(failover.steps.newPrimary).toBe(4000)
    expect(failover.steps.firstCommit).toBe(4020)
  })

  it('does not blame a killed primary for "1" while ZooKeeper still holds its session', () => {
    const { j } = killedPrimary({ takeover: true })
    const v = verdictOf(j.events, 'status-truth')
    expect(v.violations).toEqual([])
    expect(v.state).toBe('ok')
  })

  it('places sink records by time: a new primary that records its first id before the lab reads the election', () => {
    const k = killedPrimary({ takeover: true })
    // kazoo keeps a sink: its records (no journal position) are the work; the new primary's first one
    // is stamped by its own clock in the same ms as the observer's deletion that made it primary.
    const t = 200 + 6 * I
    const sink = [
      ...[1, 2, 3, 4, 5, 6].map((id) => ({ id, worker: 1, time: T0 + 200 + (id - 1) * I })),
      ...[7, 8, 9].map((id) => ({ id, worker: 2, time: T0 + t + 4000 + (id - 7) * I })),
    ]
    const v = checkSession({ events: k.j.events, sinks: { task01: sink } }).verdicts.find(
      (x) => x.invariant === 'status-truth',
    )!
    expect(v.violations).toEqual([])
  })

  it('still catches "1" left once ZooKeeper dropped it and nobody took over', () => {
    const k = killedPrimary({ takeover: false })
    k.add(20_000, 'lab', 'session.closing', {})
    const v = verdictOf(k.j.events, 'status-truth')
    expect(v.state).toBe('fail')
    expect(v.violations.map((x) => x.kind)).toEqual(['running-while-idle'])
    expect(v.violations[0].message).toMatch(/ZooKeeper dropped worker-task01-1/)
  })

  it('says single-primary and status-truth are not judged when lastCommit moved but nobody is named primary', () => {
    const k = new KazooJournal()
    k.j.publish(10)
    k.spawn(100, 1, '100a')
    // The first child's owner is a session no proxy reported: nobody is primary as far as the lab knows.
    k.node(150, 'created', A, 'ffff').node(160, 'created', B, '100a')
    k.commits(200, 1, 4)
    for (const invariant of ['single-primary', 'status-truth'])
      expect(verdictOf(k.j.events, invariant)).toMatchObject({
        state: 'not-judged',
        reason: expect.stringMatching(/^no working evidence/) as unknown,
      })
  })
})
