/**
 * The renderer's one transport module. In Electron the preload has put the Lab API on `window.lab`;
 * in a browser the same API is reached over the WebSocket bridge of `zklab serve`. Nothing else in
 * the renderer knows which shell it runs in.
 */
import { LAB_METHOD_NAMES, type LabCalls, type LabMethod } from '../../shared/api'
import type { LabEvent } from '../../shared/events'

export type Unsubscribe = () => void

export interface LabClient extends LabCalls {
  readonly shell: 'electron' | 'browser'
  subscribe(listener: (batch: LabEvent[]) => void): Unsubscribe
  /** Connection to the lab: always 'open' in Electron; the bridge reconnects by itself. */
  onConnection(listener: (state: 'open' | 'closed') => void): Unsubscribe
}

type BridgeMessage = { id: number; ok: true; result: unknown } | { id: number; ok: false; error: string } | { events: LabEvent[] }

export function connectLab(): LabClient {
  if (window.lab) {
    const api = window.lab
    return { ...api, shell: 'electron', onConnection: (listener) => (listener('open'), () => {}) }
  }
  return browserClient(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/api`)
}

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
    socket.onclose = () => {
      // Calls in flight cannot be answered any more; the caller decides whether to retry.
      for (const call of pending.values()) call.reject(new Error('The connection to the lab was lost.'))
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
      pending.set(id, { resolve, reject })
      const frame = JSON.stringify({ id, method, input })
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
