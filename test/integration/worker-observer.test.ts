/** The observer against a real ZooKeeper: every create, change and delete, with Stat, even under load. */
import { describe, expect, it } from 'vitest'
import { CreateMode, type ZkClient } from '../../src/worker/common/zk.js'
import { useStandaloneZk, type StandaloneZk } from './helpers/standalone-zk.js'
import { startProgram, type ChildEvent, type WorkerProcess } from './helpers/worker-process.js'
import { anyNumber, stringMatching } from '../matchers.js'

let zk: StandaloneZk
let client: ZkClient

useStandaloneZk((started, connected) => {
  zk = started
  client = connected
})

const at = (type: string, path: string) => (e: ChildEvent) => e.type === type && e.path === path
const startObserver = (root: string, extra: string[] = []): WorkerProcess =>
  startProgram('observer', ['--connect', zk.connect, '--root', root, ...extra])

/** Creates many nodes with many requests in flight, in bounded batches. */
async function createMany(paths: string[], batch = 500): Promise<void> {
  for (let i = 0; i < paths.length; i += batch)
    await Promise.all(paths.slice(i, i + batch).map((p) => client.create(p, 'x')))
}

describe('observer', () => {
  it('waits for a missing root, then reports creates, changes and deletes with their Stat', async () => {
    const root = '/obs1'
    const observer = startObserver(root, ['--max-data', '16'])
    expect(await observer.waitForType('observer.synced')).toMatchObject({ count: 0 })

    await client.create(root, 'hello')
    const created = await observer.waitFor(at('znode.created', root), 'root created')
    expect(created).toMatchObject({
      data: 'hello',
      stat: {
        czxid: stringMatching(/^0x[0-9a-f]+$/),
        mzxid: stringMatching(/^0x[0-9a-f]+$/),
        pzxid: stringMatching(/^0x[0-9a-f]+$/),
        ctime: anyNumber(),
        mtime: anyNumber(),
        version: 0,
        cversion: 0,
        ephemeralOwner: '0',
        dataLength: 5,
        numChildren: 0,
      },
    })
    expect(Math.abs((created.stat as { ctime: number }).ctime - Date.now())).toBeLessThan(60_000)

    await client.create(`${root}/a`, '')
    await observer.waitFor(at('znode.created', `${root}/a`), 'a created')
    await client.set(`${root}/a`, 'x'.repeat(40), -1)
    const changed = await observer.waitFor(at('znode.changed', `${root}/a`), 'a changed')
    expect(changed).toMatchObject({
      data: 'x'.repeat(16),
      truncated: true,
      cause: 'data',
      stat: { version: 1, dataLength: 40 },
    })

    const eph = await client.create(`${root}/a/e`, 'é', CreateMode.EPHEMERAL)
    const ephCreated = await observer.waitFor(at('znode.created', eph), 'ephemeral created')
    expect(ephCreated.stat).toMatchObject({ ephemeralOwner: client.sessionId, dataLength: 2 })
    expect(ephCreated.data).toBe('é')
    const parentChanged = await observer.waitFor(
      (e) => at('znode.changed', `${root}/a`)(e) && e.cause === 'children',
      'a children changed',
    )
    expect(parentChanged.stat).toMatchObject({ numChildren: 1, cversion: 1 })

    await client.delete(eph, -1)
    await client.delete(`${root}/a`, -1)
    await observer.waitFor(at('znode.deleted', `${root}/a`), 'a deleted')
    const deletes = observer.ofType('znode.deleted').map((e) => e.path)
    expect(deletes).toEqual([eph, `${root}/a`])

    // the root goes and comes back
    await client.delete(root, -1)
    await observer.waitFor(at('znode.deleted', root), 'root deleted')
    await client.create(root, 'again')
    const back = await observer.waitFor((e) => at('znode.created', root)(e) && e.data === 'again', 'root created again')
    expect(back.stat).toMatchObject({ version: 0 })
    expect(observer.otherLines).toEqual([])
    expect(observer.ofType('observer.error')).toEqual([])
  })

  it('misses no node created in a burst, in a deep tree', async () => {
    const root = '/obs2'
    await client.create(root, '')
    const observer = startObserver(root)
    await observer.waitForType('observer.synced')
    // Created without waiting: later ones land while the observer re-reads after the first child event.
    const paths: string[] = []
    for (let i = 0; i < 40; i++) paths.push(`${root}/n${i}`)
    await Promise.all(paths.map((p) => client.create(p, String(p.length))))
    const deep = [`${root}/n0/a`, `${root}/n0/a/b`, `${root}/n0/a/b/c`]
    for (const p of deep) await client.create(p, '')
    await observer.waitFor(at('znode.created', deep[2]), 'deepest created')
    await observer.waitFor(
      () => paths.every((p) => observer.events.some(at('znode.created', p))),
      'all burst nodes',
      30_000,
    )
    const createdPaths = observer.ofType('znode.created').map((e) => e.path)
    expect(new Set(createdPaths).size).toBe(createdPaths.length) // each reported once
  })

  it('mirrors a tree of 10,000 nodes and then still follows changes', async () => {
    const root = '/obs3'
    await client.create(root, '')
    const parents = Array.from({ length: 100 }, (_, i) => `${root}/p${i}`)
    await createMany(parents)
    await createMany(parents.flatMap((p) => Array.from({ length: 100 }, (_, j) => `${p}/c${j}`)))

    const started = Date.now()
    const observer = startObserver(root)
    const synced = await observer.waitForType('observer.synced', 110_000)
    expect(synced.count).toBe(1 + 100 + 10_000)
    expect(new Set(observer.ofType('znode.created').map((e) => e.path)).size).toBe(10_101)
    console.log(`observer mirrored 10,101 nodes in ${Date.now() - started} ms (including process start)`)

    await client.set(`${root}/p99/c99`, 'changed', -1)
    await client.create(`${root}/p50/new`, '')
    await observer.waitFor(
      (e) => at('znode.changed', `${root}/p99/c99`)(e) && e.data === 'changed',
      'change after sync',
    )
    await observer.waitFor(at('znode.created', `${root}/p50/new`), 'create after sync')
  })

  it('after its session expired, reads the tree again and reports only what changed meanwhile', async () => {
    const root = '/obs4'
    await client.create(root, '')
    for (const n of ['keep', 'change', 'drop']) await client.create(`${root}/${n}`, n)
    const observer = startObserver(root, ['--session-timeout', '2000'])
    await observer.waitForType('observer.synced')
    const firstSession = observer.ofType('observer.connection')[0].sessionId

    process.kill(observer.pid, 'SIGSTOP') // longer than the session timeout
    await client.set(`${root}/change`, 'changed', -1)
    await client.delete(`${root}/drop`, -1)
    await client.create(`${root}/new`, 'new')
    await new Promise((r) => setTimeout(r, 5000))
    const mark = observer.events.length
    process.kill(observer.pid, 'SIGCONT')

    await observer.waitFor((e) => e.type === 'observer.connection' && e.state === 'expired', 'expired', 30_000, mark)
    const renewed = await observer.waitFor(
      (e) => e.type === 'observer.connection' && e.replaced === true,
      'new session',
      30_000,
      mark,
    )
    expect(renewed.sessionId).not.toBe(firstSession)
    const resynced = await observer.waitFor(
      (e) => e.type === 'observer.synced' && e.resync === true,
      'resync',
      30_000,
      mark,
    )
    expect(resynced.count).toBe(4)
    const diff = observer.events.slice(mark).filter((e) => e.type.startsWith('znode.'))
    expect(diff.map((e) => `${e.type} ${String(e.path)}`).sort()).toEqual(
      [
        `znode.changed ${root}`,
        `znode.changed ${root}/change`,
        `znode.created ${root}/new`,
        `znode.deleted ${root}/drop`,
      ].sort(),
    )
    expect(diff.find((e) => e.path === root)).toMatchObject({ cause: 'children', stat: { numChildren: 3 } })
    expect(diff.find((e) => e.path === `${root}/change`)).toMatchObject({ cause: 'data', data: 'changed' })
    // and it follows the tree on the new session
    await client.set(`${root}/keep`, 'kept', -1)
    await observer.waitFor(
      (e) => at('znode.changed', `${root}/keep`)(e) && e.data === 'kept',
      'change on the new session',
    )
  })

  it('exits 0, closing its session, on SIGTERM and when stdin ends', async () => {
    const a = startObserver('/')
    await a.waitForType('observer.synced')
    a.kill('SIGTERM')
    expect((await a.exited).code).toBe(0)

    const b = startObserver('/obs-stdin')
    await b.waitForType('observer.synced')
    b.child.stdin!.end()
    expect((await b.exited).code).toBe(0)
  })
})
