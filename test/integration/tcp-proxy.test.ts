import { createConnection, createServer, type Server, type Socket } from 'node:net'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { TcpProxy } from '../../src/core/faults/tcp-proxy.js'

/** An echo server on loopback stands in for ZooKeeper: the proxy's subject is bytes, not the protocol. */
function echoServer(): Promise<Server> {
  return new Promise((resolve) => {
    const server = createServer((socket) => {
      socket.on('error', () => {})
      socket.pipe(socket)
    })
    server.listen(0, '127.0.0.1', () => resolve(server))
  })
}

function connect(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = createConnection({ host: '127.0.0.1', port }, () => resolve(socket))
    socket.once('error', reject)
  })
}

/** Sends a message and resolves with the echo and how long it took, or 'silence' after waitMs. */
function roundTrip(socket: Socket, message: string, waitMs = 1000): Promise<{ echo: string; ms: number } | 'silence'> {
  return new Promise((resolve) => {
    const started = Date.now()
    let received = ''
    const onData = (d: Buffer) => {
      received += d.toString()
      if (received.length >= message.length) finish({ echo: received, ms: Date.now() - started })
    }
    const timer = setTimeout(() => finish('silence'), waitMs)
    const finish = (result: { echo: string; ms: number } | 'silence') => {
      clearTimeout(timer)
      socket.off('data', onData)
      resolve(result)
    }
    socket.on('data', onData)
    socket.write(message)
  })
}

describe('TCP fault proxy (real sockets on 127.0.0.1)', () => {
  let upstream: Server
  let proxy: TcpProxy
  const sockets: Socket[] = []
  const open = async () => {
    const s = await connect(proxy.port)
    s.on('error', () => {})
    sockets.push(s)
    return s
  }

  beforeEach(async () => {
    upstream = await echoServer()
    proxy = new TcpProxy({ host: '127.0.0.1', port: (upstream.address() as { port: number }).port })
    await proxy.start()
  })
  afterEach(async () => {
    sockets.splice(0).forEach((s) => s.destroy())
    await proxy.close()
    await new Promise((r) => upstream.close(r))
  })

  it('forwards both ways while healthy', async () => {
    const s = await open()
    expect(await roundTrip(s, 'ping')).toMatchObject({ echo: 'ping' })
  })

  it('partition: existing and new connections hang; heal: new connections work again', async () => {
    const s = await open()
    expect(await roundTrip(s, 'before')).toMatchObject({ echo: 'before' })
    proxy.partition()
    expect(await roundTrip(s, 'during', 500)).toBe('silence')
    const late = await open()
    expect(await roundTrip(late, 'new', 500)).toBe('silence')
    proxy.heal()
    const after = await open()
    expect(await roundTrip(after, 'after')).toMatchObject({ echo: 'after' })
  })

  it('slow: delays every chunk by at least the latency, in order', async () => {
    const s = await open()
    proxy.slow(150, 50)
    const result = await roundTrip(s, 'slowly', 5000)
    expect(result).not.toBe('silence')
    // Up and down are both delayed by at least latency - jitter.
    expect((result as { ms: number }).ms).toBeGreaterThanOrEqual(2 * 100)
    let received = ''
    s.on('data', (d: Buffer) => (received += d.toString()))
    for (let i = 0; i < 20; i++) s.write(`${i},`)
    await new Promise((r) => setTimeout(r, 1500))
    expect(received).toBe(Array.from({ length: 20 }, (_, i) => `${i},`).join(''))
  })

  it('reset: the worker side sees its connection reset', async () => {
    const s = await open()
    const closed = new Promise<string>((resolve) => {
      s.once('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? 'error'))
      s.once('close', () => resolve('closed'))
    })
    proxy.resetConnections()
    expect(['ECONNRESET', 'closed']).toContain(await closed)
    expect(proxy.connections).toBe(0)
  })
})
