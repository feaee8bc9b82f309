/**
 * Browser mode against an attacker on the same machine: the real `zklab serve`, real sockets. Without
 * the token nothing is served and nothing runs; a frame no client should send closes only its own
 * socket; a page cannot run programs unless serve was started with --allow-external; serve.json is
 * private; one client flooding calls does not starve another.
 */
import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { request } from 'node:http'
import { connect, type Socket } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import { startServeProcess, stopServeProcess, type ServeProcess } from '../../src/cli/serve-process.js'
import { connectBridge } from '../../src/core/bridge/bridge-client.js'
import type { BridgeMessage } from '../../src/shared/bridge-protocol.js'
import { zklab } from './helpers/zklab-cli.js'

interface Reply {
  status: number
  headers: Record<string, string | string[] | undefined>
  body: string
}

function get(origin: string, path: string, headers: Record<string, string> = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(`${origin}${path}`, { headers, timeout: 10_000 }, (res) => {
      let body = ''
      res.on('data', (chunk) => (body += chunk))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }))
    })
    req.on('timeout', () => req.destroy(new Error(`GET ${path}: no answer within 10 s`)))
    req.on('error', reject)
    req.end()
  })
}

/** A WebSocket handshake by hand: the status line, and the socket for what follows. */
function upgrade(
  port: number,
  path: string,
  headers: Record<string, string>,
): Promise<{ status: number; socket: Socket; rest: Buffer }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1')
    const timer = setTimeout(
      () => (socket.destroy(), reject(new Error(`upgrade ${path}: no answer within 10 s`))),
      10_000,
    )
    let received = Buffer.alloc(0)
    socket.on('error', reject)
    socket.once('connect', () => {
      const lines = [
        `GET ${path} HTTP/1.1`,
        'Connection: Upgrade',
        'Upgrade: websocket',
        'Sec-WebSocket-Version: 13',
        'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==',
        ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`),
      ]
      socket.write(lines.join('\r\n') + '\r\n\r\n')
    })
    const onData = (chunk: Buffer) => {
      received = Buffer.concat([received, chunk])
      const end = received.indexOf('\r\n\r\n')
      if (end < 0) return
      clearTimeout(timer)
      socket.off('data', onData)
      resolve({
        status: Number(/^HTTP\/1\.1 (\d+)/.exec(received.toString('latin1'))?.[1]),
        socket,
        rest: received.subarray(end + 4),
      })
    }
    socket.on('data', onData)
  })
}

/** A client frame (masked, as RFC 6455 requires of clients), with a length field that may lie. */
function clientFrame(opcode: number, payload: Buffer, claimedLength = payload.length): Buffer {
  const mask = Buffer.from([1, 2, 3, 4])
  let header: Buffer
  if (claimedLength < 126) header = Buffer.from([0x80 | opcode, 0x80 | claimedLength])
  else {
    header = Buffer.alloc(10)
    header[0] = 0x80 | opcode
    header[1] = 0x80 | 127
    header.writeBigUInt64BE(BigInt(claimedLength), 2)
  }
  const masked = Buffer.from(payload.map((byte, i) => byte ^ mask[i % 4]))
  return Buffer.concat([header, mask, masked])
}

/** Sends the frame after a valid handshake; resolves with the close code the server sent, once it closed the socket. */
async function sendBadFrame(port: number, auth: Record<string, string>, frame: Buffer): Promise<number> {
  const { status, socket, rest } = await upgrade(port, '/api', auth)
  expect(status).toBe(101)
  let received = rest
  socket.on('data', (chunk: Buffer) => (received = Buffer.concat([received, chunk])))
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()))
  socket.write(frame)
  const timeout = new Promise<never>((_, reject) =>
    setTimeout(() => reject(new Error('the server kept the socket open for 35 s')), 35_000),
  )
  await Promise.race([closed, timeout])
  // The server's close frame: 0x88, a length, then the status code.
  const at = received.indexOf(0x88)
  return at >= 0 ? received.readUInt16BE(at + 2) : -1
}

/** A raw bridge client that keeps every reply as sent, in arrival order. */
async function rawClient(serve: ServeProcess): Promise<{
  ws: WebSocket
  replies: Array<{ id: number; ok: boolean; error?: string; kind?: string; result?: unknown }>
}> {
  const url = new URL(serve.url)
  const ws = new WebSocket(`ws://${url.host}/api?token=${url.searchParams.get('token')}`, { origin: url.origin })
  const replies: Array<{ id: number; ok: boolean; error?: string; kind?: string }> = []
  ws.on('message', (data) => {
    // The bridge sends text frames, which ws hands over as one Buffer.
    const message = JSON.parse((data as Buffer).toString()) as BridgeMessage
    if (!('events' in message)) replies.push(message)
  })
  await new Promise<void>((resolve, reject) => (ws.once('open', () => resolve()), ws.once('error', reject)))
  return { ws, replies }
}

async function until(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`waited ${timeoutMs} ms for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

function journalTypes(sessionDir: string): string[] {
  return readFileSync(join(sessionDir, 'events.jsonl'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => (JSON.parse(line) as { type: string }).type)
}

describe('zklab serve in browser mode, attacked from the same machine', () => {
  let dir: string
  let sessionsDir: string
  let externalSessionsDir: string
  let serve: ServeProcess
  let external: ServeProcess
  let port: number
  let origin: string
  let token: string
  let sessionDir: string
  const cookieName = () => `zklab-token-${port}`
  const authorized = () => ({ Origin: origin, Host: `127.0.0.1:${port}`, Cookie: `${cookieName()}=${token}` })

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'zklab-bridge-'))
    // Not there yet: serve creates it, privately.
    sessionsDir = join(dir, 'sessions')
    // A serve.json left by a lab that died: serve replaces it.
    externalSessionsDir = join(dir, 'sessions-external')
    mkdirSync(externalSessionsDir)
    const deadPid = spawnSync(process.execPath, ['-e', '0']).pid
    writeFileSync(
      join(externalSessionsDir, 'serve.json'),
      JSON.stringify({ url: 'http://127.0.0.1:1/?token=old', pid: deadPid, session: '' }),
    )
    ;[serve, external] = await Promise.all([
      startServeProcess({ sessionsDir }),
      startServeProcess({ sessionsDir: externalSessionsDir, allowExternal: true }),
    ])
    const url = new URL(serve.url)
    port = Number(url.port)
    origin = url.origin
    token = url.searchParams.get('token')!
    sessionDir = (JSON.parse(readFileSync(join(sessionsDir, 'serve.json'), 'utf8')) as { session: string }).session
  })

  afterAll(async () => {
    await Promise.all([serve && stopServeProcess(serve.child), external && stopServeProcess(external.child)])
    rmSync(dir, { recursive: true, force: true })
  })

  it('prints a URL with a 32-byte token, and records it in a private serve.json', () => {
    expect(Buffer.from(token, 'base64url')).toHaveLength(32)
    const record = JSON.parse(readFileSync(join(sessionsDir, 'serve.json'), 'utf8')) as { url: string; pid: number }
    expect(record).toMatchObject({ url: serve.url, pid: serve.child.pid })
    expect(statSync(join(sessionsDir, 'serve.json')).mode & 0o777).toBe(0o600)
    expect(statSync(sessionsDir).mode & 0o777).toBe(0o700)
    // The stale record of a dead lab was replaced by the new lab's.
    const replaced = JSON.parse(readFileSync(join(externalSessionsDir, 'serve.json'), 'utf8')) as {
      url: string
      pid: number
    }
    expect(replaced).toMatchObject({ url: external.url, pid: external.child.pid })
  })

  it('refuses a second serve on the same sessions folder while the first runs', async () => {
    const second = await zklab(['serve', '--port', '0', '--sessions-dir', sessionsDir], { timeoutMs: 60_000 })
    expect(second.code).toBe(2)
    expect(second.output).toContain(`Another zklab serve (pid ${serve.child.pid}) is running with this sessions folder`)
    expect(JSON.parse(readFileSync(join(sessionsDir, 'serve.json'), 'utf8'))).toMatchObject({ url: serve.url })
  })

  it('serves the page only with the token, then sets a cookie that its assets and a reload present', async () => {
    const none = await get(origin, '/')
    expect(none.status).toBe(403)
    expect(none.body).toMatch(/needs its token/)
    expect((await get(origin, '/?token=not-the-token')).status).toBe(403)
    expect((await get(origin, `/?token=${token.slice(0, -1)}x`)).status).toBe(403)
    // Another name for the same address (as a DNS-rebound page would use) is refused, token or not.
    expect((await get(origin, `/?token=${token}`, { Host: `localhost:${port}` })).status).toBe(403)

    const page = await get(origin, `/?token=${token}`)
    expect(page.status).toBe(200)
    const cookie = String(page.headers['set-cookie'])
    expect(cookie).toContain(`${cookieName()}=${token}`)
    expect(cookie).toMatch(/HttpOnly/)
    expect(cookie).toMatch(/SameSite=Strict/)
    expect(cookie).toMatch(/Path=\//)
    expect(page.headers['referrer-policy']).toBe('no-referrer')

    const asset = /src="\.?\/?(assets\/[^"]+\.js)"/.exec(page.body)?.[1]
    expect(asset, page.body).toBeDefined()
    expect((await get(origin, `/${asset}`)).status).toBe(403)
    expect((await get(origin, `/${asset}`, { Cookie: `${cookieName()}=wrong` })).status).toBe(403)
    // Another lab's cookie (another port) is not this lab's.
    expect((await get(origin, `/${asset}`, { Cookie: `zklab-token-${port + 1}=${token}` })).status).toBe(403)
    expect((await get(origin, `/${asset}`, { Cookie: `other=1; ${cookieName()}=${token}` })).status).toBe(200)
    expect((await get(origin, '/', { Cookie: `${cookieName()}=${token}` })).status).toBe(200)
  })

  it('opens the WebSocket only with the token or the cookie, from the page’s own origin', async () => {
    const host = `127.0.0.1:${port}`
    const statusOf = async (path: string, headers: Record<string, string>) => {
      const { status, socket } = await upgrade(port, path, headers)
      socket.destroy()
      return status
    }
    expect(await statusOf('/api', { Origin: origin, Host: host })).toBe(403)
    expect(await statusOf('/api?token=wrong', { Origin: origin, Host: host })).toBe(403)
    expect(await statusOf('/api', { Origin: origin, Host: host, Cookie: `${cookieName()}=wrong` })).toBe(403)
    expect(await statusOf(`/api?token=${token}`, { Origin: 'http://evil.example', Host: host })).toBe(403)
    expect(await statusOf(`/api?token=${token}`, { Origin: origin, Host: host })).toBe(101)
    expect(await statusOf('/api', authorized())).toBe(101)

    // None of the refused requests ran anything.
    const lab = await connectBridge(serve.url)
    try {
      const state = await lab.snapshot()
      expect(state.processes).toEqual({})
      expect(state.zookeeper.servers).toEqual([])
    } finally {
      lab.close()
    }
    expect(journalTypes(sessionDir)).not.toContain('process.spawned')
  })

  it('closes only the socket that sent a bad frame, and goes on serving', async () => {
    // Larger than the 1 MiB limit (only the header is sent: the length alone is refused).
    expect(await sendBadFrame(port, authorized(), clientFrame(0x1, Buffer.from('{}'), 2 * 1024 * 1024))).toBe(1009)
    // A text frame that is not UTF-8.
    expect(await sendBadFrame(port, authorized(), clientFrame(0x1, Buffer.from([0x7b, 0xff, 0xfe, 0x7d])))).toBe(1007)
    // A reserved opcode.
    expect(await sendBadFrame(port, authorized(), clientFrame(0x3, Buffer.from('x')))).toBe(1002)
    // A malformed HTTP request on its own connection.
    await new Promise<void>((resolve) => {
      const socket = connect(port, '127.0.0.1', () => socket.end('NONSENSE \0\r\n\r\n'))
      socket.on('error', () => resolve())
      socket.on('close', () => resolve())
      socket.resume()
    })

    expect(serve.child.exitCode).toBeNull()
    const lab = await connectBridge(serve.url)
    try {
      const state = await lab.snapshot()
      expect(state.session?.dir).toBe(sessionDir)
    } finally {
      lab.close()
    }
  })

  it('a call larger than the limit from a working client closes that connection, not serve', async () => {
    const lab = await connectBridge(serve.url)
    await expect(lab.publishTask({ task: 'x'.repeat(2 * 1024 * 1024) })).rejects.toThrow(/closed the connection/)
    const again = await connectBridge(serve.url)
    try {
      expect((await again.snapshot()).session?.dir).toBe(sessionDir)
    } finally {
      again.close()
    }
  })

  it('refuses calls that would run a program the page chose, naming --allow-external, and runs nothing', async () => {
    const marker = join(dir, 'ran')
    const { ws, replies } = await rawClient(serve)
    try {
      const calls = [
        {
          method: 'addWorkers',
          input: { task: 'task01', count: 1, external: { command: '/bin/sh', args: ['-c', `touch ${marker}`] } },
        },
        {
          method: 'runScenario',
          input: { name: 'kill-primary', external: { command: '/bin/sh', args: ['-c', `touch ${marker}`] } },
        },
        { method: 'startZooKeeper', input: { home: dir } },
        { method: 'startZooKeeper', input: { mode: 'docker' } },
      ]
      calls.forEach((call, i) => ws.send(JSON.stringify({ id: i + 1, ...call })))
      await until(() => replies.length === calls.length, 20_000, 'the refusals')
      for (const reply of replies) {
        expect(reply).toMatchObject({ ok: false, kind: 'input' })
        expect(reply.error).toMatch(/refused over the browser bridge/)
        expect(reply.error).toContain('zklab serve --allow-external')
      }
      expect(replies.find((r) => r.id === 1)?.error).toContain('/bin/sh -c touch')
    } finally {
      ws.close()
    }
    expect(existsSync(marker)).toBe(false)
    expect(journalTypes(sessionDir)).not.toContain('process.spawned')
  })

  it('never lets a page choose folders, even with --allow-external; runs external programs only with it', async () => {
    for (const serveUnderTest of [serve, external]) {
      const { ws, replies } = await rawClient(serveUnderTest)
      try {
        ws.send(JSON.stringify({ id: 1, method: 'setSessionsDir', input: { dir } }))
        ws.send(JSON.stringify({ id: 2, method: 'createSession', input: { dir: join(dir, 'mine') } }))
        await until(() => replies.length === 2, 20_000, 'the refusals')
        for (const reply of replies) {
          expect(reply).toMatchObject({ ok: false, kind: 'input' })
          expect(reply.error).toMatch(/refused over the browser bridge/)
        }
        expect(replies.find((r) => r.id === 1)?.error).toContain('--sessions-dir')
      } finally {
        ws.close()
      }
    }
    expect(existsSync(join(dir, 'mine'))).toBe(false)

    // With --allow-external the call reaches the lab, which has no ZooKeeper yet to give workers.
    const lab = await connectBridge(external.url)
    try {
      const refusal = await lab.addWorkers({ task: 'task01', external: { command: '/bin/true' } }).then(
        () => undefined,
        (err: Error) => err.message,
      )
      expect(refusal ?? '').not.toMatch(/refused over the browser bridge/)
    } finally {
      lab.close()
    }
  })

  it('answers another client’s snapshot while one client floods thousands of calls', async () => {
    const FLOOD = 5000
    // One round: how many flooded calls this process had read when the other client's reply came.
    // A loaded machine can starve this process until every reply is in, so a fair lab gets up to
    // three rounds; a lab that serves calls first come, first served fails each of them.
    const round = async () => {
      const flood = await rawClient(serve)
      const other = await rawClient(serve)
      try {
        for (let id = 1; id <= FLOOD; id++) flood.ws.send(JSON.stringify({ id, method: 'snapshot' }))
        await until(() => flood.replies.length > 0, 20_000, 'the flood’s first reply')
        let floodAnsweredBefore = -1
        other.ws.on('message', () => {
          if (floodAnsweredBefore < 0 && other.replies.length > 0) floodAnsweredBefore = flood.replies.length
        })
        other.ws.send(JSON.stringify({ id: 1, method: 'snapshot' }))
        await until(() => other.replies.length === 1, 60_000, 'the other client’s snapshot')
        expect(other.replies[0]).toMatchObject({ id: 1, ok: true })
        // Every flooded call is still answered, in order.
        await until(() => flood.replies.length === FLOOD, 120_000, 'every flooded call')
        expect(flood.replies.map((r) => r.id)).toEqual(Array.from({ length: FLOOD }, (_, i) => i + 1))
        return floodAnsweredBefore
      } finally {
        flood.ws.close()
        other.ws.close()
      }
    }
    const seen: number[] = []
    for (let attempt = 0; attempt < 3 && !(seen.at(-1)! < FLOOD); attempt++) seen.push(await round())
    expect(seen.at(-1), `flooded calls answered before the other client's, per round: ${seen.join(', ')}`).toBeLessThan(
      FLOOD,
    )
  })
})
