/**
 * Strategy `recipe`: the seed's primary/standby task done right. Same znodes, flags and events as
 * `seed`; the protocol, with its sequence diagram, is in src/worker/README.md ("The `recipe` strategy").
 * - One ZooKeeper session = one registration = one candidacy. When the session expires (or we give it
 *   up) the candidacy is over: a new session registers a new node and goes through the election again.
 * - A standby watches only its predecessor (exists-watch on the next smaller node): no herd effect.
 * - Only the primary writes status ("1" when it starts working); standbys never touch it.
 * - The primary works only while connected: on a connection loss it suspends, resumes if the same
 *   session comes back, and steps down when it expires.
 * - Every commit is fenced: a conditional set of lastCommit on the version it last wrote or read, then
 *   the sink append, and only while the reply to that set still proves the session is alive (the lease).
 *   A new primary reconciles (commit-before-record leaves at most the last committed ids unrecorded).
 * - SIGTERM/SIGINT close the session before exiting, so the node goes at once.
 */
import { appendFileSync, mkdirSync } from 'node:fs'
import { constants as osConstants } from 'node:os'
import { dirname } from 'node:path'
import { performance } from 'node:perf_hooks'
import { WorkerEventTypes as E, type WorkerFenced } from '../../shared/events.js'
import { errorFields } from '../common/emitter.js'
import { onParentGone, onStopSignals } from '../common/lifecycle.js'
import { instancePrefix, pathPrefixes } from '../common/paths.js'
import type { RawStat } from '../common/stat.js'
import {
  CreateMode,
  connectZk,
  createIfMissing,
  isTransient,
  isZkCode,
  SESSION_EXPIRED_CLOSE,
  ZkCode,
  type WatchEvent,
  type ZkClient,
} from '../common/zk.js'
import {
  electRecipe,
  isLastRegistration,
  leaseHolds,
  orderRegistrations,
  parseCommitted,
  reconcilePlan,
  recipeSinkRecord,
  type SinkTail,
} from './recipe-rules.js'
import type { RecipePrimary } from './recipe-binlog.js'
import { readSinkTailOfFile } from './sink-tail.js'
import type { Strategy } from './types.js'

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))
const now = () => performance.now() // monotonic: the lease must not move with the wall clock

/**
 * Closes a session so that the server really ends it. Called from inside a ZooKeeper completion (our
 * promise chains run there), the C client's zookeeper_close only frees the handle without sending the
 * close request, and the node would linger until the session expires; one turn of the event loop first.
 */
/**
 * Fault injection for tests and demos: `ZKLAB_RECIPE_STALL_AFTER_COMMIT=<id>:<ms>` blocks the whole
 * process (event loop, pings and all, like a GC pause) for ms right after the commit of id and before
 * the sink fence: the one moment a paused primary holds a commit it has not recorded.
 */
function stallHook(value: string | undefined): ((id: number) => void) | undefined {
  const m = /^(\d+):(\d+)$/.exec(value ?? '')
  if (!m) return undefined
  const [at, ms] = [Number(m[1]), Number(m[2])]
  return (id) => {
    if (id === at) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms)
  }
}
const stallAfterCommit = stallHook(process.env.ZKLAB_RECIPE_STALL_AFTER_COMMIT)

async function closeSession(client: ZkClient): Promise<void> {
  await new Promise<void>((resolve) => setImmediate(resolve))
  client.close()
}

/** How long shutdown waits for a commit step in flight, and for each of its own requests (the lab's grace is 5 s). */
const SHUTDOWN_STEP_WAIT_MS = 2000
const SHUTDOWN_REQUEST_MS = 1000

/** A takeover's reads: lastCommit as read, status's data, and when they were sent (monotonic, the lease). */
interface Takeover {
  commit: { data: Buffer; stat: RawStat }
  status: string
  sentAt: number
}

export type StepDownReason = 'expired' | 'badversion' | 'lease' | 'node-deleted' | 'lost'

/** The session this candidacy ran on is over (expired, or closed by us). */
class SessionEnded extends Error {
  constructor(readonly code: number) {
    super(`ZooKeeper session ended (code ${code})`)
    this.name = 'SessionEnded'
  }
}

/** We give up the candidacy while the session may still be alive: the session is closed and a new one starts. */
class StepDown extends Error {
  constructor(readonly reason: StepDownReason) {
    super(`stepping down: ${reason}`)
    this.name = 'StepDown'
  }
}

/** One session's candidacy. Everything it awaits is raced against `over`, which rejects when it ends. */
class Candidacy {
  readonly over: Promise<never>
  ending: SessionEnded | StepDown | undefined
  node = ''
  ownPath = ''
  role: 'none' | 'standby' | 'primary' = 'none'
  /**
   * Registrations other than ours, as the primary's members watch last saw them (undefined: not known).
   * A primary with a standby waiting leaves at once on SIGTERM, with no round trip before its close.
   */
  others: number | undefined
  /** Send time (monotonic) of the latest request the server answered: the start of our current lease. */
  heardAt = 0
  private reject!: (err: Error) => void

  constructor(
    readonly client: ZkClient,
    /** Session timeout the server granted (ms): the lease is a fraction of it. */
    readonly timeoutMs: number,
  ) {
    this.over = new Promise<never>((_, reject) => (this.reject = reject))
    this.over.catch(() => {}) // observed through race(); never an unhandled rejection
  }

  end(err: SessionEnded | StepDown): void {
    if (this.ending) return
    this.ending = err
    this.reject(err)
  }

  race<T>(p: Promise<T>): Promise<T> {
    return Promise.race([p, this.over])
  }
}

export const recipeStrategy: Strategy = async ({ options, paths, emit }) => {
  // Loaded only for this workload (the binlog client and mysql2 cost a counter worker ~0.2 s to load).
  const binlog = options.workload === 'binlog' ? await import('./recipe-binlog.js') : undefined
  let leaving = false
  let current: Candidacy | undefined
  /** The primary's commit step in progress: shutdown lets it finish so a record is not split from its commit. */
  let inFlight: Promise<unknown> | undefined

  const fatal = (err: unknown): never => {
    if (!leaving) {
      leaving = true
      emit(E.error, errorFields(err), 'error')
      current?.client.close()
    }
    process.exit(2)
  }

  const shutdown = async (reason: 'signal' | 'stdin-closed', signal?: NodeJS.Signals): Promise<void> => {
    if (leaving) return
    leaving = true
    const c = current
    if (inFlight) await Promise.race([inFlight, sleep(SHUTDOWN_STEP_WAIT_MS)])
    let sessionClosed = false
    if (c && !c.client.isClosed) {
      if (c.client.state === 'connected') {
        // With a standby known to be waiting, status stays "1" for it: no request before the close.
        const standbyWaiting = c.others !== undefined && c.others > 0
        if (c.role === 'primary' && !c.ending && !standbyWaiting) await markStoppedIfLast(c).catch(() => {})
        sessionClosed = true
      }
      // While disconnected the close cannot reach the server: the session will expire on its own.
      c.end(new SessionEnded(0))
      await closeSession(c.client)
    }
    emit(E.exiting, { reason, ...(signal ? { signal } : {}), sessionClosed }, 'warn')
    process.exit(reason === 'signal' ? 128 + osConstants.signals[signal!] : 0)
  }

  /**
   * A primary stepping down cleanly sets status "0" only when nobody else is registered: with a
   * standby waiting, status stays "1" across the hand-over instead of flapping 1→0→1.
   */
  const markStoppedIfLast = async (c: Candidacy): Promise<void> => {
    const within = <T>(p: Promise<T>) =>
      Promise.race([p, sleep(SHUTDOWN_REQUEST_MS).then(() => Promise.reject(new Error('timed out')))])
    const children = await within(c.client.getChildren(paths.instance))
    if (!isLastRegistration(c.node, children)) return
    const stat = await within(c.client.set(paths.status, '0', -1))
    emit(E.statusSet, { value: '0', version: stat.version, reason: 'last-out' })
  }

  onStopSignals((signal) => void shutdown('signal', signal))
  onParentGone(() => void shutdown('stdin-closed'))

  // ---- requests on one candidacy's session -------------------------------------------------------

  /** Resolves once the candidacy's client is connected (at once if it is); rejects when it ends. */
  const connected = (c: Candidacy): Promise<void> => {
    if (c.ending) return Promise.reject(c.ending)
    if (c.client.state === 'connected') return Promise.resolve()
    return c.race(new Promise<void>((resolve) => c.client.once('connected', () => resolve())))
  }

  /**
   * An idempotent request on this session, sent again after a connection loss once the SAME session is
   * back. Never moves to another session: when this one ends, the request rejects with the reason.
   */
  const request = async <T>(c: Candidacy, op: (client: ZkClient) => Promise<T>): Promise<T> => {
    for (;;) {
      await connected(c)
      const sentAt = now()
      try {
        const result = await c.race(op(c.client))
        c.heardAt = Math.max(c.heardAt, sentAt)
        return result
      } catch (err) {
        if (c.ending) throw c.ending
        if (!isTransient(err)) throw err
        await c.race(sleep(100)) // the failure can arrive just before the 'connecting' notice
      }
    }
  }

  /** The sink may be written only by a live primary whose lease (proved by a reply sent at `sentAt`) holds. */
  const maySink = (c: Candidacy, sentAt: number): boolean =>
    c.ending === undefined && c === current && c.client.state === 'connected' && leaseHolds(sentAt, now(), c.timeoutMs)

  const appendSink = (text: string): void => {
    try {
      appendFileSync(options.sink, text)
    } catch (err) {
      fatal(err)
    }
  }

  // ---- one candidacy: register, elect, follow or lead ---------------------------------------------

  const prepareTask = async (c: Candidacy): Promise<void> => {
    // Idempotent, so a publisher may be first or halfway through.
    for (const path of pathPrefixes(paths.task)) await request(c, (z) => createIfMissing(z, path))
    await request(c, (z) => createIfMissing(z, paths.instance))
    await request(c, (z) => createIfMissing(z, paths.lastCommit, '0'))
    await request(c, (z) => createIfMissing(z, paths.status, '0'))
  }

  /** A node of ours under instance, found by its owner: how a create whose reply was lost is recognised. */
  const findOwnRegistration = async (c: Candidacy): Promise<string | undefined> => {
    const prefix = instancePrefix(options.workerId)
    const children = await request(c, (z) => z.getChildren(paths.instance))
    for (const child of children.filter((name) => name.startsWith(prefix))) {
      const stat = await request(c, (z) => z.exists(`${paths.instance}/${child}`))
      if (stat && String(stat.ephemeralOwner) === c.client.sessionId) return child
    }
    return undefined
  }

  const register = async (c: Candidacy): Promise<void> => {
    let path: string | undefined
    while (path === undefined) {
      await connected(c)
      try {
        path = await c.race(
          c.client.create(`${paths.instance}/${instancePrefix(options.workerId)}`, '', CreateMode.EPHEMERAL_SEQUENTIAL),
        )
      } catch (err) {
        if (c.ending) throw c.ending
        if (!isTransient(err)) throw err
        // The node may exist although the reply was lost: a blind retry would leave a second one behind.
        const found = await findOwnRegistration(c)
        if (found) path = `${paths.instance}/${found}`
      }
    }
    c.ownPath = path
    c.node = path.slice(path.lastIndexOf('/') + 1)
    emit(E.registered, { node: c.node, path })
  }

  /** A standby waits for its predecessor only (exists-watch): one watcher per node, no herd. */
  const followPredecessor = async (c: Candidacy, predecessor: string): Promise<void> => {
    const path = `${paths.instance}/${predecessor}`
    let fire!: (event: WatchEvent) => void
    const fired = new Promise<WatchEvent>((resolve) => (fire = resolve))
    // The watch survives a connection loss: the client re-arms it on the same session when it reconnects.
    const stat = await request(c, (z) => z.exists(path, (event) => fire(event)))
    if (stat === null) return // gone before we looked: elect again at once
    emit(E.watching, { path, predecessor })
    const event = await c.race(fired)
    emit(E.watch, { path: event.path, event: event.type })
  }

  /**
   * A fenced commit: `set(lastCommit, value, version)`, `version` being the one we last wrote or read.
   * Resolves with the new stat and the send time that vouches for the lease, or undefined when a
   * connection loss left it unapplied (the caller retries). Throws to step down: BADVERSION means
   * someone else committed since, and a set whose fate only another session could tell is not looked at.
   * `id` names the commit in `worker.fenced`.
   */
  const fencedCommit = async (
    c: Candidacy,
    value: string,
    id: number,
    version: number,
  ): Promise<{ stat: RawStat; sentAt: number } | undefined> => {
    const fenced = (reason: WorkerFenced['reason'], err?: unknown) =>
      emit(E.fenced, { id, version, reason, ...(err ? errorFields(err) : {}) }, 'warn')
    const sentAt = now()
    try {
      const stat = await c.race(c.client.set(paths.lastCommit, value, version))
      c.heardAt = Math.max(c.heardAt, sentAt)
      return { stat, sentAt }
    } catch (err) {
      if (err instanceof SessionEnded || err instanceof StepDown) {
        fenced(err instanceof StepDown ? err.reason : 'session')
        throw err
      }
      if (isZkCode(err, ZkCode.BADVERSION)) {
        fenced('badversion', err) // someone else committed since: we are not the primary any more
        throw new StepDown('badversion')
      }
      if (!isTransient(err)) throw err
      // The connection dropped with the set in flight: it may or may not have been applied. Only the same
      // session can tell (if it expired, someone else may own lastCommit now and we must not look back).
      let read: { data: Buffer; stat: RawStat }
      try {
        read = await request(c, (z) => z.get(paths.lastCommit))
      } catch (readErr) {
        if (readErr instanceof SessionEnded || readErr instanceof StepDown) fenced('session')
        throw readErr
      }
      const applied = read.stat.version === version + 1 && read.data.toString('utf8') === value
      if (!applied && read.stat.version === version) return undefined // not applied: retried
      if (!applied) {
        fenced('badversion')
        throw new StepDown('badversion')
      }
      return { stat: read.stat, sentAt: c.heardAt }
    }
  }

  /**
   * One unit of work, fenced. Commit FIRST (conditional on the version we last wrote or read), record
   * second, and only while this step's reply proves the session is still ours. Throws to step down.
   */
  const commitStep = async (c: Candidacy, state: { id: number; version: number }): Promise<void> => {
    const id = state.id + 1
    const committed = await fencedCommit(c, String(id), id, state.version)
    if (!committed) return // not applied: the next step retries this id
    const { stat, sentAt } = committed
    state.id = id
    state.version = stat.version
    emit(E.commit, { id, version: stat.version })
    stallAfterCommit?.(id)
    // The sink fence, checked right before the append and with no await in between: same session, still
    // connected, and the set's reply recent enough that nobody can have taken over. After a pause (SIGSTOP)
    // a reply read late fails here; the successor records this id when it reconciles.
    if (!maySink(c, sentAt)) {
      emit(E.fenced, { id, version: stat.version, reason: 'lease' }, 'warn')
      throw new StepDown('lease')
    }
    appendSink(recipeSinkRecord(id, options.workerId, c.client.sessionId, { version: stat.version }))
    emit(E.work, { id })
  }

  /**
   * Our own node, watched for the whole candidacy: if it goes (deleted by hand, by a publisher deleting
   * the task) the candidacy is over, whatever our role. Armed once after registering, so a takeover
   * needs no request for it.
   */
  const watchOwnNode = async (c: Candidacy): Promise<void> => {
    const onEvent = (event: WatchEvent) => {
      if (event.type === 'deleted') c.end(new StepDown('node-deleted'))
      else if (!c.ending) void request(c, (z) => z.exists(c.ownPath, onEvent)).catch(() => {}) // data set by hand: re-arm
    }
    if ((await request(c, (z) => z.exists(c.ownPath, onEvent))) === null) throw new StepDown('lost')
  }

  /**
   * What a takeover reads (lastCommit and status), sent right behind the election's list: ZooKeeper
   * answers one session's requests in order, so these see at least what the list saw, and a new primary
   * has them one round trip after its predecessor's node went. A standby drops them.
   */
  const readTakeover = (c: Candidacy): Promise<Takeover> => {
    const sentAt = now()
    const read = Promise.all([request(c, (z) => z.get(paths.lastCommit)), request(c, (z) => z.get(paths.status))])
    const takeover = read.then(([commit, status]) => ({ commit, status: status.data.toString('utf8'), sentAt }))
    takeover.catch(() => {}) // a standby never looks; a failure that matters is seen by lead()
    return takeover
  }

  /**
   * The primary's view of who else is registered, kept by a children watch on instance (one watcher,
   * the primary's, so no herd): what lets it leave on SIGTERM without asking first.
   */
  const watchMembers = (c: Candidacy): void => {
    const arm = () => {
      if (c.ending || c.role !== 'primary' || c.client.isClosed) return
      c.client.getChildren(paths.instance, arm).then(
        (children) => (c.others = orderRegistrations(children).filter((n) => n !== c.node).length),
        () => (c.others = undefined),
      )
    }
    arm()
  }

  /**
   * Only the primary writes status, and only when it is not already "1" (a successor after a crash or
   * a hand-over finds it so). Not while leaving: shutdown may be setting "0" as the last one out.
   */
  const markWorking = async (c: Candidacy, status: string): Promise<void> => {
    if (leaving || status === '1') return
    const set = await request(c, (z) => z.set(paths.status, '1', -1))
    emit(E.statusSet, { value: '1', version: set.version })
  }

  /** What the binlog workload's primary loop may do with this candidacy (recipe-binlog.ts). */
  const binlogPrimary = (c: Candidacy, status: string): RecipePrimary => ({
    options,
    emit,
    over: c.over,
    race: (p) => c.race(p),
    sessionId: () => c.client.sessionId,
    connected: () => connected(c),
    isConnected: () => !c.ending && c.client.state === 'connected',
    onSuspend: (listener) => {
      c.client.on('connecting', listener)
      return () => c.client.off('connecting', listener)
    },
    leaving: () => leaving,
    markWorking: () => markWorking(c, status),
    readCommit: async () => {
      const read = await request(c, (z) => z.get(paths.lastCommit))
      return { data: read.data.toString('utf8'), version: read.stat.version }
    },
    leaseHolds: () => maySink(c, c.heardAt),
    epoch: () => Number(c.node.slice(-10)),
    append: appendSink,
    commit: async (value, id, version) => (await fencedCommit(c, value, id, version))?.stat.version,
    stepDown: (reason) => new StepDown(reason),
    committedOnce: () => watchMembers(c),
    track: (step) => {
      inFlight = step.catch(() => {})
      void step.finally(() => (inFlight = undefined)).catch(() => {})
    },
  })

  /** Takeover (reconcile, status) then work, until the candidacy ends (which throws). */
  const lead = async (c: Candidacy, takeover: Promise<Takeover>): Promise<never> => {
    c.role = 'primary'
    emit(E.role, { role: 'primary', node: c.node, smallest: c.node })

    // Reconcile: commit-before-record may have left the last committed ids without a record. The
    // reads' reply is the lease for a reconciling append; our node's watch says whether it is still ours.
    const { commit, status, sentAt } = await c.race(takeover)
    if (binlog) return binlog.leadBinlog(binlogPrimary(c, status), commit)
    const state = { id: parseCommitted(commit.data.toString('utf8')), version: commit.stat.version }
    const committed = state.id
    let tail: SinkTail = { lastId: 0, endsClean: true }
    try {
      tail = readSinkTailOfFile(options.sink)
    } catch (err) {
      fatal(err)
    }
    const plan = reconcilePlan(committed, tail.lastId)
    if (plan.fastForwardTo !== null) {
      try {
        const moved = await request(c, (z) => z.set(paths.lastCommit, String(plan.fastForwardTo), state.version))
        state.id = plan.fastForwardTo
        state.version = moved.version
        emit(E.commit, { id: state.id, version: moved.version, fastForward: true })
      } catch (err) {
        if (!isZkCode(err, ZkCode.BADVERSION)) throw err
        emit(
          E.fenced,
          { id: plan.fastForwardTo, version: state.version, reason: 'badversion', ...errorFields(err) },
          'warn',
        )
        throw new StepDown('badversion')
      }
    }
    if (plan.append.length > 0) {
      if (!maySink(c, sentAt)) throw new StepDown('lease')
      const lines = plan.append.map((id) =>
        recipeSinkRecord(id, options.workerId, c.client.sessionId, { reconciled: true }),
      )
      appendSink((tail.endsClean ? '' : '\n') + lines.join(''))
      for (const id of plan.append) emit(E.work, { id, reconciled: true })
    }
    emit(E.reconciled, {
      lastCommit: committed,
      sinkLast: tail.lastId,
      appended: plan.append,
      fastForwardTo: plan.fastForwardTo,
    })

    if (leaving) return c.over
    await markWorking(c, status)

    for (let first = true; ; first = false) {
      if (leaving) return c.over // shutdown closes the session
      await connected(c) // suspended while the connection is lost: no work, no commits
      if (leaving) return c.over
      const step = commitStep(c, state)
      inFlight = step.catch(() => {})
      await step
      inFlight = undefined
      if (first) watchMembers(c) // after the first commit: off the hand-over's path
      await c.race(sleep(options.commitIntervalMs))
    }
  }

  const candidacy = async (c: Candidacy): Promise<never> => {
    await prepareTask(c)
    await register(c)
    await watchOwnNode(c)
    for (;;) {
      const listed = request(c, (z) => z.getChildren(paths.instance))
      const takeover = readTakeover(c)
      const election = electRecipe(c.node, await listed)
      if (election.role === 'lost') throw new StepDown('lost')
      if (election.role === 'primary') {
        if (leaving) return c.over // about to exit: let the next one in line take over
        await lead(c, takeover)
      } else {
        c.role = 'standby'
        emit(E.role, { role: 'standby', node: c.node, smallest: election.smallest, predecessor: election.predecessor })
        await followPredecessor(c, election.predecessor)
      }
    }
  }

  // ---- sessions -------------------------------------------------------------------------------------

  const openSession = async (replaced: boolean): Promise<ZkClient> => {
    const zkOptions = { connect: options.connect, sessionTimeoutMs: options.sessionTimeoutMs }
    if (!replaced) return connectZk(zkOptions, options.connectTimeoutMs).catch(fatal)
    for (;;) {
      try {
        return await connectZk(zkOptions, 0) // no timeout: the addon retries until a server answers
      } catch {
        await sleep(500)
      }
    }
  }

  const adopt = (client: ZkClient): Candidacy => {
    const negotiated = client.negotiatedTimeout
    const c = new Candidacy(
      client,
      negotiated > 0 ? Math.min(negotiated, options.sessionTimeoutMs) : options.sessionTimeoutMs,
    )
    client.on('connecting', () => {
      emit(E.connection, { state: 'connecting', sessionId: client.sessionId }, 'warn')
      if (c.role === 'primary' && !c.ending) emit(E.suspended, { sessionId: client.sessionId }, 'warn')
    })
    client.on('connected', () => {
      emit(E.connection, { state: 'connected', sessionId: client.sessionId })
      if (c.role === 'primary' && !c.ending) emit(E.resumed, { sessionId: client.sessionId })
    })
    client.on('closed', (code: number) => {
      if (code === SESSION_EXPIRED_CLOSE) {
        emit(E.connection, { state: 'expired', sessionId: client.sessionId }, 'warn')
      } else if (!c.ending && !leaving) {
        // Not expired and not closed by us: the client gave up (an authentication failure, say).
        emit(E.connection, { state: 'closed', sessionId: client.sessionId, code }, 'error')
        fatal(new Error(`ZooKeeper session closed (code ${code})`))
      }
      c.end(new SessionEnded(code))
    })
    if (client.isClosed) c.end(new SessionEnded(client.closeCode ?? 0))
    return c
  }

  mkdirSync(dirname(options.sink), { recursive: true })

  for (let replaced = false; ; replaced = true) {
    const client = await openSession(replaced)
    if (leaving) {
      void closeSession(client)
      return new Promise<never>(() => {}) // shutdown is exiting the process
    }
    const c = adopt(client)
    current = c
    emit(E.connected, { sessionId: client.sessionId, replaced })
    emit(E.connection, { state: 'connected', sessionId: client.sessionId })

    let reason: StepDownReason
    try {
      await candidacy(c)
    } catch (err) {
      if (err instanceof StepDown) reason = err.reason
      else if (err instanceof SessionEnded) reason = 'expired'
      else fatal(err)
    }
    inFlight = undefined
    if (leaving) return new Promise<never>(() => {})
    if (c.role === 'primary') emit(E.role, { role: 'standby', node: c.node, reason: reason! }, 'warn')
    if (!client.isClosed) {
      // Give up this session on purpose: our node goes at once and the next in line takes over.
      c.end(new StepDown(reason!))
      await closeSession(client)
      emit(E.connection, { state: 'closed', sessionId: client.sessionId, code: 0, reason: reason! }, 'warn')
    }
  }
}
