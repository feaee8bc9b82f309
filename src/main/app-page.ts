import { resolve } from 'node:path'

/**
 * The built renderer is served from this scheme and host (src/main/app-protocol.ts), not from file://:
 * the page gets an origin of its own, and nothing else on disk is reachable by a URL.
 */
export const APP_SCHEME = 'zklab'
export const APP_HOST = 'app'
export const APP_PAGE_URL = `${APP_SCHEME}://${APP_HOST}/index.html`

/** Where the app's own page comes from: the built renderer folder, or electron-vite's dev server while developing. */
export interface AppPage {
  /** Absolute path of the built renderer's folder, the only folder the app's scheme serves. */
  rendererDir: string
  /** The dev server's URL; when set, the window loads it instead of the app's scheme. */
  devUrl?: string
}

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]'])

/**
 * The app's page for this run. ELECTRON_RENDERER_URL counts only in an unpackaged app and only for a
 * loopback http(s) server, so no environment variable can make the app load or trust a remote site.
 */
export function resolveAppPage(options: { rendererDir: string; env: NodeJS.ProcessEnv; isPackaged: boolean }): AppPage {
  const rendererDir = resolve(options.rendererDir)
  const raw = options.env.ELECTRON_RENDERER_URL
  if (!raw || options.isPackaged) return { rendererDir }
  const url = parseUrl(raw)
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:') || !LOOPBACK_HOSTS.has(url.hostname)) {
    throw new Error(`ELECTRON_RENDERER_URL must be the dev server's loopback http(s) URL, not ${JSON.stringify(raw)}.`)
  }
  return { rendererDir, devUrl: url.href }
}

/** The URL a window loads: the dev server's, or the built page on the app's scheme. */
export function appPageUrl(page: AppPage): string {
  return page.devUrl ?? APP_PAGE_URL
}

/** Whether a URL is on the app's own origin (the app's scheme and host). */
function isAppOrigin(url: URL): boolean {
  // Node gives custom schemes an opaque origin ("null"), so scheme and host are compared instead.
  return (
    url.protocol === `${APP_SCHEME}:` &&
    url.host === APP_HOST &&
    url.username === '' &&
    url.password === '' &&
    url.port === ''
  )
}

/** Whether a frame's URL is the app's page: the app's origin, or any page of the dev server's origin. */
export function isAppPageUrl(raw: string | undefined, page: AppPage): boolean {
  const url = parseUrl(raw)
  if (!url) return false
  if (page.devUrl) return url.origin === new URL(page.devUrl).origin
  return isAppOrigin(url)
}

/**
 * Whether the app may load a URL at all (checked for every request of the session): its own origin,
 * the dev server, DevTools, and inline data. Everything else, remote content and file:// in
 * particular, is refused.
 */
export function isAppResourceUrl(raw: string, page: AppPage): boolean {
  const url = parseUrl(raw)
  if (!url) return false
  switch (url.protocol) {
    case 'data:':
    case 'blob:':
    case 'devtools:':
      return true
    case `${APP_SCHEME}:`:
      return !page.devUrl && isAppOrigin(url)
    case 'http:':
    case 'https:':
    case 'ws:':
    case 'wss:': {
      if (!page.devUrl) return false
      const dev = new URL(page.devUrl)
      // The dev server's hot reload talks WebSocket to the same host and port.
      const family = url.protocol === 'http:' || url.protocol === 'ws:' ? 'http:' : 'https:'
      return family === dev.protocol && url.host === dev.host
    }
    default:
      return false
  }
}

function parseUrl(raw: string | undefined): URL | undefined {
  if (!raw) return undefined
  try {
    return new URL(raw)
  } catch {
    return undefined
  }
}
