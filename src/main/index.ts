import { join } from 'node:path'
import { app, BrowserWindow, dialog, ipcMain, Menu, protocol, session } from 'electron'
import { Lab } from '../core/lab.js'
import { appPageUrl, resolveAppPage } from './app-page.js'
import { handleAppScheme, registerAppScheme } from './app-protocol.js'
import { folderDialog, programConsentDialog } from './dialogs.js'
import { forwardLabEvents, registerLabIpc } from './ipc.js'
import { buildAppMenu } from './menu.js'
import { disposeLabOnQuit } from './quit.js'
import { hardenSession, hardenWebContents, secureWebPreferences } from './security.js'
import { SenderCheck } from './sender-check.js'

/**
 * The Electron shell: one window showing the renderer, one Lab behind it, IPC in between. All lab
 * logic is in src/core; this file only wires it up.
 */
const TITLE = 'ZooKeeper Failover Lab'

// Every renderer is sandboxed, whatever a window's own preferences say.
app.enableSandbox()
// The page's own scheme must be known before the app is ready.
registerAppScheme(protocol)

const page = resolveAppPage({
  rendererDir: join(import.meta.dirname, '../renderer'),
  env: process.env,
  isPackaged: app.isPackaged,
})
const senders = new SenderCheck(page)
let mainWindow: BrowserWindow | undefined
const dialogParent = () => (mainWindow && !mainWindow.isDestroyed() ? mainWindow : undefined)
// Folders come from the native dialog, never from the page (see src/shared/remote-policy.ts).
const lab = new Lab({ chooseFolder: folderDialog(dialog, dialogParent) })

app.on('web-contents-created', (_event, contents) => hardenWebContents(contents))
disposeLabOnQuit(app, lab)

function createWindow(): BrowserWindow {
  const win = new BrowserWindow({
    width: 1280,
    height: 800,
    show: false,
    title: TITLE,
    webPreferences: secureWebPreferences(join(import.meta.dirname, '../preload/index.cjs'), {
      devTools: !app.isPackaged,
    }),
  })
  mainWindow = win
  senders.trust(win.webContents)
  forwardLabEvents(lab, win.webContents)
  win.once('ready-to-show', () => win.show())
  win
    .loadURL(appPageUrl(page))
    .catch((error: unknown) => console.error(`The lab's window could not load its page: ${String(error)}`))
  return win
}

void app.whenReady().then(() => {
  handleAppScheme(protocol, page.rendererDir)
  hardenSession(session.defaultSession, page)
  Menu.setApplicationMenu(buildAppMenu({ isMac: process.platform === 'darwin', isDev: !app.isPackaged }))
  registerLabIpc({
    ipcMain,
    lab,
    isTrustedSender: senders.isTrusted,
    confirmProgram: programConsentDialog(dialog, dialogParent),
  })
  createWindow()
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) createWindow()
  })
})

app.on('window-all-closed', () => {
  if (process.platform !== 'darwin') app.quit()
})
