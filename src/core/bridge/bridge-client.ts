import WebSocket from 'ws'
import type { LabCalls } from '../../shared/api.js'
import { BRIDGE_PATH } from '../../shared/bridge-protocol.js'
import { RpcClient } from '../../shared/rpc-client.js'

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
  // After the handshake, a failing socket ends in 'close', which fails what is pending.
  socket.on('error', () => {})
  const rpc = new RpcClient({
    whileClosed: 'fail',
    lostMessage: (reason) => `The lab closed the connection${reason ? `: ${reason}` : ''}.`,
  })
  rpc.attach(socket)
  return { ...rpc.methods(), close: () => socket.close() }
}

function connectionProblem(origin: string, token: string | null, message: string): string {
  if (/\b403\b/.test(message)) {
    return token
      ? `The lab at ${origin} refused its token (403): it is not the one that printed this URL; take the URL of the running zklab serve (its serve.json).`
      : `The lab at ${origin} refused the connection (403): give the URL with its token, as zklab serve printed it (${origin}/?token=…).`
  }
  return `Cannot reach the lab at ${origin}: ${message}. Is zklab serve (or the app) running?`
}
