/**
 * Leadership read from the election, whatever the names: each election child is tied to a worker
 * through its owner session, which the worker's proxy reported (client.session), and the first child
 * in election order is the primary's.
 */
import { describe, expect, it } from 'vitest'
import type { LabEvent } from '../../src/shared/events.js'
import { ExternalRoles, type ExternalRoleEvent } from '../../src/core/external/external-roles.js'

let seq = 0
const ev = (fields: Record<string, unknown>): LabEvent =>
  ({ seq: ++seq, time: 1000 + seq, source: 'lab', ...fields }) as LabEvent
/** An external worker's launch, as the lab records it, with the task's election settings if any. */
const spawned = (workerId: number, election?: { path?: string; order?: string }) => {
  const settings = {
    program: 'external',
    connect: '127.0.0.1:40001',
    root: '/customBackUp',
    task: 't1',
    workerId,
    sessionTimeoutMs: 4000,
    commitIntervalMs: 250,
    sink: '/s/sinks/t1.log',
    ...(election ? { election } : {}),
  }
  const labels = { task: 't1', workerId, strategy: 'kazoo' }
  return ev({
    type: 'process.spawned',
    kind: 'external',
    name: `worker-t1-${workerId}`,
    pid: 100 + workerId,
    labels,
    settings,
  })
}
const session = (workerId: number, sessionId: string, how: 'new' | 'resumed' | 'expired' = 'new') =>
  ev({
    type: 'client.session',
    name: `worker-t1-${workerId}`,
    sessionId,
    how,
    timeoutMs: 4000,
    server: '127.0.0.1:2181',
  })
const node = (type: 'znode.created' | 'znode.deleted', name: string, owner = '0', parent = 'instance') =>
  ev({
    source: 'observer',
    type,
    path: `/customBackUp/tasks/t1/${parent}/${name}`,
    stat: { ephemeralOwner: owner, ctime: 2000 },
    data: '',
  })

/** Feeds events and keeps each worker's latest derived role. */
function election() {
  const roles = new ExternalRoles('/customBackUp', (e) => {
    out.push(e)
    latest.set(e.name, e)
  })
  const out: ExternalRoleEvent[] = []
  const latest = new Map<string, ExternalRoleEvent>()
  const feed = (...events: LabEvent[]) => events.forEach((e) => roles.onEvent(e))
  const primary = () => [...latest.values()].filter((e) => e.role === 'primary').map((e) => e.name)
  return { feed, latest, primary, out }
}

describe('external roles from the election, attributed through the proxy', () => {
  const styles: [string, (n: number) => string][] = [
    ['seed-go', (n) => `server_${n}000000000${n}`],
    ['kazoo', (n) => `${'ab'.repeat(16)}${n}__lock__000000000${n}`],
    ['curator', (n) => `_c_1f2e${n}c4d-0000-4000-8000-00000000000${n}-latch-000000000${n}`],
    ['an unseen program', (n) => `6f1c${n}a2e-member-000000000${n}`],
  ]
  for (const [style, name] of styles) {
    it(`picks the owner of the first child with ${style} names`, () => {
      const { feed, latest, primary } = election()
      // Worker 2 registers first, with a node name that says nothing of its id.
      feed(spawned(1), spawned(2), session(1, '0x10000aa'), session(2, '10000bb'))
      feed(node('znode.created', name(2), '10000bb'), node('znode.created', name(3), '10000aa'))
      expect(primary()).toEqual(['worker-t1-2'])
      expect(latest.get('worker-t1-2')).toMatchObject({ node: name(2), sessionId: '10000bb', attributedBy: 'proxy' })
      expect(latest.get('worker-t1-1')).toMatchObject({ role: 'standby', node: name(3), sessionId: '10000aa' })
      feed(node('znode.deleted', name(2)))
      expect(primary()).toEqual(['worker-t1-1'])
    })
  }

  it('reads the seed-go names right: server_<id> and the sequence with no underscore between', () => {
    const { feed, primary } = election()
    feed(spawned(1), spawned(2), session(1, 'a1'), session(2, 'b2'))
    feed(node('znode.created', 'server_20000000001', 'b2'), node('znode.created', 'server_10000000002', 'a1'))
    expect(primary()).toEqual(['worker-t1-2'])
  })

  it("orders by a task's own regex, numerically, in its own election path, and ignores deeper nodes", () => {
    const { feed, primary, latest } = election()
    const settings = { path: 'election/leader', order: '^n-(\\d+)-' }
    feed(spawned(1, settings), spawned(2, settings), session(1, 'a1'), session(2, 'b2'))
    // 10 > 9 numerically (not as text), and the instance path is not this task's election.
    feed(
      node('znode.created', 'n-10-x', 'a1', 'election/leader'),
      node('znode.created', 'n-9-y', 'b2', 'election/leader'),
    )
    feed(node('znode.created', 'server_1_0000000000', 'a1'))
    feed(node('znode.created', 'n-1-z/deeper', 'a1', 'election/leader'))
    expect(primary()).toEqual(['worker-t1-2'])
    expect(latest.get('worker-t1-1')).toMatchObject({ role: 'standby', node: 'n-10-x' })
  })

  it('keeps a resumed session and ties a new session after expiry to the same worker; the old node stays the old session’s', () => {
    const { feed, primary, latest } = election()
    feed(spawned(1), spawned(2), session(1, 'a1'), session(2, 'b2'))
    feed(node('znode.created', 'x-member-0000000001', 'a1'), node('znode.created', 'y-member-0000000002', 'b2'))
    // A reconnect to the same session changes nothing.
    feed(session(1, 'a1', 'resumed'))
    expect(primary()).toEqual(['worker-t1-1'])
    // Worker 1's session expires; its proxy hears so before the observer sees the node go.
    feed(session(1, 'a1', 'expired'))
    expect(primary()).toEqual(['worker-t1-2'])
    // On a new session it registers again: a standby behind 2, and its node is its new session's.
    feed(
      session(1, 'a3'),
      node('znode.deleted', 'x-member-0000000001'),
      node('znode.created', 'x-member-0000000003', 'a3'),
    )
    expect(primary()).toEqual(['worker-t1-2'])
    expect(latest.get('worker-t1-1')).toMatchObject({ role: 'standby', node: 'x-member-0000000003', sessionId: 'a3' })
  })

  it('keeps no primary while the first child belongs to a session no worker opened', () => {
    const { feed, primary, latest } = election()
    feed(spawned(1), session(1, 'a1'))
    feed(node('znode.created', 'q-0000000001', 'ffff'), node('znode.created', 'q-0000000002', 'a1'))
    expect(primary()).toEqual([])
    expect(latest.get('worker-t1-1')).toMatchObject({ role: 'standby', smallest: 'q-0000000001' })
  })

  it('falls back to the server_<workerId>_ naming when no proxy reported a session (old journals)', () => {
    const { feed, latest, primary } = election()
    feed(spawned(1), spawned(2))
    feed(node('znode.created', 'server_2_0000000001', 'b2'), node('znode.created', 'server_1_0000000002', 'a1'))
    expect(primary()).toEqual(['worker-t1-2'])
    expect(latest.get('worker-t1-2')).toMatchObject({ attributedBy: 'node-name', sessionId: 'b2' })
  })
})
