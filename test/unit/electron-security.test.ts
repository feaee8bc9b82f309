/** Window and session hardening (src/main/security.ts), against fake sessions and webContents. */
import { EventEmitter } from 'node:events'
import { pathToFileURL } from 'node:url'
import type { Session, WebContents } from 'electron'
import { describe, expect, it, vi } from 'vitest'
import { isAppResourceUrl, type AppPage } from '../../src/main/app-page.js'
import {
  CONTENT_SECURITY_POLICY,
  hardenSession,
  hardenWebContents,
  isPermissionAllowed,
  secureWebPreferences,
  withContentSecurityPolicy,
} from '../../src/main/security.js'

const RENDERER_DIR = '/opt/zklab/out/renderer'
const APP_URL = 'zklab://app/index.html'
const FILE_URL = pathToFileURL(`${RENDERER_DIR}/index.html`).href
const BUILT: AppPage = { rendererDir: RENDERER_DIR }
const DEV: AppPage = { rendererDir: RENDERER_DIR, devUrl: 'http://localhost:5173/' }

function directives(policy: string): Map<string, string[]> {
  return new Map(
    policy
      .split(';')
      .map((d) => d.trim().split(/\s+/))
      .map(([name, ...values]) => [name, values]),
  )
}

describe('window preferences', () => {
  it('isolates, sandboxes and keeps Node and webview out of every window', () => {
    const prefs = secureWebPreferences('/opt/zklab/out/preload/index.cjs', { devTools: false })
    expect(prefs).toMatchObject({
      preload: '/opt/zklab/out/preload/index.cjs',
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInSubFrames: false,
      nodeIntegrationInWorker: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      devTools: false,
    })
  })

  it('opens DevTools only where asked (an unpackaged app)', () => {
    expect(secureWebPreferences('/p.cjs', { devTools: true }).devTools).toBe(true)
    expect(secureWebPreferences('/p.cjs', { devTools: false }).devTools).toBe(false)
  })
})

describe('content security policy', () => {
  it("allows only the page's own scripts and connections, and never eval", () => {
    const csp = directives(CONTENT_SECURITY_POLICY)
    expect(csp.get('script-src')).toEqual(["'self'"])
    expect(csp.get('connect-src')).toEqual(["'self'"])
    expect(csp.get('default-src')).toEqual(["'self'"])
    expect(csp.get('object-src')).toEqual(["'none'"])
    expect(csp.get('frame-ancestors')).toEqual(["'none'"])
    expect(CONTENT_SECURITY_POLICY).not.toContain('unsafe-eval')
    expect(CONTENT_SECURITY_POLICY).not.toMatch(/\*|https?:|ws:/)
  })

  it('is added to every response, next to any policy the response has', () => {
    expect(withContentSecurityPolicy(undefined)).toEqual({ 'Content-Security-Policy': [CONTENT_SECURITY_POLICY] })
    expect(
      withContentSecurityPolicy({ 'content-type': 'text/html', 'content-security-policy': "img-src 'none'" }),
    ).toEqual({
      'content-type': ['text/html'],
      'content-security-policy': ["img-src 'none'", CONTENT_SECURITY_POLICY],
    })
  })
})

describe('what the app may load', () => {
  it.each([
    APP_URL,
    'zklab://app/assets/index-abc.js',
    'data:image/png;base64,AAAA',
    'devtools://devtools/bundled/inspector.html',
  ])('allows %s from the built app', (url) => expect(isAppResourceUrl(url, BUILT)).toBe(true))

  it.each([
    'https://example.com/script.js',
    'http://localhost:5173/',
    'ws://127.0.0.1:8080/api',
    FILE_URL,
    'file:///opt/zklab/out/renderer/assets/index-abc.js',
    'file:///etc/passwd',
    'zklab://other/index.html',
    'zklab://app:1/index.html',
    'file:///opt/zklab/out/renderer-evil/x.js',
    'file:///opt/zklab/out/main/index.js',
    'ftp://example.com/x',
    'not a url',
  ])('refuses %s from the built app', (url) => expect(isAppResourceUrl(url, BUILT)).toBe(false))

  it.each(['http://localhost:5173/src/main.tsx', 'ws://localhost:5173/', 'http://localhost:5173/@vite/client'])(
    'allows the dev server: %s',
    (url) => expect(isAppResourceUrl(url, DEV)).toBe(true),
  )

  it.each([
    'https://localhost:5173/',
    'wss://localhost:5173/',
    APP_URL,
    'http://localhost:5174/',
    'http://localhost:5173.evil.example/',
    'https://cdn.example/react.js',
  ])('refuses %s in development', (url) => expect(isAppResourceUrl(url, DEV)).toBe(false))
})

describe('permissions', () => {
  it('lets the app page write to the clipboard and nothing else', () => {
    expect(isPermissionAllowed('clipboard-sanitized-write', APP_URL, BUILT)).toBe(true)
    expect(isPermissionAllowed('clipboard-sanitized-write', 'https://evil.example/', BUILT)).toBe(false)
    for (const permission of [
      'media',
      'notifications',
      'geolocation',
      'clipboard-read',
      'openExternal',
      'fullscreen',
      'unknown',
    ]) {
      expect(isPermissionAllowed(permission, APP_URL, BUILT)).toBe(false)
    }
  })
})

describe('hardenSession', () => {
  function fakeSession() {
    const handlers: Record<string, (...args: any[]) => any> = {}
    const session = {
      setPermissionRequestHandler: (h: (...args: any[]) => any) => (handlers.request = h),
      setPermissionCheckHandler: (h: (...args: any[]) => any) => (handlers.check = h),
      webRequest: {
        onBeforeRequest: (h: (...args: any[]) => any) => (handlers.beforeRequest = h),
        onHeadersReceived: (h: (...args: any[]) => any) => (handlers.headersReceived = h),
      },
    }
    hardenSession(session as unknown as Session, BUILT)
    return handlers
  }

  it('denies permission requests and checks', () => {
    const handlers = fakeSession()
    const callback = vi.fn()
    handlers.request({}, 'media', callback, { requestingUrl: APP_URL })
    handlers.request({}, 'notifications', callback, { requestingUrl: APP_URL })
    expect(callback.mock.calls).toEqual([[false], [false]])
    expect(handlers.check(null, 'geolocation', 'file:///', { requestingUrl: APP_URL })).toBe(false)
  })

  it('cancels remote requests and lets local ones through', () => {
    const handlers = fakeSession()
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {})
    const callback = vi.fn()
    handlers.beforeRequest({ url: 'https://example.com/tracker.js' }, callback)
    handlers.beforeRequest({ url: 'zklab://app/assets/index.js' }, callback)
    handlers.beforeRequest({ url: 'file:///opt/zklab/out/renderer/assets/index.js' }, callback)
    expect(callback.mock.calls).toEqual([[{ cancel: true }], [{ cancel: false }], [{ cancel: true }]])
    expect(warn).toHaveBeenCalledWith(expect.stringContaining('https://example.com/tracker.js'))
    warn.mockRestore()
  })

  it('adds the CSP header to responses', () => {
    const handlers = fakeSession()
    const callback = vi.fn()
    handlers.headersReceived({ responseHeaders: { 'Content-Type': ['text/html'] } }, callback)
    expect(callback).toHaveBeenCalledWith({
      responseHeaders: { 'Content-Type': ['text/html'], 'Content-Security-Policy': [CONTENT_SECURITY_POLICY] },
    })
  })
})

describe('hardenWebContents', () => {
  function fakeContents() {
    let openHandler: ((details: { url: string }) => { action: string }) | undefined
    const contents = Object.assign(new EventEmitter(), {
      setWindowOpenHandler: (h: typeof openHandler) => (openHandler = h),
      openWindow: (url: string) => openHandler!({ url }),
    })
    hardenWebContents(contents as unknown as WebContents)
    return contents
  }

  it('denies new windows, navigation and webviews', () => {
    const contents = fakeContents()
    expect(contents.openWindow('https://evil.example/')).toEqual({ action: 'deny' })
    expect(contents.openWindow(APP_URL)).toEqual({ action: 'deny' })
    for (const name of ['will-navigate', 'will-attach-webview']) {
      const event = { preventDefault: vi.fn() }
      contents.emit(name, event, { url: 'https://evil.example/' })
      expect(event.preventDefault).toHaveBeenCalled()
    }
  })
})
