import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron'
// Only the zod-free constants module: a sandboxed preload can require nothing but 'electron'.
import { IPC_EVENTS_CHANNEL, LAB_METHOD_NAMES, ipcChannel, type LabMethod } from '../shared/lab-methods.js'
import type { LabEvent } from '../shared/events.js'
import type { LabBridge } from './lab-bridge.js'

/**
 * The renderer's only door to the lab: `window.lab`, one function per Lab method plus `subscribe`.
 * ipcRenderer itself never reaches the page, nor does any IPC event object.
 */

// Electron wraps a handler's error as "Error invoking remote method 'lab:x': Error: <message>".
const REMOTE_ERROR_PREFIX = /^Error invoking remote method '[^']*': (?:\w*Error: )?/

function remoteCall(method: LabMethod) {
  const channel = ipcChannel(method)
  return async (input?: unknown): Promise<unknown> => {
    try {
      return await ipcRenderer.invoke(channel, input)
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error)
      throw new Error(message.replace(REMOTE_ERROR_PREFIX, ''), { cause: error })
    }
  }
}

function subscribe(listener: (batch: LabEvent[]) => void): () => void {
  if (typeof listener !== 'function') throw new TypeError('lab.subscribe needs a listener function.')
  const onBatch = (_event: IpcRendererEvent, batch: LabEvent[]): void => listener(batch)
  ipcRenderer.on(IPC_EVENTS_CHANNEL, onBatch)
  return () => {
    ipcRenderer.removeListener(IPC_EVENTS_CHANNEL, onBatch)
  }
}

const lab = {
  ...Object.fromEntries(LAB_METHOD_NAMES.map((method) => [method, remoteCall(method)])),
  subscribe,
} as LabBridge

contextBridge.exposeInMainWorld('lab', lab)
contextBridge.exposeInMainWorld('labInfo', {
  versions: { electron: process.versions.electron, chrome: process.versions.chrome, node: process.versions.node },
})
