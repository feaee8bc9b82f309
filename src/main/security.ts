import type { Session, WebContents, WebPreferences } from 'electron'
import { isAppPageUrl, isAppResourceUrl, type AppPage } from './app-page.js'

/**
 * Only the page's own scripts, no eval, no inline script, and network access to the page's own origin
 * only. Inline styles stay allowed: Vite and chart/list libraries inject <style> elements. The same
 * policy browser mode serves (src/core/bridge).
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-src 'none'",
  "frame-ancestors 'none'",
  "form-action 'none'",
].join('; ')

/**
 * The preferences of every window: isolated, sandboxed, no Node, web security on. DevTools only while
 * developing: a packaged app's page cannot be opened up to run code in it.
 */
export function secureWebPreferences(preload: string, options: { devTools: boolean }): WebPreferences {
  return {
    preload,
    devTools: options.devTools,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    webviewTag: false,
    experimentalFeatures: false,
    navigateOnDragDrop: false,
    // The spellchecker downloads dictionaries; the lab loads nothing remote.
    spellcheck: false,
  }
}

/** Adds the lab's CSP to a response's headers; a policy the response already has still applies too. */
export function withContentSecurityPolicy(
  headers: Record<string, string | string[]> | undefined,
): Record<string, string[]> {
  const result: Record<string, string[]> = {}
  let key = 'Content-Security-Policy'
  for (const [name, value] of Object.entries(headers ?? {})) {
    result[name] = Array.isArray(value) ? [...value] : [value]
    if (name.toLowerCase() === 'content-security-policy') key = name
  }
  result[key] = [...(result[key] ?? []), CONTENT_SECURITY_POLICY]
  return result
}

/**
 * Permissions the app's page gets: writing text to the clipboard (copying a log line or a connect
 * string). Everything else (camera, notifications, geolocation, …) is refused, for every page.
 */
export function isPermissionAllowed(permission: string, requestingUrl: string | undefined, page: AppPage): boolean {
  return permission === 'clipboard-sanitized-write' && isAppPageUrl(requestingUrl, page)
}

/** Session-wide rules: permissions, the CSP header, and no request leaving the app's own files. */
export function hardenSession(session: Session, page: AppPage): void {
  session.setPermissionRequestHandler((_contents, permission, callback, details) => {
    callback(isPermissionAllowed(permission, details.requestingUrl, page))
  })
  session.setPermissionCheckHandler((_contents, permission, _origin, details) =>
    isPermissionAllowed(permission, details.requestingUrl, page),
  )
  session.webRequest.onBeforeRequest((details, callback) => {
    const allowed = isAppResourceUrl(details.url, page)
    if (!allowed) console.warn(`Blocked a request to ${details.url}: the lab loads nothing but its own files.`)
    callback({ cancel: !allowed })
  })
  // For the dev server's responses; the app's scheme sets the policy on its own responses (app-protocol.ts).
  session.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: withContentSecurityPolicy(details.responseHeaders) })
  })
}

/** Rules for every webContents the app creates: no new windows, no navigation, no <webview>. */
export function hardenWebContents(contents: WebContents): void {
  contents.setWindowOpenHandler(() => ({ action: 'deny' }))
  contents.on('will-navigate', (event) => event.preventDefault())
  contents.on('will-attach-webview', (event) => event.preventDefault())
}
