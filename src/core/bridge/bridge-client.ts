import WebSocket from 'ws'
import { LAB_METHOD_NAMES, type LabCalls, type LabMethod } from '../../shared/api.js'
import { BRIDGE_PATH, type BridgeMessage } from './browser-bridge.js'

/**
 * The Lab API of a running `zklab serve`, from another Node process (the CLI's `fault` command).
 * Speaks the same protocol as the page, from the origin the bridge expects.
 */
export async function connectBridge(url: string, timeoutMs = 5000): Promise<LabCalls & { close(): void }> {
  const origin = new URL(url).origin
  const socket = new WebSocket(`${origin.replace(/^http/, 'ws')}${BRIDGE_PATH}`, { origin })
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`No lab answered at ${url} within ${timeoutMs} ms.`)), timeoutMs)
    socket.once('open', () => {
      clearTimeout(timer)
      resolve()
    })
    socket.once('error', (err) => {
      clearTimeout(timer)
      reject(new Error(`Cannot reach the lab at ${url}: ${err.message}. Is zklab serve (or the app) running?`))
    })
  })
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>()
  let nextId = 1
  socket.on('message', (data) => {
    const message = JSON.parse(String(data)) as BridgeMessage
    if ('events' in message) return
    const call = pending.get(message.id)
    pending.delete(message.id)
    if (message.ok) call?.resolve(message.result)
    else call?.reject(new Error(message.error))
  })
  socket.on('close', () => {
    for (const call of pending.values()) call.reject(new Error('The lab closed the connection.'))
    pending.clear()
  })
  const call = (method: LabMethod, input?: unknown) =>
    new Promise<unknown>((resolve, reject) => {
      const id = nextId++
      pending.set(id, { resolve, reject })
      socket.send(JSON.stringify({ id, method, input }))
    })
  const methods = Object.fromEntries(LAB_METHOD_NAMES.map((m) => [m, (input?: unknown) => call(m, input)])) as unknown as LabCalls
  return { ...methods, close: () => socket.close() }
}
