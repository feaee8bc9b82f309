import { dirname, isAbsolute, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

/** Where the app's own page comes from: the built file, or electron-vite's dev server while developing. */
export interface AppPage {
  /** Absolute path of the built renderer's index.html. */
  file: string
  /** The dev server's URL; when set, the window loads it instead of the file. */
  devUrl?: string
}

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]'])

/**
 * The app's page for this run. ELECTRON_RENDERER_URL counts only in an unpackaged app and only for a
 * loopback http(s) server, so no environment variable can make the app load or trust a remote site.
 */
export function resolveAppPage(options: { rendererDir: string; env: NodeJS.ProcessEnv; isPackaged: boolean }): AppPage {
  const file = resolve(options.rendererDir, 'index.html')
  const raw = options.env.ELECTRON_RENDERER_URL
  if (!raw || options.isPackaged) return { file }
  const url = parseUrl(raw)
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:') || !LOOPBACK_HOSTS.has(url.hostname)) {
    throw new Error(`ELECTRON_RENDERER_URL must be the dev server's loopback http(s) URL, not ${JSON.stringify(raw)}.`)
  }
  return { file, devUrl: url.href }
}

/** Whether a frame's URL is the app's page: the exact index.html file, or any page of the dev server's origin. */
export function isAppPageUrl(raw: string | undefined, page: AppPage): boolean {
  const url = parseUrl(raw)
  if (!url) return false
  if (page.devUrl) return url.origin === new URL(page.devUrl).origin
  const path = localPath(url)
  return path !== undefined && samePath(path, page.file)
}

/**
 * Whether the app may load a URL at all (checked for every request of the session): its own files, the
 * dev server, DevTools, and inline data. Everything else, remote content in particular, is refused.
 */
export function isAppResourceUrl(raw: string, page: AppPage): boolean {
  const url = parseUrl(raw)
  if (!url) return false
  switch (url.protocol) {
    case 'data:':
    case 'blob:':
    case 'devtools:':
      return true
    case 'file:': {
      const path = localPath(url)
      return path !== undefined && isInside(path, dirname(page.file))
    }
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

/** The local path of a file: URL; undefined for a file on another host or a path that does not decode. */
function localPath(url: URL): string | undefined {
  if (url.protocol !== 'file:' || url.host !== '') return undefined
  try {
    return resolve(fileURLToPath(url))
  } catch {
    return undefined
  }
}

function samePath(a: string, b: string): boolean {
  // Windows paths are case-insensitive; elsewhere a differently cased path may be another file.
  return process.platform === 'win32' ? resolve(a).toLowerCase() === resolve(b).toLowerCase() : resolve(a) === resolve(b)
}

function isInside(path: string, dir: string): boolean {
  const rel = relative(dir, path)
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel))
}
