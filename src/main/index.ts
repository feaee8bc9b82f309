import { join } from 'node:path'
import { app, BrowserWindow, ipcMain, Menu, session } from 'electron'
import { Lab } from '../core/lab.js'
import { resolveAppPage } from './app-page.js'
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

const page = resolveAppPage({ rendererDir: join(import.meta.dirname, '../renderer'), env: process.env, isPackaged: app.isPackaged })
const senders = new SenderCheck(page)
const lab = new Lab()

app.on('web-contents-created', (_event, contents) => hardenWebContents(contents))
disposeLabOnQuit(app, lab)

function createWindow(): BrowserWindow {
  const win = new BrowserWindow({
    width: 1280,
    height: 800,
    show: false,
    title: TITLE,
    webPreferences: secureWebPreferences(join(import.meta.dirname, '../preload/index.cjs')),
  })
  senders.trust(win.webContents)
  forwardLabEvents(lab, win.webContents)
  win.once('ready-to-show', () => win.show())
  const loading = page.devUrl ? win.loadURL(page.devUrl) : win.loadFile(page.file)
  loading.catch((error: unknown) => console.error(`The lab's window could not load its page: ${String(error)}`))
  return win
}

void app.whenReady().then(() => {
  hardenSession(session.defaultSession, page)
  Menu.setApplicationMenu(buildAppMenu({ isMac: process.platform === 'darwin', isDev: !app.isPackaged }))
  registerLabIpc({ ipcMain, lab, isTrustedSender: senders.isTrusted })
  createWindow()
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) createWindow()
  })
})

app.on('window-all-closed', () => {
  if (process.platform !== 'darwin') app.quit()
})
