import WebSocket from 'ws'
import { LAB_METHOD_NAMES, type LabCalls, type LabMethod } from '../../shared/api.js'
import { BRIDGE_CLOSE, BRIDGE_PATH, type BridgeMessage } from '../../shared/bridge-protocol.js'

/**
 * The Lab API of a running `zklab serve`, from another Node process (the CLI's `fault` command, the
 * bench, tests). Speaks the same protocol as the page, from the origin the bridge expects, with the
 * token taken from the URL `zklab serve` printed (`http://127.0.0.1:PORT/?token=…`).
 */
export async function connectBridge(url: string, timeoutMs = 5000): Promise<LabCalls & { close(): void }> {
  const address = new URL(url)
  const token = address.searchParams.get('token')
  const socketUrl = `${address.origin.replace(/^http/, 'ws')}${BRIDGE_PATH}${token ? `?token=${encodeURIComponent(token)}` : ''}`
  const socket = new WebSocket(socketUrl, { origin: address.origin })
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      socket.terminate()
      reject(new Error(`No lab answered at ${address.origin} within ${timeoutMs} ms.`))
    }, timeoutMs)
    socket.once('open', () => {
      clearTimeout(timer)
      resolve()
    })
    socket.once('error', (err) => {
      clearTimeout(timer)
      reject(new Error(connectionProblem(address.origin, token, err.message)))
    })
  })
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>()
  let nextId = 1
  // After the handshake, a failing socket ends in 'close', which rejects what is pending.
  socket.on('error', () => {})
  socket.on('message', (data) => {
    let message: BridgeMessage
    try {
      message = JSON.parse(String(data)) as BridgeMessage
    } catch {
      return
    }
    if ('events' in message) return
    const call = pending.get(message.id)
    pending.delete(message.id)
    if (message.ok) call?.resolve(message.result)
    else call?.reject(new Error(message.error))
  })
  socket.on('close', (code, reason) => {
    const why = code === BRIDGE_CLOSE.tryAgain || code === BRIDGE_CLOSE.tooBig ? `: ${String(reason)}` : ''
    for (const call of pending.values()) call.reject(new Error(`The lab closed the connection${why}.`))
    pending.clear()
  })
  const call = (method: LabMethod, input?: unknown) =>
    new Promise<unknown>((resolve, reject) => {
      if (socket.readyState !== socket.OPEN) {
        reject(new Error('The connection to the lab is closed.'))
        return
      }
      const id = nextId++
      pending.set(id, { resolve, reject })
      socket.send(JSON.stringify({ id, method, input }))
    })
  const methods = Object.fromEntries(LAB_METHOD_NAMES.map((m) => [m, (input?: unknown) => call(m, input)])) as unknown as LabCalls
  return { ...methods, close: () => socket.close() }
}

function connectionProblem(origin: string, token: string | null, message: string): string {
  if (/\b403\b/.test(message)) {
    return token
      ? `The lab at ${origin} refused its token (403): it is not the one that printed this URL; take the URL of the running zklab serve (its serve.json).`
      : `The lab at ${origin} refused the connection (403): give the URL with its token, as zklab serve printed it (${origin}/?token=…).`
  }
  return `Cannot reach the lab at ${origin}: ${message}. Is zklab serve (or the app) running?`
}
