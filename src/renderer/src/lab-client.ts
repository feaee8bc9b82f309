/**
 * The renderer's one transport module. In Electron the preload has put the Lab API on `window.lab`;
 * in a browser the same API is reached over the WebSocket bridge of `zklab serve`. Nothing else in
 * the renderer knows which shell it runs in.
 */
import type { LabCalls } from '../../shared/api.js'
import { BRIDGE_MAX_CALL_BYTES, BRIDGE_PATH } from '../../shared/bridge-protocol.js'
import type { LabEvent } from '../../shared/events.js'
import { RpcClient } from '../../shared/rpc-client.js'

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

function browserClient(url: string): LabClient {
  const rpc = new RpcClient({
    whileClosed: 'queue',
    maxCallBytes: BRIDGE_MAX_CALL_BYTES,
    lostMessage: (reason) => `The connection to the lab was lost${reason ? ` (${reason})` : ''}.`,
  })
  const connectionListeners = new Set<(state: 'open' | 'closed') => void>()
  let retryMs = 250

  const open = () => {
    const socket = new WebSocket(url)
    rpc.attach(socket)
    socket.addEventListener('open', () => {
      retryMs = 250
      connectionListeners.forEach((l) => l('open'))
    })
    socket.addEventListener('close', () => {
      connectionListeners.forEach((l) => l('closed'))
      setTimeout(open, retryMs)
      retryMs = Math.min(retryMs * 2, 5000)
    })
  }
  open()

  return {
    ...rpc.methods(),
    shell: 'browser',
    subscribe: (listener) => rpc.onEvents(listener),
    onConnection(listener) {
      connectionListeners.add(listener)
      return () => connectionListeners.delete(listener)
    },
  }
}
