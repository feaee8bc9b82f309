/**
 * Strategy `seed`: a faithful port of the Go program from the seed blog post, flaws included, so the lab
 * can break it. Read next to /seed/README.md. What it does NOT do, on purpose:
 * - no fencing: the primary commits with version -1 (an unconditional write), forever;
 * - every standby watches the whole `instance` list (the herd effect) and sets status "0" on ANY child
 *   event, even a new standby joining while the primary is healthy (status flapping);
 * - no reaction to connection loss: requests wait for the connection and carry on;
 * - on session expiry it opens a new session (as go-zookeeper does by itself) and keeps its role without
 *   registering again: an expired primary keeps committing next to its successor (the zombie primary);
 * - SIGTERM/SIGINT end the process at once without closing the session, so its ephemeral node lingers
 *   until the session times out.
 */
import { appendFileSync, mkdirSync } from 'node:fs'
import { constants as osConstants } from 'node:os'
import { dirname } from 'node:path'
import { WorkerEventTypes as E } from '../../shared/events.js'
import { errorFields } from '../common/emitter.js'
import { onParentGone, onStopSignals } from '../common/lifecycle.js'
import { instancePrefix, pathPrefixes } from '../common/paths.js'
import { Session } from '../common/session.js'
import { CreateMode, createIfMissing, type WatchEvent, type ZkClient } from '../common/zk.js'
import { atoi, seedRole, sinkRecord } from './seed-rules.js'
import type { Strategy } from './types.js'

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))

/** go-zookeeper's notice to watchers when their session expired (EventNotWatching). */
type SeedWatchEvent = WatchEvent | { type: 'notwatching'; path: string }

export const seedStrategy: Strategy = async ({ options, paths, emit }) => {
  // Loaded only for this workload (the binlog client and mysql2 cost a counter worker ~0.2 s to load).
  const binlog = options.workload === 'binlog' ? await import('./seed-binlog.js') : undefined
  const session = new Session({ connect: options.connect, sessionTimeoutMs: options.sessionTimeoutMs })
  let leaving = false

  /** The Go program panics on every ZooKeeper error: report it and die, session left to expire. */
  const panic = (err: unknown): never => {
    leaving = true
    emit(E.error, errorFields(err), 'error')
    process.exit(2)
  }
  /** One ZooKeeper request; connection losses are waited out (see the header), anything else panics. */
  const zk = <T>(op: (client: ZkClient) => Promise<T>): Promise<T> => session.run(op).catch(panic)

  onStopSignals((signal) => {
    // The Go program has no signal handling: the process dies and its session is left to time out.
    leaving = true
    emit(E.exiting, { reason: 'signal', signal, sessionClosed: false }, 'warn')
    process.exit(128 + osConstants.signals[signal])
  })
  onParentGone(() => {
    // Not part of the seed: the lab itself is gone, so leave no orphan and no session behind.
    leaving = true
    session.close()
    emit(E.exiting, { reason: 'stdin-closed', sessionClosed: true }, 'warn')
    process.exit(0)
  })

  let watchWaiter: ((event: SeedWatchEvent) => void) | undefined

  session.on('session', (_client: ZkClient, sessionId: string, replaced: boolean) => {
    emit(E.connected, { sessionId, replaced })
    emit(E.connection, { state: 'connected', sessionId })
  })
  session.on('connected', (client: ZkClient) => emit(E.connection, { state: 'connected', sessionId: client.sessionId }))
  session.on('connecting', (client: ZkClient) =>
    emit(E.connection, { state: 'connecting', sessionId: client.sessionId }, 'warn'),
  )
  session.on('expired', (client: ZkClient) => {
    emit(E.connection, { state: 'expired', sessionId: client.sessionId }, 'warn')
    // go-zookeeper tells every pending watcher its session is gone; the standby takes that as "an event".
    watchWaiter?.({ type: 'notwatching', path: paths.instance })
  })
  session.on('closed', (code: number) => {
    if (leaving) return
    emit(E.connection, { state: 'closed', code }, 'error')
    panic(new Error(`ZooKeeper session closed (code ${code})`))
  })

  try {
    await session.start(options.connectTimeoutMs)
  } catch (err) {
    panic(err)
  }

  // The Go code creates the task and its children when the task is missing, with no guard against a
  // racing creator (a second creator panics on "node exists"). Our port tolerates "already exists" and
  // checks each child, not just the task: a publisher may be first, or halfway through.
  for (const path of pathPrefixes(paths.task)) await zk((c) => createIfMissing(c, path))
  await zk((c) => createIfMissing(c, paths.instance))
  await zk((c) => createIfMissing(c, paths.lastCommit, '0'))
  await zk((c) => createIfMissing(c, paths.status, '0'))

  // Registration is not retried: a retry after a lost reply could leave a second node behind.
  const registered = await session
    .ready()
    .then((c) => c.create(`${paths.instance}/${instancePrefix(options.workerId)}`, '', CreateMode.EPHEMERAL_SEQUENTIAL))
    .catch(panic)
  const node = registered.slice(registered.lastIndexOf('/') + 1)
  emit(E.registered, { node, path: registered })

  mkdirSync(dirname(options.sink), { recursive: true })

  /** The primary's loop (Go's handleTask): never returns. */
  const handleTask = async (): Promise<never> => {
    const { data } = await zk((c) => c.get(paths.lastCommit))
    if (binlog) {
      return binlog.seedBinlogTask({
        options,
        emit,
        lastCommit: data.toString('utf8'),
        sessionId: () => session.sessionId,
        append: (text) => {
          try {
            appendFileSync(options.sink, text)
          } catch (err) {
            panic(err)
          }
        },
        commit: async (gtid) => (await zk((c) => c.set(paths.lastCommit, gtid, -1))).version,
      })
    }
    let id = atoi(data.toString('utf8'))
    for (;;) {
      id++
      try {
        // On disk before the commit: a record without a commit is redone by the next primary (visible
        // as a duplicate in the sink), a commit without a record would be lost work.
        appendFileSync(options.sink, sinkRecord(id, options.workerId, session.sessionId))
      } catch (err) {
        panic(err)
      }
      emit(E.work, { id })
      const stat = await zk((c) => c.set(paths.lastCommit, String(id), -1))
      emit(E.commit, { id, version: stat.version })
      await sleep(options.commitIntervalMs)
    }
  }

  /** Go's ChildrenW + `<-events`: the first event on the whole instance list. */
  const nextInstanceEvent = (): Promise<SeedWatchEvent> =>
    new Promise((resolve) => {
      watchWaiter = resolve
      void zk((c) => c.getChildren(paths.instance, resolve))
    })

  // Go's start_worker loop.
  for (;;) {
    const children = await zk((c) => c.getChildren(paths.instance))
    const { role, smallest } = seedRole(node, children)
    emit(E.role, { role, node, smallest })
    if (role === 'primary') {
      const stat = await zk((c) => c.set(paths.status, '1', -1))
      emit(E.statusSet, { value: '1', version: stat.version })
      await handleTask()
    }
    const event = await nextInstanceEvent()
    watchWaiter = undefined
    emit(E.watch, { path: event.path, event: event.type })
    const stat = await zk((c) => c.set(paths.status, '0', -1))
    emit(E.statusSet, { value: '0', version: stat.version })
  }
}
