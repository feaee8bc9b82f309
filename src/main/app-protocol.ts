import { readFile, realpath, stat } from 'node:fs/promises'
import { extname, isAbsolute, join, relative } from 'node:path'
import type { Protocol } from 'electron'
import { APP_HOST, APP_SCHEME } from './app-page.js'
import { CONTENT_SECURITY_POLICY } from './security.js'

/**
 * The app's scheme: the built renderer served as `zklab://app/…`. Registered as standard (relative URLs
 * and an origin of its own) and secure (like https, so the page is a secure context), before the app
 * is ready, as Electron requires.
 */
export function registerAppScheme(protocol: Pick<Protocol, 'registerSchemesAsPrivileged'>): void {
  protocol.registerSchemesAsPrivileged([
    { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } },
  ])
}

/** Serves the renderer folder on the app's scheme (after the app is ready). */
export function handleAppScheme(protocol: Pick<Protocol, 'handle'>, rendererDir: string): void {
  protocol.handle(APP_SCHEME, (request) => serveAppFile(request.method, request.url, rendererDir))
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.txt': 'text/plain; charset=utf-8',
}

function refusal(status: number, text: string): Response {
  return new Response(text, {
    status,
    headers: { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Security-Policy': CONTENT_SECURITY_POLICY },
  })
}

/**
 * One request on the app's scheme: a file inside the renderer folder, with the lab's CSP. Anything
 * else (another host, an encoded separator, a path or a link leading out of the folder, a folder, a
 * missing file) is a 404 that names nothing on disk.
 */
export async function serveAppFile(method: string, rawUrl: string, rendererDir: string): Promise<Response> {
  if (method !== 'GET' && method !== 'HEAD') return refusal(405, 'The app serves its files read-only.')
  let url: URL
  try {
    url = new URL(rawUrl)
  } catch {
    return refusal(400, 'Not a URL.')
  }
  const notFound = refusal(404, 'Not a file of the app.')
  if (url.protocol !== `${APP_SCHEME}:` || url.host !== APP_HOST) return notFound
  let parts: string[]
  try {
    parts = url.pathname
      .split('/')
      .filter((p) => p !== '')
      .map((p) => decodeURIComponent(p))
  } catch {
    return notFound
  }
  // The URL parser has already removed dot segments; what decodes to one, or to a separator, is an attack.
  if (parts.some((p) => p === '.' || p === '..' || /[/\\\0]/.test(p))) return notFound
  if (parts.length === 0) parts = ['index.html']
  try {
    const root = await realpath(rendererDir)
    // The real path, so a link inside the folder that leads out of it is refused too.
    const file = await realpath(join(root, ...parts))
    const rel = relative(root, file)
    if (rel === '' || rel.startsWith('..') || isAbsolute(rel)) return notFound
    if (!(await stat(file)).isFile()) return notFound
    const body = method === 'HEAD' ? null : await readFile(file)
    return new Response(body, {
      status: 200,
      headers: {
        'Content-Type': CONTENT_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream',
        'Content-Security-Policy': CONTENT_SECURITY_POLICY,
        'X-Content-Type-Options': 'nosniff',
      },
    })
  } catch {
    return notFound
  }
}
