/**
 * src/main/index.ts run against a recording stand-in for the `electron` module (Electron's binary does
 * not exist on every machine): it checks the wiring of the real entry point with a real Lab behind it,
 * the window's preferences, the IPC handlers, event forwarding and the quit sequence.
 */
import { EventEmitter } from 'node:events'
import { join, resolve } from 'node:path'
import { afterAll, describe, expect, it, vi, type Mock } from 'vitest'
import { IPC_EVENTS_CHANNEL, LAB_METHOD_NAMES } from '../../src/shared/api.js'

const APP_URL = 'zklab://app/index.html'

/** What the tests use of the stand-in BrowserWindow: its options, its webContents, what it was asked to do. */
interface FakeWindow extends EventEmitter {
  readonly options: { webPreferences: Record<string, unknown>; [option: string]: unknown }
  readonly webContents: EventEmitter & { id: number; sent: unknown[][] }
  destroyed: boolean
  loadFile: Mock
  loadURL: Mock
  show: Mock
  destroy(): void
}
type SessionHandler = (...args: any[]) => any

const fake = vi.hoisted(() => ({
  handlers: new Map<string, (event: unknown, arg?: unknown) => Promise<unknown>>(),
  windows: [] as FakeWindow[],
  calls: [] as string[],
  sessionHandlers: {} as Record<string, SessionHandler>,
  schemes: [] as unknown[],
  protocolHandlers: new Map<string, (request: Request) => Promise<Response>>(),
  /** What the folder dialog answers next, and what the consent dialog answers (0 = Run). */
  nextFolder: null as string | null,
  consent: 1,
  dialogs: [] as string[],
  app: undefined as unknown as EventEmitter & { quit(): void },
}))

vi.mock('electron', async () => {
  const { EventEmitter: Emitter } = await import('node:events')
  let nextId = 1
  const app = Object.assign(new Emitter(), {
    isPackaged: false,
    enableSandbox: () => fake.calls.push('enableSandbox'),
    whenReady: () => {
      fake.calls.push('whenReady')
      return Promise.resolve()
    },
    quit: () => {
      fake.calls.push('quit')
      let prevented = false
      app.emit('will-quit', { preventDefault: () => (prevented = true) })
      if (!prevented) fake.calls.push('exit')
    },
  })
  fake.app = app
  class BrowserWindow extends Emitter {
    static getAllWindows = () => fake.windows.filter((w) => !w.destroyed)
    readonly webContents: FakeWindow['webContents']
    destroyed = false
    constructor(readonly options: FakeWindow['options']) {
      super()
      const contents = Object.assign(new Emitter(), {
        id: nextId++,
        sent: [] as unknown[][],
        isDestroyed: () => this.destroyed,
        send: (...args: unknown[]) => contents.sent.push(args),
        setWindowOpenHandler: () => {},
      })
      this.webContents = contents
      app.emit('web-contents-created', {}, contents)
      fake.windows.push(this)
    }
    loadFile = vi.fn(async () => {})
    loadURL = vi.fn(async () => {})
    show = vi.fn()
    isDestroyed = () => this.destroyed
    destroy() {
      this.destroyed = true
      this.webContents.emit('destroyed')
    }
  }
  return {
    app,
    BrowserWindow,
    ipcMain: {
      handle: (channel: string, handler: (event: unknown, arg?: unknown) => Promise<unknown>) =>
        fake.handlers.set(channel, handler),
      removeHandler: (channel: string) => fake.handlers.delete(channel),
    },
    protocol: {
      registerSchemesAsPrivileged: (schemes: unknown[]) => {
        fake.calls.push('registerSchemes')
        fake.schemes.push(...schemes)
      },
      handle: (scheme: string, handler: (request: Request) => Promise<Response>) =>
        fake.protocolHandlers.set(scheme, handler),
    },
    dialog: {
      showOpenDialog: async () => {
        fake.dialogs.push('open')
        return fake.nextFolder ? { canceled: false, filePaths: [fake.nextFolder] } : { canceled: true, filePaths: [] }
      },
      showMessageBox: async () => {
        fake.dialogs.push('message')
        return { response: fake.consent, checkboxChecked: false }
      },
    },
    Menu: {
      buildFromTemplate: (template: unknown) => ({ template }),
      setApplicationMenu: () => fake.calls.push('menu'),
    },
    session: {
      defaultSession: {
        setPermissionRequestHandler: (h: SessionHandler) => (fake.sessionHandlers.request = h),
        setPermissionCheckHandler: (h: SessionHandler) => (fake.sessionHandlers.check = h),
        webRequest: {
          onBeforeRequest: (h: SessionHandler) => (fake.sessionHandlers.beforeRequest = h),
          onHeadersReceived: (h: SessionHandler) => (fake.sessionHandlers.headersReceived = h),
        },
      },
    },
  }
})

delete process.env.ELECTRON_RENDERER_URL
await import('../../src/main/index.js')
await new Promise((resolve) => setTimeout(resolve, 0)) // let whenReady's continuation run

const win = () => fake.windows[0]
const fromApp = (url = APP_URL) => ({ sender: { id: win().webContents.id }, senderFrame: { url, parent: null } })

describe('the Electron main process', () => {
  afterAll(async () => {
    // Whatever a failed test left behind, the lab must not outlive the file.
    if (!fake.calls.includes('exit')) fake.app.quit()
  })

  it('sandboxes every renderer, hardens the session and sets a menu', () => {
    expect(fake.calls.slice(0, 1)).toEqual(['enableSandbox'])
    // The app's scheme is privileged before the app is ready, and handled once it is.
    expect(fake.calls.indexOf('registerSchemes')).toBeLessThan(fake.calls.indexOf('whenReady'))
    expect(fake.schemes).toEqual([
      { scheme: 'zklab', privileges: { standard: true, secure: true, supportFetchAPI: true } },
    ])
    expect([...fake.protocolHandlers.keys()]).toEqual(['zklab'])
    expect(fake.calls).toContain('menu')
    expect(Object.keys(fake.sessionHandlers).sort()).toEqual(['beforeRequest', 'check', 'headersReceived', 'request'])
  })

  it("serves the renderer folder on the app's scheme, with the CSP", async () => {
    const response = await fake.protocolHandlers.get('zklab')!(new Request('zklab://app/index.html'))
    expect(response.status).toBe(200)
    expect(await response.text()).toContain('<div id="root">')
    expect(response.headers.get('content-security-policy')).toContain("script-src 'self'")
    expect((await fake.protocolHandlers.get('zklab')!(new Request('zklab://app/../main/index.ts'))).status).toBe(404)
  })

  it('opens one hidden, isolated, sandboxed window on the built page and shows it when ready', () => {
    expect(fake.windows).toHaveLength(1)
    const { options } = win()
    expect(options).toMatchObject({ show: false, title: 'ZooKeeper Failover Lab' })
    // Unpackaged (development) here, so DevTools stay available; a packaged app turns them off.
    expect(options.webPreferences).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      devTools: true,
    })
    expect(options.webPreferences.preload).toBe(join(resolve('src/main'), '../preload/index.cjs'))
    expect(win().loadURL).toHaveBeenCalledWith(APP_URL)
    expect(win().loadFile).not.toHaveBeenCalled()
    expect(win().show).not.toHaveBeenCalled()
    win().emit('ready-to-show')
    expect(win().show).toHaveBeenCalledTimes(1)
  })

  it('denies navigation for the window it created', () => {
    const event = { preventDefault: vi.fn() }
    win().webContents.emit('will-navigate', event, 'https://evil.example/')
    expect(event.preventDefault).toHaveBeenCalled()
  })

  it('answers every Lab method over IPC from a real Lab, for the app window only', async () => {
    expect([...fake.handlers.keys()].sort()).toEqual(LAB_METHOD_NAMES.map((m) => `lab:${m}`).sort())
    const state = (await fake.handlers.get('lab:snapshot')!(fromApp())) as Record<string, unknown>
    expect(state).toMatchObject({ lastSeq: 0, workers: {}, zookeeper: { servers: [] } })
    await expect(fake.handlers.get('lab:snapshot')!(fromApp('https://evil.example/'))).rejects.toThrow(/Refused/)
    await expect(fake.handlers.get('lab:publishTask')!(fromApp(), { task: 'a/b' })).rejects.toThrow(/task: /)
    await expect(fake.handlers.get('lab:publishTask')!(fromApp(), { task: 'task01' })).rejects.toThrow(
      /No session is open/,
    )
    await expect(fake.handlers.get('lab:setSessionsDir')!(fromApp(), { dir: '/tmp' })).rejects.toThrow(/not by a page/)
  })

  it('chooses the sessions folder in the native dialog, and asks before running a program the page names', async () => {
    const { mkdtempSync, realpathSync, rmSync } = await import('node:fs')
    const { tmpdir } = await import('node:os')
    const dir = realpathSync(mkdtempSync(join(tmpdir(), 'zklab-electron-main-')))
    try {
      fake.nextFolder = null
      await expect(fake.handlers.get('lab:chooseSessionsFolder')!(fromApp())).resolves.toBeNull()
      fake.nextFolder = dir
      await expect(fake.handlers.get('lab:chooseSessionsFolder')!(fromApp())).resolves.toEqual({ sessionsDir: dir })
      await expect(fake.handlers.get('lab:listSessions')!(fromApp())).resolves.toMatchObject({
        sessionsDir: dir,
        sessions: [],
      })
      fake.consent = 1
      const external = { task: 'task01', count: 1, external: { command: '/bin/true' } }
      await expect(fake.handlers.get('lab:addWorkers')!(fromApp(), external)).rejects.toThrow(
        /declined in the app's dialog/,
      )
      expect(fake.dialogs).toEqual(['open', 'open', 'message'])
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it("forwards the lab's event batches to the window", async () => {
    const { mkdtempSync, rmSync } = await import('node:fs')
    const { tmpdir } = await import('node:os')
    const dir = mkdtempSync(join(tmpdir(), 'zklab-electron-main-'))
    try {
      fake.nextFolder = dir
      await fake.handlers.get('lab:chooseSessionsFolder')!(fromApp())
      await fake.handlers.get('lab:createSession')!(fromApp(), { name: 'main-test' })
      await vi.waitFor(() => expect(win().webContents.sent.length).toBeGreaterThan(0), { timeout: 2000 })
      const [channel, batch] = win().webContents.sent[0] as [string, Array<{ type: string }>]
      expect(channel).toBe(IPC_EVENTS_CHANNEL)
      expect(batch.map((e) => e.type)).toContain('session.created')
    } finally {
      await fake.handlers.get('lab:closeSession')!(fromApp())
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it('quits only after the lab has closed its session', async () => {
    const { mkdtempSync, readFileSync, rmSync } = await import('node:fs')
    const { tmpdir } = await import('node:os')
    const dir = mkdtempSync(join(tmpdir(), 'zklab-electron-main-'))
    try {
      fake.nextFolder = dir
      await fake.handlers.get('lab:chooseSessionsFolder')!(fromApp())
      const { dir: session } = (await fake.handlers.get('lab:createSession')!(fromApp(), { name: 'quit-test' })) as {
        dir: string
      }
      win().destroy()
      fake.app.emit('window-all-closed')
      expect(fake.calls).toContain('quit')
      expect(fake.calls).not.toContain('exit')
      await vi.waitFor(() => expect(fake.calls).toContain('exit'), { timeout: 10_000 })
      // The first quit was held back until the session was closed; the second one went through.
      expect(fake.calls.filter((c) => c === 'quit')).toHaveLength(2)
      expect(JSON.parse(readFileSync(join(session, 'session.json'), 'utf8'))).toHaveProperty('closedAt')
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
