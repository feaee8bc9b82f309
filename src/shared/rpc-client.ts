/**
 * The client side of the browser bridge's protocol (bridge-protocol.ts), for the page and for Node
 * programs alike: numbers each call, matches replies to calls, hands event batches to listeners and
 * fails what is pending when the connection closes. Opening, reconnecting and authenticating stay with
 * each side (src/renderer/src/lab-client.ts, src/core/bridge/bridge-client.ts).
 */
import { LAB_METHOD_NAMES, type LabCalls, type LabMethod } from './api.js'
import { BRIDGE_CLOSE, type BridgeMessage, type BridgeRequest } from './bridge-protocol.js'
import type { LabEvent } from './events.js'

/** What the client needs of a WebSocket: the browser's WebSocket and Node's `ws` both are one. */
export interface RpcSocket {
  readonly readyState: number
  send(frame: string): void
  addEventListener(type: 'open', listener: () => void): void
  addEventListener(type: 'message', listener: (message: { data: unknown }) => void): void
  addEventListener(type: 'close', listener: (close: { code: number; reason: string }) => void): void
}

/** WebSocket.OPEN, the same number in the browser and in `ws`. */
const OPEN = 1

export interface RpcClientOptions {
  /**
   * A call made while no socket is open waits for the next one (the page, which reconnects by itself),
   * or fails at once (a program that connected once).
   */
  whileClosed: 'queue' | 'fail'
  /** The error of a call still unanswered when the connection closed; `reason` when the bridge said why. */
  lostMessage(reason: string | undefined): string
  /** Calls larger than this (UTF-8 bytes) fail alone instead of being sent; without it they are sent. */
  maxCallBytes?: number
}

const encoder = new TextEncoder()

export class RpcClient {
  private readonly pending = new Map<number, { resolve: (result: unknown) => void; reject: (error: Error) => void }>()
  private readonly queue: string[] = []
  private readonly eventListeners = new Set<(batch: LabEvent[]) => void>()
  private socket: RpcSocket | undefined
  private nextId = 1

  constructor(private readonly options: RpcClientOptions) {}

  /**
   * Speaks over this socket from now on (the first one, or a reconnection's). Its listeners come before
   * any the caller adds afterwards: queued calls are sent before "open" is announced, and pending calls
   * fail before "closed" is.
   */
  attach(socket: RpcSocket): void {
    this.socket = socket
    socket.addEventListener('open', () => {
      for (const frame of this.queue.splice(0)) socket.send(frame)
    })
    socket.addEventListener('message', (message) => this.receive(message.data))
    socket.addEventListener('close', (close) => {
      // Calls in flight cannot be answered any more; the caller decides whether to retry.
      const bridgeClosed = close.code === BRIDGE_CLOSE.tooBig || close.code === BRIDGE_CLOSE.tryAgain
      const error = this.options.lostMessage(bridgeClosed ? close.reason : undefined)
      for (const call of this.pending.values()) call.reject(new Error(error))
      this.pending.clear()
    })
  }

  call(method: LabMethod, input?: unknown): Promise<unknown> {
    return new Promise<unknown>((resolve, reject) => {
      const open = this.socket?.readyState === OPEN
      if (!open && this.options.whileClosed === 'fail') {
        reject(new Error('The connection to the lab is closed.'))
        return
      }
      const id = this.nextId++
      const frame = JSON.stringify({ id, method, input } satisfies BridgeRequest)
      // The bridge would close the connection on a bigger frame; this call alone fails instead.
      const limit = this.options.maxCallBytes
      if (limit !== undefined && encoder.encode(frame).length > limit) {
        reject(new Error(`${method}: the call is larger than the lab accepts (${limit / 1024 / 1024} MiB).`))
        return
      }
      this.pending.set(id, { resolve, reject })
      if (open) this.socket?.send(frame)
      else this.queue.push(frame)
    })
  }

  /** Every Lab API method as a function that makes this call. */
  methods(): LabCalls {
    return Object.fromEntries(
      LAB_METHOD_NAMES.map((m) => [m, (input?: unknown) => this.call(m, input)]),
    ) as unknown as LabCalls
  }

  /** Event batches the lab pushes. */
  onEvents(listener: (batch: LabEvent[]) => void): () => void {
    this.eventListeners.add(listener)
    return () => this.eventListeners.delete(listener)
  }

  private receive(data: unknown): void {
    let message: BridgeMessage
    try {
      message = JSON.parse(String(data)) as BridgeMessage
    } catch {
      return
    }
    // Only the bridge's own messages mean anything here; anything else is dropped, as a reply to no call.
    if (typeof message !== 'object' || message === null) return
    if ('events' in message) {
      this.eventListeners.forEach((l) => l(message.events))
      return
    }
    const call = this.pending.get(message.id)
    if (!call) return
    this.pending.delete(message.id)
    if (message.ok) call.resolve(message.result)
    else call.reject(new Error(message.error))
  }
}
