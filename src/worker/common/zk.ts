/**
 * A promise-friendly wrapper around one `zookeeper` addon client (one ZooKeeper session).
 * - Errors reject with ZkError carrying the numeric ZooKeeper code (the addon's promise API only gives text).
 * - Watch callbacks get real node events only; the addon also calls them with session events, filtered here.
 * - Once the addon reports 'close' the instance is dead (touching it can crash the process), so every
 *   later call rejects with ZCLOSING without reaching the addon. A new session needs a new ZkClient.
 */
import { EventEmitter } from 'node:events'
import ZooKeeper from 'zookeeper'
import type { RawStat } from './stat.js'

const C = ZooKeeper.constants

export const ZkCode = {
  OK: C.ZOK,
  CONNECTIONLOSS: C.ZCONNECTIONLOSS,
  OPERATIONTIMEOUT: C.ZOPERATIONTIMEOUT,
  INVALIDSTATE: C.ZINVALIDSTATE,
  NONODE: C.ZNONODE,
  BADVERSION: C.ZBADVERSION,
  NODEEXISTS: C.ZNODEEXISTS,
  NOTEMPTY: C.ZNOTEMPTY,
  SESSIONEXPIRED: C.ZSESSIONEXPIRED,
  CLOSING: C.ZCLOSING,
  SESSIONMOVED: C.ZSESSIONMOVED,
} as const

export const CreateMode = {
  PERSISTENT: C.ZOO_PERSISTENT,
  EPHEMERAL: C.ZOO_EPHEMERAL,
  EPHEMERAL_SEQUENTIAL: C.ZOO_EPHEMERAL_SEQUENTIAL,
} as const

/** The 'close' code the addon reports when the server expired the session. */
export const SESSION_EXPIRED_CLOSE = C.ZOO_EXPIRED_SESSION_STATE

export class ZkError extends Error {
  constructor(
    readonly code: number,
    readonly op: string,
    readonly path: string | undefined,
    detail?: string,
  ) {
    super(`${op}${path ? ' ' + path : ''}: ${detail ?? codeName(code)} (${code})`)
    this.name = 'ZkError'
  }
}

export function codeName(code: number): string {
  for (const [name, value] of Object.entries(C)) {
    if (value === code && /^Z[A-Z]+$/.test(name) && name !== 'ZOK') return name
  }
  return code === 0 ? 'ZOK' : `code ${code}`
}

export const isZkCode = (err: unknown, code: number): boolean => err instanceof ZkError && err.code === code

/** Errors after which the same request may succeed once a session is connected again. */
export function isTransient(err: unknown): boolean {
  if (!(err instanceof ZkError)) return false
  const transient: number[] = [
    ZkCode.CONNECTIONLOSS,
    ZkCode.OPERATIONTIMEOUT,
    ZkCode.INVALIDSTATE,
    ZkCode.SESSIONEXPIRED,
    ZkCode.CLOSING,
    ZkCode.SESSIONMOVED,
  ]
  return transient.includes(err.code)
}

export type WatchEventType = 'created' | 'deleted' | 'changed' | 'child'
export interface WatchEvent {
  type: WatchEventType
  path: string
}
export type Watcher = (event: WatchEvent) => void

const watchTypes: Record<number, WatchEventType> = {
  [C.ZOO_CREATED_EVENT]: 'created',
  [C.ZOO_DELETED_EVENT]: 'deleted',
  [C.ZOO_CHANGED_EVENT]: 'changed',
  [C.ZOO_CHILD_EVENT]: 'child',
}

export interface ZkClientOptions {
  /** host:port[,host:port...][/chroot] */
  connect: string
  sessionTimeoutMs: number
}

/** The addon's completion callback: rc 0 and the operation's results, or an error code and no results to read. */
type Callback<Result extends unknown[]> = (rc: number, error: unknown, ...result: Result) => void
type WatchCallback = (type: number, state: number, path: string) => void

/** The addon methods this wrapper uses, with what each answers (its own typings are loose). */
interface Addon extends EventEmitter {
  init(config: object): unknown
  close(): unknown
  readonly client_id: string
  readonly timeout: number
  a_create(path: string, data: string | Buffer, flags: number, cb: Callback<[path: string]>): number
  a_exists(path: string, watch: boolean, cb: Callback<[stat: RawStat]>): number
  aw_exists(path: string, watchCb: WatchCallback, cb: Callback<[stat: RawStat]>): number
  a_get(path: string, watch: boolean, cb: Callback<GetResult>): number
  aw_get(path: string, watchCb: WatchCallback, cb: Callback<GetResult>): number
  a_get_children(path: string, watch: boolean, cb: Callback<[children: string[] | null]>): number
  aw_get_children(path: string, watchCb: WatchCallback, cb: Callback<[children: string[] | null]>): number
  aw_get_children2(path: string, watchCb: WatchCallback, cb: Callback<ChildrenWithStatResult>): number
  a_get_children2(path: string, watch: boolean, cb: Callback<ChildrenWithStatResult>): number
  a_set(path: string, data: string | Buffer, version: number, cb: Callback<[stat: RawStat]>): number
  a_delete_(path: string, version: number, cb: Callback<[]>): number
}
type GetResult = [stat: RawStat, data: Buffer | string | null]
type ChildrenWithStatResult = [children: string[] | null, stat: RawStat]

export type ConnectionState = 'connecting' | 'connected' | 'closed'

/**
 * Events: 'connected' (sessionId), 'connecting' (lost the server, the addon is retrying with the same
 * session), 'closed' (code: 0 when we closed it, SESSION_EXPIRED_CLOSE when the server expired it).
 */
export class ZkClient extends EventEmitter {
  private readonly zk: Addon
  private connectedOnce = false
  state: ConnectionState = 'connecting'
  closeCode: number | undefined
  /** Hex session id, known from the first connect (kept after close, when the addon must not be read). */
  sessionId = ''

  constructor(readonly options: ZkClientOptions) {
    super()
    this.zk = new ZooKeeper({
      connect: options.connect,
      timeout: options.sessionTimeoutMs,
      // 0 turns the addon's logging off. Its own messages go to stdout through buffered printf and
      // could split one of our JSON event lines; connection changes are reported as events instead.
      debug_level: 0,
      host_order_deterministic: false,
    }) as unknown as Addon
    this.zk.on('connect', () => {
      if (this.state === 'closed') return
      this.state = 'connected'
      this.sessionId = String(this.zk.client_id)
      const first = !this.connectedOnce
      this.connectedOnce = true
      this.emit('connected', this.sessionId, first)
    })
    this.zk.on('connecting', () => {
      if (this.state === 'closed') return
      this.state = 'connecting'
      this.emit('connecting')
    })
    this.zk.on('close', (_self: unknown, code: number) => {
      if (this.state === 'closed') return
      this.state = 'closed'
      this.closeCode = code
      this.emit('closed', code)
    })
    this.zk.init({})
  }

  get isClosed(): boolean {
    return this.state === 'closed'
  }

  /** Negotiated session timeout (ms), valid once connected. */
  get negotiatedTimeout(): number {
    return this.state === 'closed' ? 0 : Number(this.zk.timeout)
  }

  /** Ends the session (its ephemeral nodes go at once). Safe to call twice. */
  close(): void {
    if (this.state === 'closed') return
    this.zk.close() // emits 'close' with code 0 synchronously
    this.state = 'closed'
  }

  private call<T, Result extends unknown[]>(
    op: string,
    path: string,
    start: (cb: Callback<Result>) => number,
    pick: (...result: Result) => T,
  ): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      if (this.state === 'closed') {
        reject(new ZkError(ZkCode.CLOSING, op, path, 'client closed'))
        return
      }
      const rc = start((code, _error, ...result) => {
        if (code === 0) resolve(pick(...result))
        else reject(new ZkError(code, op, path))
      })
      if (typeof rc === 'number' && rc < 0) reject(new ZkError(rc, op, path))
    })
  }

  private wrapWatcher(watcher: Watcher): WatchCallback {
    return (type, _state, path) => {
      const kind = watchTypes[type]
      if (kind === undefined || this.state === 'closed') return // session/not-watching notices
      watcher({ type: kind, path })
    }
  }

  /** Creates a node; resolves with the created path (with the sequence suffix for sequential nodes). */
  create(path: string, data: string | Buffer, mode: number = CreateMode.PERSISTENT): Promise<string> {
    return this.call(
      'create',
      path,
      (cb) => this.zk.a_create(path, data, mode, cb),
      (p: string) => p,
    )
  }

  /** The node's stat, or null when it does not exist. With a watcher, fires on its create/delete/change. */
  exists(path: string, watcher?: Watcher): Promise<RawStat | null> {
    return this.call(
      'exists',
      path,
      (cb: Callback<[stat: RawStat | null]>) => {
        const tolerant: Callback<[stat: RawStat]> = (rc, err, ...r) =>
          rc === ZkCode.NONODE ? cb(0, err, null) : cb(rc, err, ...r)
        return watcher
          ? this.zk.aw_exists(path, this.wrapWatcher(watcher), tolerant)
          : this.zk.a_exists(path, false, tolerant)
      },
      (stat: RawStat | null) => stat,
    )
  }

  get(path: string, watcher?: Watcher): Promise<{ stat: RawStat; data: Buffer }> {
    return this.call(
      'get',
      path,
      (cb) => (watcher ? this.zk.aw_get(path, this.wrapWatcher(watcher), cb) : this.zk.a_get(path, false, cb)),
      (stat: RawStat, data: Buffer | string | null) => ({
        stat,
        data: data == null ? Buffer.alloc(0) : Buffer.isBuffer(data) ? data : Buffer.from(data),
      }),
    )
  }

  getChildren(path: string, watcher?: Watcher): Promise<string[]> {
    return this.call(
      'getChildren',
      path,
      (cb) =>
        watcher
          ? this.zk.aw_get_children(path, this.wrapWatcher(watcher), cb)
          : this.zk.a_get_children(path, false, cb),
      (children: string[] | null) => children ?? [],
    )
  }

  /** Children and the parent's stat in one read. */
  getChildrenWithStat(path: string, watcher?: Watcher): Promise<{ children: string[]; stat: RawStat }> {
    return this.call(
      'getChildren',
      path,
      (cb) =>
        watcher
          ? this.zk.aw_get_children2(path, this.wrapWatcher(watcher), cb)
          : this.zk.a_get_children2(path, false, cb),
      (children: string[] | null, stat: RawStat) => ({ children: children ?? [], stat }),
    )
  }

  /** version -1 means "whatever the current version is" (an unconditional write). */
  set(path: string, data: string | Buffer, version: number): Promise<RawStat> {
    return this.call(
      'set',
      path,
      (cb) => this.zk.a_set(path, data, version, cb),
      (stat: RawStat) => stat,
    )
  }

  delete(path: string, version = -1): Promise<void> {
    return this.call(
      'delete',
      path,
      (cb) => this.zk.a_delete_(path, version, cb),
      () => undefined,
    )
  }
}

/**
 * Opens a session and resolves once it is connected. Rejects after timeoutMs (closing the half-made
 * client) or if the addon gives up first. timeoutMs = 0 waits as long as it takes: the addon retries on
 * its own, which is what a client should do while the lab restarts its ZooKeeper.
 */
export function connectZk(options: ZkClientOptions, timeoutMs: number): Promise<ZkClient> {
  return new Promise((resolve, reject) => {
    const client = new ZkClient(options)
    let timer: NodeJS.Timeout | undefined
    const cleanup = () => {
      if (timer) clearTimeout(timer)
      client.off('connected', onConnected)
      client.off('closed', onClosed)
    }
    const onConnected = () => {
      cleanup()
      resolve(client)
    }
    const onClosed = (code: number) => {
      cleanup()
      reject(
        new ZkError(
          code || ZkCode.CLOSING,
          'connect',
          undefined,
          `session closed before it connected to ${options.connect}`,
        ),
      )
    }
    client.on('connected', onConnected)
    client.on('closed', onClosed)
    if (timeoutMs > 0) {
      timer = setTimeout(() => {
        cleanup()
        client.close()
        reject(
          new ZkError(
            ZkCode.OPERATIONTIMEOUT,
            'connect',
            undefined,
            `no ZooKeeper session with ${options.connect} within ${timeoutMs} ms`,
          ),
        )
      }, timeoutMs)
    }
  })
}

/** Creates a persistent node, treating "already exists" as success. Returns true when this call created it. */
export async function createIfMissing(client: ZkClient, path: string, data: string = ''): Promise<boolean> {
  try {
    await client.create(path, data, CreateMode.PERSISTENT)
    return true
  } catch (err) {
    if (isZkCode(err, ZkCode.NODEEXISTS)) return false
    throw err
  }
}
