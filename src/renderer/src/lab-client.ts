/**
 * The renderer's one transport module. In Electron the preload has put the Lab API on `window.lab`;
 * in a browser the same API is reached over the WebSocket bridge of `zklab serve`. Nothing else in
 * the renderer knows which shell it runs in.
 */
import { LAB_METHOD_NAMES, type LabCalls, type LabMethod } from '../../shared/api'
import { BRIDGE_CLOSE, BRIDGE_MAX_CALL_BYTES, BRIDGE_PATH, type BridgeMessage } from '../../shared/bridge-protocol'
import type { LabEvent } from '../../shared/events'

export type Unsubscribe = () => void

export interface LabClient extends LabCalls {
  readonly shell: 'electron' | 'browser'
  subscribe(listener: (batch: LabEvent[]) => void): Unsubscribe
  /** Connection to the lab: always 'open' in Electron; the bridge reconnects by itself. */
  onConnection(listener: (state: 'open' | 'closed') => void): Unsubscribe
}

export function connectLab(): LabClient {
  if (window.lab) {
    const api = window.lab
    return { ...api, shell: 'electron', onConnection: (listener) => (listener('open'), () => {}) }
  }
  forgetToken()
  return browserClient(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}${BRIDGE_PATH}`)
}

/**
 * The page was opened with `?token=…`; the load gave it a cookie that its WebSocket and a reload
 * present instead, so the token leaves the address bar (and history, bookmarks, screen shares).
 */
function forgetToken(): void {
  const address = new URL(location.href)
  if (!address.searchParams.has('token')) return
  address.searchParams.delete('token')
  history.replaceState(history.state, '', address)
}

const encoder = new TextEncoder()

function browserClient(url: string): LabClient {
  const listeners = new Set<(batch: LabEvent[]) => void>()
  const connectionListeners = new Set<(state: 'open' | 'closed') => void>()
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>()
  const queue: string[] = []
  let nextId = 1
  let socket: WebSocket
  let retryMs = 250

  const open = () => {
    socket = new WebSocket(url)
    socket.onopen = () => {
      retryMs = 250
      for (const frame of queue.splice(0)) socket.send(frame)
      connectionListeners.forEach((l) => l('open'))
    }
    socket.onmessage = (message) => {
      const data = JSON.parse(String(message.data)) as BridgeMessage
      if ('events' in data) {
        listeners.forEach((l) => l(data.events))
        return
      }
      const call = pending.get(data.id)
      if (!call) return
      pending.delete(data.id)
      if (data.ok) call.resolve(data.result)
      else call.reject(new Error(data.error))
    }
    socket.onclose = (event) => {
      // Calls in flight cannot be answered any more; the caller decides whether to retry.
      const why = event.code === BRIDGE_CLOSE.tooBig || event.code === BRIDGE_CLOSE.tryAgain ? ` (${event.reason})` : ''
      for (const call of pending.values()) call.reject(new Error(`The connection to the lab was lost${why}.`))
      pending.clear()
      connectionListeners.forEach((l) => l('closed'))
      setTimeout(open, retryMs)
      retryMs = Math.min(retryMs * 2, 5000)
    }
  }
  open()

  const call = (method: LabMethod, input?: unknown) =>
    new Promise<unknown>((resolve, reject) => {
      const id = nextId++
      const frame = JSON.stringify({ id, method, input })
      // The bridge would close the connection on a bigger frame; this call alone fails instead.
      if (encoder.encode(frame).length > BRIDGE_MAX_CALL_BYTES) {
        reject(new Error(`${method}: the call is larger than the lab accepts (${BRIDGE_MAX_CALL_BYTES / 1024 / 1024} MiB).`))
        return
      }
      pending.set(id, { resolve, reject })
      if (socket.readyState === WebSocket.OPEN) socket.send(frame)
      else queue.push(frame)
    })

  const methods = Object.fromEntries(LAB_METHOD_NAMES.map((m) => [m, (input?: unknown) => call(m, input)])) as unknown as LabCalls
  return {
    ...methods,
    shell: 'browser',
    subscribe(listener) {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },
    onConnection(listener) {
      connectionListeners.add(listener)
      return () => connectionListeners.delete(listener)
    },
  }
}
