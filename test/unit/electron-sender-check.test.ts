/** Which page the app trusts (src/main/app-page.ts) and the IPC sender check (src/main/sender-check.ts). */
import { EventEmitter } from 'node:events'
import { pathToFileURL } from 'node:url'
import { describe, expect, it } from 'vitest'
import { APP_PAGE_URL, appPageUrl, isAppPageUrl, resolveAppPage, type AppPage } from '../../src/main/app-page.js'
import { SenderCheck, type IpcSender } from '../../src/main/sender-check.js'

const RENDERER_DIR = '/opt/zklab/out/renderer'
const APP_URL = 'zklab://app/index.html'
const FILE_URL = pathToFileURL(`${RENDERER_DIR}/index.html`).href
const BUILT: AppPage = { rendererDir: RENDERER_DIR }
const DEV: AppPage = { rendererDir: RENDERER_DIR, devUrl: 'http://localhost:5173/' }

describe('resolveAppPage', () => {
  it("is the built renderer on the app's scheme without a dev server", () => {
    const page = resolveAppPage({ rendererDir: RENDERER_DIR, env: {}, isPackaged: false })
    expect(page).toEqual({ rendererDir: RENDERER_DIR })
    expect(appPageUrl(page)).toBe(APP_URL)
    expect(APP_PAGE_URL).toBe(APP_URL)
  })

  it("is electron-vite's dev server when ELECTRON_RENDERER_URL names one on loopback", () => {
    for (const url of [
      'http://localhost:5173',
      'http://127.0.0.1:5173',
      'http://[::1]:5173',
      'https://localhost:5173',
    ]) {
      const page = resolveAppPage({ rendererDir: RENDERER_DIR, env: { ELECTRON_RENDERER_URL: url }, isPackaged: false })
      expect(page).toEqual({ rendererDir: RENDERER_DIR, devUrl: `${url}/` })
      expect(appPageUrl(page)).toBe(`${url}/`)
    }
  })

  it('ignores ELECTRON_RENDERER_URL in a packaged app', () => {
    const page = resolveAppPage({
      rendererDir: RENDERER_DIR,
      env: { ELECTRON_RENDERER_URL: 'http://localhost:5173' },
      isPackaged: true,
    })
    expect(page).toEqual({ rendererDir: RENDERER_DIR })
  })

  it.each([
    'http://evil.example:5173',
    'http://127.0.0.1.evil.example:5173',
    'http://127.0.0.1:5173.evil.example',
    'file:///tmp/index.html',
    'javascript:alert(1)',
    'not a url',
  ])('refuses ELECTRON_RENDERER_URL=%s', (url) => {
    expect(() =>
      resolveAppPage({ rendererDir: RENDERER_DIR, env: { ELECTRON_RENDERER_URL: url }, isPackaged: false }),
    ).toThrow(/ELECTRON_RENDERER_URL must be the dev server's loopback/)
  })
})

describe('isAppPageUrl', () => {
  it.each([APP_URL, `${APP_URL}#/logs`, `${APP_URL}?panel=tree`, 'zklab://app/', 'zklab://app/./assets/../index.html'])(
    "accepts the built page on the app's origin: %s",
    (url) => {
      expect(isAppPageUrl(url, BUILT)).toBe(true)
    },
  )

  it.each([
    FILE_URL,
    'file:///tmp/evil.html',
    'zklab://evil/index.html',
    'zklab://app.evil/index.html',
    'zklab://app:8080/index.html',
    'zklab://user@app/index.html',
    'zklabx://app/index.html',
    'http://localhost:5173/',
    'https://evil.example/opt/zklab/out/renderer/index.html',
    'about:blank',
    'data:text/html,<script>1</script>',
    '',
    'not a url',
    undefined,
  ])('rejects %s for the built page', (url) => {
    expect(isAppPageUrl(url, BUILT)).toBe(false)
  })

  it.each(['http://localhost:5173/', 'http://localhost:5173/index.html', 'http://localhost:5173/src/main.tsx?t=1#x'])(
    'accepts the dev server: %s',
    (url) => {
      expect(isAppPageUrl(url, DEV)).toBe(true)
    },
  )

  it.each([
    'http://localhost:5173.evil.example/',
    'http://127.0.0.1:5173.evil.example',
    'http://localhost.evil.example:5173/',
    'http://localhost:5173@evil.example/',
    'http://evil.example/?http://localhost:5173/',
    'http://evil.example/http://localhost:5173/',
    'https://localhost:5173/',
    'http://localhost:5174/',
    'http://127.0.0.1:5173/',
    'ws://localhost:5173/',
    APP_URL,
    FILE_URL,
  ])('rejects %s while the dev server is the page', (url) => {
    expect(isAppPageUrl(url, DEV)).toBe(false)
  })
})

describe('SenderCheck', () => {
  const window = () => Object.assign(new EventEmitter(), { id: 7 })
  const from = (id: number, url: string, parent: unknown = null): IpcSender => ({
    sender: { id },
    senderFrame: { url, parent },
  })

  it("trusts only the app's windows, on the app's page, in their top frame", () => {
    const check = new SenderCheck(BUILT)
    const win = window()
    expect(check.isTrusted(from(7, APP_URL))).toBe(false)
    check.trust(win)
    expect(check.isTrusted(from(7, APP_URL))).toBe(true)
    expect(check.isTrusted(from(8, APP_URL))).toBe(false)
    expect(check.isTrusted(from(7, 'file:///tmp/evil.html'))).toBe(false)
    expect(check.isTrusted(from(7, FILE_URL))).toBe(false)
    expect(check.isTrusted(from(7, 'https://evil.example/'))).toBe(false)
    expect(check.isTrusted(from(7, APP_URL, { url: APP_URL }))).toBe(false)
    expect(check.isTrusted({ sender: { id: 7 }, senderFrame: null })).toBe(false)
  })

  it('forgets a window when its webContents is destroyed', () => {
    const check = new SenderCheck(BUILT)
    const win = window()
    check.trust(win)
    win.emit('destroyed')
    expect(check.isTrusted(from(7, APP_URL))).toBe(false)
  })

  it('refuses a sender whose frame Electron will not hand out', () => {
    const check = new SenderCheck(BUILT)
    check.trust(window())
    const gone = {
      sender: { id: 7 },
      get senderFrame(): IpcSender['senderFrame'] {
        throw new Error('Render frame was disposed before WebFrameMain could be accessed')
      },
    }
    expect(check.isTrusted(gone)).toBe(false)
  })

  it('accepts the dev server page and nothing else in development', () => {
    const check = new SenderCheck(DEV)
    check.trust(window())
    expect(check.isTrusted(from(7, 'http://localhost:5173/'))).toBe(true)
    expect(check.isTrusted(from(7, APP_URL))).toBe(false)
    expect(check.isTrusted(from(7, 'http://localhost:5173.evil.example/'))).toBe(false)
  })
})
