/**
 * Following a znode: read it with a watch, and on every event read it again (ZooKeeper watches fire
 * once). Each follower keeps ONE logical watch: the addon may hold several callbacks for a path (a get
 * watch and an exists watch, say), and a notification reaches all of them, so callbacks carry an epoch
 * and only the first of an epoch triggers a re-read.
 */
import type { RawStat } from './stat.js'
import { Session, StaleClientError } from './session.js'
import { isZkCode, ZkCode, type ZkClient } from './zk.js'

/** Runs one ZooKeeper request, possibly behind a concurrency limit. */
export type Gate = <T>(request: () => Promise<T>) => Promise<T>
const open: Gate = (request) => request()

export interface FollowOptions {
  /**
   * What to do when the node is missing: 'watch-creation' arms an exists watch and reports again when it
   * appears; 'stop' reports the absence once and stops following (a deleted node in a mirror).
   */
  whenMissing: 'watch-creation' | 'stop'
  onError: (err: unknown) => void
  gate?: Gate
}

export interface Follower {
  /** Resolves after the first read has been handled (including the handler's own promise). */
  readonly started: Promise<void>
  stop(): void
}

type Read<T> = (client: ZkClient, watch: (event: unknown) => void) => Promise<T>

function follow<T>(
  session: Session,
  client: ZkClient,
  path: string,
  read: Read<T>,
  onValue: (value: T | null) => void | Promise<void>,
  options: FollowOptions,
): Follower {
  const gate = options.gate ?? open
  let epoch = 0
  let stopped = false
  const watcher = (mine: number) => () => {
    if (stopped || mine !== epoch) return
    epoch++
    void next()
  }
  const request = <R>(op: (c: ZkClient) => Promise<R>) => gate(() => session.runOn(client, op))
  const next = async (): Promise<void> => {
    const mine = epoch
    try {
      for (;;) {
        try {
          const value = await request((c) => read(c, watcher(mine)))
          if (!stopped && mine === epoch) await onValue(value)
          return
        } catch (err) {
          if (!isZkCode(err, ZkCode.NONODE)) throw err
        }
        if (options.whenMissing === 'stop') {
          if (!stopped && mine === epoch) {
            stopped = true
            await onValue(null)
          }
          return
        }
        // The exists watch fires when the node appears. If it appeared in between, read it again.
        const stat = await request((c) => c.exists(path, watcher(mine)))
        if (stat === null) {
          if (!stopped && mine === epoch) await onValue(null)
          return
        }
      }
    } catch (err) {
      if (stopped || err instanceof StaleClientError) return
      options.onError(err)
    }
  }
  return {
    started: next(),
    stop: () => {
      stopped = true
    },
  }
}

export interface NodeValue {
  stat: RawStat
  data: Buffer
}

/** Follows a node's data and stat; null while it does not exist. */
export function followData(
  session: Session,
  client: ZkClient,
  path: string,
  onValue: (value: NodeValue | null) => void | Promise<void>,
  options: FollowOptions,
): Follower {
  return follow(session, client, path, (c, watch) => c.get(path, watch), onValue, options)
}

export interface ChildrenValue {
  children: string[]
  stat: RawStat
}

/** Follows a node's children (and its stat); null while it does not exist. */
export function followChildren(
  session: Session,
  client: ZkClient,
  path: string,
  onValue: (value: ChildrenValue | null) => void | Promise<void>,
  options: FollowOptions,
): Follower {
  return follow(session, client, path, (c, watch) => c.getChildrenWithStat(path, watch), onValue, options)
}

/** A gate letting at most `limit` requests run at once. */
export function createGate(limit: number): Gate {
  let running = 0
  const queue: Array<() => void> = []
  return async (request) => {
    if (running < limit) running++
    else await new Promise<void>((resolve) => queue.push(resolve)) // the slot is handed over
    try {
      return await request()
    } finally {
      const waiter = queue.shift()
      if (waiter) waiter()
      else running--
    }
  }
}
