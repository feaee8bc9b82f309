import type { IpcMain, IpcMainInvokeEvent } from 'electron'
import {
  IPC_EVENTS_CHANNEL,
  LAB_METHOD_NAMES,
  ipcChannel,
  parseLabCall,
  type LabApi,
  type LabCalls,
} from '../shared/api.js'
import type { LabEvent } from '../shared/events.js'
import { remoteCallGate } from '../shared/remote-policy.js'
import type { ConfirmProgram } from './dialogs.js'
import type { IpcSender } from './sender-check.js'

export interface LabIpcDeps {
  ipcMain: Pick<IpcMain, 'handle' | 'removeHandler'>
  lab: LabCalls
  isTrustedSender(event: IpcSender): boolean
  /** Asks the user before a call runs a program the page chose; false means it does not run. */
  confirmProgram: ConfirmProgram
}

/**
 * One `invoke` handler per Lab method, on `lab:<method>`. Each checks the sender, validates the argument
 * against the method's schema, applies the remote-call rules (no folders chosen by the page; a program
 * the page names runs only once the user said so in a native dialog) and only then calls the lab, so
 * nothing unchecked reaches the core. Failures go back as plain Errors carrying only a message (a bad
 * argument's message names the field). Returns a function that removes the handlers.
 */
export function registerLabIpc({ ipcMain, lab, isTrustedSender, confirmProgram }: LabIpcDeps): () => void {
  for (const method of LAB_METHOD_NAMES) {
    const channel = ipcChannel(method)
    ipcMain.handle(channel, async (event: IpcMainInvokeEvent, arg: unknown) => {
      if (!isTrustedSender(event)) {
        throw new Error(`Refused ${channel}: the call did not come from the lab's own window.`)
      }
      try {
        const { input } = parseLabCall(method, arg)
        const gate = remoteCallGate(method, input)
        if (gate?.kind === 'host-only') throw new Error(gate.message)
        if (
          gate?.kind === 'runs-program' &&
          !(await confirmProgram({ program: gate.program, message: gate.message }))
        ) {
          throw new Error(`${gate.message} Not run: it was declined in the app's dialog.`)
        }
        const call = lab[method] as (input: unknown) => Promise<unknown>
        return await call.call(lab, input)
      } catch (error) {
        // Only the message crosses the process boundary; a class name or stack would just be noise.
        throw new Error(error instanceof Error ? error.message : String(error), { cause: error })
      }
    })
  }
  return () => {
    for (const method of LAB_METHOD_NAMES) ipcMain.removeHandler(ipcChannel(method))
  }
}

/** What forwarding needs from a window's webContents. */
export interface EventsTarget {
  isDestroyed(): boolean
  send(channel: string, ...args: unknown[]): void
  once(event: 'destroyed', listener: () => void): unknown
  removeListener(event: 'destroyed', listener: () => void): unknown
}

/**
 * Sends the lab's event batches to one window on IPC_EVENTS_CHANNEL for as long as that window lives.
 * Returns a function that stops forwarding earlier.
 */
export function forwardLabEvents(lab: Pick<LabApi, 'subscribe'>, contents: EventsTarget): () => void {
  const unsubscribe = lab.subscribe((batch: LabEvent[]) => {
    if (!contents.isDestroyed()) contents.send(IPC_EVENTS_CHANNEL, batch)
  })
  const stop = (): void => {
    unsubscribe()
  }
  contents.once('destroyed', stop)
  return () => {
    contents.removeListener('destroyed', stop)
    stop()
  }
}
