import type { BrowserWindow, Dialog, MessageBoxOptions, OpenDialogOptions } from 'electron'
import type { ChooseFolder } from '../core/lab.js'

/** The window a dialog belongs to (modal on it), if there is one. */
export type DialogParent = () => BrowserWindow | undefined

/** What the main process asks before running a program the page named (see remoteCallGate). */
export type ConfirmProgram = (request: { program: string; message: string }) => Promise<boolean>

/** The Lab's folder picker: the native open dialog, folders only, with a button to make a new one. */
export function folderDialog(dialog: Pick<Dialog, 'showOpenDialog'>, parent: DialogParent): ChooseFolder {
  return async () => {
    const options: OpenDialogOptions = {
      title: 'Choose the sessions folder, or a session to replay',
      buttonLabel: 'Choose',
      properties: ['openDirectory', 'createDirectory'],
    }
    const win = parent()
    const result = win ? await dialog.showOpenDialog(win, options) : await dialog.showOpenDialog(options)
    return result.canceled || result.filePaths.length === 0 ? null : result.filePaths[0]
  }
}

/**
 * Asks the user, in a native message box on the lab's window, whether to run a program the page
 * asked for. Cancel is the default and what Escape or closing the box means.
 */
export function programConsentDialog(dialog: Pick<Dialog, 'showMessageBox'>, parent: DialogParent): ConfirmProgram {
  return async ({ program, message }) => {
    const options: MessageBoxOptions = {
      type: 'warning',
      title: 'Run a program?',
      message,
      detail: `The lab's page asks to run:\n\n${program}\n\nIt runs with your permissions. Run it only if you chose it.`,
      buttons: ['Run', 'Cancel'],
      defaultId: 1,
      cancelId: 1,
      noLink: true,
    }
    const win = parent()
    const { response } = win ? await dialog.showMessageBox(win, options) : await dialog.showMessageBox(options)
    return response === 0
  }
}
