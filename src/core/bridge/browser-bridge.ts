import { createReadStream, existsSync, statSync } from 'node:fs'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import { extname, join, normalize, sep } from 'node:path'
import { WebSocketServer, type RawData, type WebSocket } from 'ws'
import { LabInputError, parseLabCall, type LabCalls, type LabMethod } from '../../shared/api.js'
import {
  BRIDGE_CLOSE,
  BRIDGE_MAX_CALL_BYTES,
  BRIDGE_PATH,
  type BridgeMessage,
  type BridgeRequest,
} from '../../shared/bridge-protocol.js'
import type { LabEvent } from '../../shared/events.js'
import { remoteCallGate } from '../../shared/remote-policy.js'
import { bridgeAccess, bridgeCookie, newBridgeToken } from './bridge-auth.js'

export { BRIDGE_PATH, type BridgeMessage, type BridgeRequest } from '../../shared/bridge-protocol.js'

/**
 * Calls of one connection that run at once; the rest wait, and the socket is not read while they do,
 * so one page (or program) sending thousands of calls cannot hold up another's snapshot.
 */
const CALLS_IN_FLIGHT = 16
/** Replies and events a connection may have unsent before it is closed with "try again". */
const MAX_UNSENT_BYTES = 16 * 1024 * 1024

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
  /** Run calls that start a program the caller chose (external workers, a ZooKeeper home, Docker): `zklab serve --allow-external`. */
  allowExternal?: boolean
}

export interface BrowserBridge {
  /** http://127.0.0.1:<port>/?token=… : what the user opens, and what `zklab fault` connects to. */
  url: string
  port: number
  close(): Promise<void>
}

/**
 * Browser mode: serves the built renderer and a WebSocket bridge to the Lab API on 127.0.0.1 only.
 * Every request needs this start's token (in the URL, or the cookie the page load got); the
 * WebSocket also needs the page's own Origin and Host, so no web page the user has open can drive the
 * lab. Calls are validated against the same schemas as Electron's IPC and the remote-call policy;
 * event batches are pushed to every connected page. No frame a client sends can take serve down.
 */
export async function startBrowserBridge(options: BrowserBridgeOptions): Promise<BrowserBridge> {
  const index = join(options.staticDir, 'index.html')
  if (!existsSync(index)) {
    throw new Error(`The app is not built (${index} is missing): run npm run build, then start browser mode again.`)
  }
  const token = newBridgeToken()
  // Known once listening; no request arrives before that.
  let port = 0
  let origin = ''

  const server = createServer((req, res) => {
    try {
      const url = new URL(req.url ?? '/', origin)
      // The Host check keeps a DNS-rebound name away; the token keeps everyone else away.
      const access = req.headers.host === `127.0.0.1:${port}` ? bridgeAccess(req, url, port, token) : undefined
      if (!access) {
        res
          .writeHead(403, { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' })
          .end(
            `This lab needs its token: open the URL zklab serve printed (${origin}/?token=…), also recorded in serve.json in its sessions folder.\n`,
          )
        return
      }
      serveStatic(
        options.staticDir,
        url,
        req,
        res,
        access === 'query' ? { 'Set-Cookie': bridgeCookie(port, token) } : {},
      )
    } catch {
      if (!res.headersSent) res.writeHead(400, { 'Content-Type': 'text/plain' })
      res.end('bad request')
    }
  })
  // A malformed request or a client that resets: that connection ends, serve goes on.
  server.on('clientError', (_err, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n')
    else socket.destroy()
  })
  const sockets = new WebSocketServer({ noServer: true, maxPayload: BRIDGE_MAX_CALL_BYTES })

  server.on('upgrade', (req, socket, head) => {
    socket.on('error', () => socket.destroy())
    const url = new URL(req.url ?? '/', origin)
    // Same origin only (the page this server served, by the address it was served from), with the token.
    const allowed =
      url.pathname === BRIDGE_PATH &&
      req.headers.origin === origin &&
      req.headers.host === `127.0.0.1:${port}` &&
      bridgeAccess(req, url, port, token) !== undefined
    if (!allowed) {
      socket.end('HTTP/1.1 403 Forbidden\r\nConnection: close\r\nContent-Length: 0\r\n\r\n')
      return
    }
    sockets.handleUpgrade(req, socket, head, (ws) => sockets.emit('connection', ws, req))
  })

  const unsubscribe = options.lab.subscribe((events) => {
    const frame = JSON.stringify({ events } satisfies BridgeMessage)
    for (const client of sockets.clients) sendOrShed(client, frame)
  })

  sockets.on('connection', (ws: WebSocket) => serveConnection(ws, options.lab, options.allowExternal === true))

  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(
        err.code === 'EADDRINUSE'
          ? new Error(`Port ${options.port} on 127.0.0.1 is in use: pick another with --port, or 0 for a free one.`)
          : err,
      ),
    )
    server.listen(options.port ?? 0, '127.0.0.1', resolve)
  })
  server.on('error', (err) => console.error(`browser bridge: ${err.message}`))
  port = (server.address() as { port: number }).port
  origin = `http://127.0.0.1:${port}`
  return {
    url: `${origin}/?token=${token}`,
    port,
    async close() {
      unsubscribe()
      for (const client of sockets.clients) client.terminate()
      sockets.close()
      const closed = new Promise<void>((resolve) => server.close(() => resolve()))
      server.closeAllConnections()
      await closed
    },
  }
}

/**
 * One connection's calls: at most CALLS_IN_FLIGHT run at once, the others wait in arrival order and
 * the socket is paused while they do. Waiting calls are started from setImmediate, after the event
 * loop has read other sockets, so the lab answers every connection in turn.
 */
function serveConnection(ws: WebSocket, lab: BrowserBridgeOptions['lab'], allowExternal: boolean): void {
  const waiting: string[] = []
  let running = 0
  let scheduled = false
  // A bad frame (too big, invalid UTF-8, an unknown opcode): ws has already sent the close code for it.
  ws.on('error', () => {})
  ws.on('close', () => (waiting.length = 0))
  const startWaiting = () => {
    scheduled = false
    while (running < CALLS_IN_FLIGHT && waiting.length > 0) {
      running++
      void answer(lab, waiting.shift()!, allowExternal).then((reply) => {
        running--
        sendOrShed(ws, reply)
        schedule()
      })
    }
    if (waiting.length < CALLS_IN_FLIGHT && ws.isPaused) ws.resume()
  }
  const schedule = () => {
    if (scheduled || waiting.length === 0) return
    scheduled = true
    setImmediate(startWaiting)
  }
  ws.on('message', (data) => {
    waiting.push(frameText(data))
    if (waiting.length >= CALLS_IN_FLIGHT) ws.pause()
    schedule()
  })
}

/** A call frame's UTF-8 text (ws hands over one Buffer, binaryType being left at 'nodebuffer'). */
function frameText(data: RawData): string {
  const bytes = Array.isArray(data) ? Buffer.concat(data) : Buffer.isBuffer(data) ? data : Buffer.from(data)
  return bytes.toString('utf8')
}

/** A client that does not read what it is sent falls behind; it is told to reconnect and catch up. */
function sendOrShed(ws: WebSocket, frame: string): void {
  if (ws.readyState !== ws.OPEN) return
  ws.send(frame)
  if (ws.bufferedAmount > MAX_UNSENT_BYTES)
    ws.close(BRIDGE_CLOSE.tryAgain, 'Too far behind the lab: reconnect to catch up')
}

/** Why browser mode refuses a call, whatever its argument's validity: see src/shared/remote-policy.ts. */
export function bridgeRefusal(method: LabMethod, input: unknown, allowExternal: boolean): string | undefined {
  const gate = remoteCallGate(method, input)
  if (!gate) return undefined
  if (gate.kind === 'host-only') return `${method} refused over the browser bridge. ${gate.message}`
  if (allowExternal) return undefined
  return `${method} refused over the browser bridge. ${gate.message} A page runs programs of its choosing only when the lab was started with zklab serve --allow-external.`
}

/** The reply to one frame, as JSON; never throws. */
async function answer(lab: BrowserBridgeOptions['lab'], text: string, allowExternal: boolean): Promise<string> {
  let request: BridgeRequest
  try {
    request = JSON.parse(text) as BridgeRequest
    if (typeof request?.id !== 'number') throw new Error('no id')
  } catch {
    return JSON.stringify({
      id: -1,
      ok: false,
      error: 'Malformed request: expected {"id": number, "method": string, "input"?: …}.',
      kind: 'input',
    } satisfies BridgeMessage)
  }
  try {
    const { method, input } = parseLabCall(request.method, request.input)
    const refused = bridgeRefusal(method, input, allowExternal)
    if (refused) throw new LabInputError(refused)
    const call = lab[method] as (arg: unknown) => Promise<unknown>
    const result = await call.call(lab, input)
    return JSON.stringify({ id: request.id, ok: true, result: result ?? null } satisfies BridgeMessage)
  } catch (err) {
    return JSON.stringify({
      id: request.id,
      ok: false,
      error: (err as Error).message,
      kind: err instanceof LabInputError ? 'input' : 'lab',
    } satisfies BridgeMessage)
  }
}

function serveStatic(
  root: string,
  url: URL,
  req: IncomingMessage,
  res: ServerResponse,
  extraHeaders: Record<string, string>,
): void {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, { Allow: 'GET, HEAD' }).end()
    return
  }
  const pathname = decodeURIComponent(url.pathname)
  const relative = normalize(pathname === '/' ? 'index.html' : pathname.slice(1))
  const file = join(root, relative)
  // No path may leave the renderer's folder.
  if (
    relative.startsWith('..') ||
    !(file === root || file.startsWith(root.endsWith(sep) ? root : root + sep)) ||
    !existsSync(file) ||
    !statSync(file).isFile()
  ) {
    res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found')
    return
  }
  res.writeHead(200, {
    'Content-Type': CONTENT_TYPES[extname(file)] ?? 'application/octet-stream',
    'Content-Security-Policy': CSP,
    'X-Content-Type-Options': 'nosniff',
    'Cache-Control': 'no-store',
    // The page's address carries the token until the page removes it: never send it on.
    'Referrer-Policy': 'no-referrer',
    ...extraHeaders,
  })
  if (req.method === 'HEAD') res.end()
  else
    createReadStream(file)
      .on('error', () => res.destroy())
      .pipe(res)
}
