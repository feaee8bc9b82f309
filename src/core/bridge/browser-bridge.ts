import { createReadStream, existsSync, statSync } from 'node:fs'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import { extname, join, normalize, sep } from 'node:path'
import { WebSocketServer, type WebSocket } from 'ws'
import { LabInputError, parseLabCall, type LabCalls } from '../../shared/api.js'
import type { LabEvent } from '../../shared/events.js'

/** The browser bridge's wire format: one JSON message per WebSocket frame. */
export type BridgeRequest = { id: number; method: string; input?: unknown }
export type BridgeMessage =
  | { id: number; ok: true; result: unknown }
  | { id: number; ok: false; error: string; kind?: 'input' | 'lab' }
  | { events: LabEvent[] }

export const BRIDGE_PATH = '/api'

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
}

/** The same policy the Electron window gets: only the page's own scripts, and its own bridge. */
const CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'none'"

export interface BrowserBridgeOptions {
  lab: LabCalls & { subscribe(listener: (batch: LabEvent[]) => void): () => void }
  /** The built renderer (out/renderer). */
  staticDir: string
  /** 0 picks a free port. */
  port?: number
}

export interface BrowserBridge {
  url: string
  port: number
  close(): Promise<void>
}

/**
 * Browser mode: serves the built renderer and a WebSocket bridge to the Lab API on 127.0.0.1 only.
 * Calls are validated against the same schemas as Electron's IPC; event batches are pushed to every
 * connected page. Connections from other origins are refused, so no web page the user has open can
 * drive the lab.
 */
export async function startBrowserBridge(options: BrowserBridgeOptions): Promise<BrowserBridge> {
  const index = join(options.staticDir, 'index.html')
  if (!existsSync(index)) {
    throw new Error(`The app is not built (${index} is missing): run npm run build, then start browser mode again.`)
  }
  const server = createServer((req, res) => serveStatic(options.staticDir, req, res))
  const sockets = new WebSocketServer({ noServer: true, maxPayload: 1024 * 1024 })
  let origin = ''

  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1')
    // Same origin only: the page this server served, by the address it was served from.
    if (url.pathname !== BRIDGE_PATH || req.headers.origin !== origin || req.headers.host !== new URL(origin).host) {
      socket.end('HTTP/1.1 403 Forbidden\r\n\r\n')
      return
    }
    sockets.handleUpgrade(req, socket, head, (ws) => sockets.emit('connection', ws, req))
  })

  const unsubscribe = options.lab.subscribe((events) => {
    const frame = JSON.stringify({ events } satisfies BridgeMessage)
    for (const client of sockets.clients) if (client.readyState === client.OPEN) client.send(frame)
  })

  sockets.on('connection', (ws: WebSocket) => {
    ws.on('message', (data) => void handleCall(options.lab, ws, String(data)))
  })

  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(err.code === 'EADDRINUSE' ? new Error(`Port ${options.port} on 127.0.0.1 is in use: pick another with --port, or 0 for a free one.`) : err),
    )
    server.listen(options.port ?? 0, '127.0.0.1', resolve)
  })
  const port = (server.address() as { port: number }).port
  origin = `http://127.0.0.1:${port}`
  return {
    url: `${origin}/`,
    port,
    async close() {
      unsubscribe()
      for (const client of sockets.clients) client.terminate()
      sockets.close()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}

async function handleCall(lab: BrowserBridgeOptions['lab'], ws: WebSocket, text: string): Promise<void> {
  let request: BridgeRequest
  try {
    request = JSON.parse(text) as BridgeRequest
    if (typeof request?.id !== 'number') throw new Error('no id')
  } catch {
    ws.send(JSON.stringify({ id: -1, ok: false, error: 'Malformed request: expected {"id": number, "method": string, "input"?: …}.', kind: 'input' }))
    return
  }
  let reply: BridgeMessage
  try {
    const { method, input } = parseLabCall(request.method, request.input)
    const call = lab[method] as (arg: unknown) => Promise<unknown>
    const result = await call.call(lab, input)
    reply = { id: request.id, ok: true, result: result ?? null }
  } catch (err) {
    reply = { id: request.id, ok: false, error: (err as Error).message, kind: err instanceof LabInputError ? 'input' : 'lab' }
  }
  if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(reply))
}

function serveStatic(root: string, req: IncomingMessage, res: ServerResponse): void {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, { Allow: 'GET, HEAD' }).end()
    return
  }
  const pathname = decodeURIComponent(new URL(req.url ?? '/', 'http://127.0.0.1').pathname)
  const relative = normalize(pathname === '/' ? 'index.html' : pathname.slice(1))
  const file = join(root, relative)
  // No path may leave the renderer's folder.
  if (relative.startsWith('..') || !(file === root || file.startsWith(root.endsWith(sep) ? root : root + sep)) || !existsSync(file) || !statSync(file).isFile()) {
    res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found')
    return
  }
  res.writeHead(200, {
    'Content-Type': CONTENT_TYPES[extname(file)] ?? 'application/octet-stream',
    'Content-Security-Policy': CSP,
    'X-Content-Type-Options': 'nosniff',
    'Cache-Control': 'no-store',
  })
  if (req.method === 'HEAD') res.end()
  else createReadStream(file).pipe(res)
}
