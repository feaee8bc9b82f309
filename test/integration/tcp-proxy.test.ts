import { createConnection, createServer, type Server, type Socket } from 'node:net'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { seededRandom } from '../../src/core/faults/link-toxics.js'
import { TcpProxy } from '../../src/core/faults/tcp-proxy.js'
import { waitFor } from './helpers/wait.js'

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

/**
 * The toxics one way at a time: a recording server stands in for ZooKeeper, so each test sees what
 * reached either end, and when.
 */
describe('TCP fault proxy toxics (real sockets on 127.0.0.1)', () => {
  /** What the upstream server received, its side of the connection, and when it saw the close. */
  interface Far {
    received: Buffer[]
    socket?: Socket
    closedAt?: number
  }
  let server: Server
  let far: Far
  let proxy: TcpProxy
  const sockets: Socket[] = []

  beforeEach(async () => {
    // This test's own record: a late close of the last test's socket must not land in it.
    const mine: Far = { received: [] }
    far = mine
    server = await new Promise<Server>((resolve) => {
      const s = createServer((socket) => {
        mine.socket = socket
        socket.on('error', () => {})
        socket.on('data', (d: Buffer) => mine.received.push(d))
        socket.on('close', () => (mine.closedAt = Date.now()))
      })
      s.listen(0, '127.0.0.1', () => resolve(s))
    })
    proxy = new TcpProxy({ host: '127.0.0.1', port: (server.address() as { port: number }).port })
    await proxy.start()
  })
  afterEach(async () => {
    sockets.splice(0).forEach((s) => s.destroy())
    far.socket?.destroy()
    await proxy.close()
    await new Promise((r) => server.close(r))
  })

  /** A worker-side connection whose received bytes are collected, once the far side has it. */
  async function open(): Promise<{ socket: Socket; received: Buffer[] }> {
    const socket = await connect(proxy.port)
    socket.on('error', () => {})
    sockets.push(socket)
    const received: Buffer[] = []
    socket.on('data', (d: Buffer) => received.push(d))
    await waitFor(() => far.socket !== undefined)
    return { socket, received }
  }

  const text = (chunks: Buffer[]) => Buffer.concat(chunks).toString()

  it('partition upstream: the worker hears ZooKeeper, ZooKeeper hears nothing', async () => {
    const near = await open()
    proxy.partition('upstream')
    near.socket.write('into the void')
    far.socket!.write('still heard')
    await waitFor(() => text(near.received) === 'still heard')
    await sleep(300)
    expect(text(far.received)).toBe('')
    // A new connection cannot complete its handshake through a one-way cut either.
    far.socket = undefined
    const late = await connect(proxy.port)
    sockets.push(late)
    await sleep(300)
    expect(far.socket).toBeUndefined()
  })

  it('partition downstream: ZooKeeper hears the worker, the worker hears nothing', async () => {
    const near = await open()
    proxy.partition('downstream')
    far.socket!.write('never heard')
    near.socket.write('still sent')
    await waitFor(() => text(far.received) === 'still sent')
    await sleep(300)
    expect(text(near.received)).toBe('')
  })

  it('toxicity 0 leaves a connection alone; toxicity 1 hits it', async () => {
    proxy.partition('both', 0)
    const spared = await open()
    spared.socket.write('through')
    await waitFor(() => text(far.received) === 'through')
    proxy.heal()
    proxy.partition('upstream', 1)
    spared.socket.write(' and cut')
    await sleep(300)
    expect(text(far.received)).toBe('through')
  })

  it('bandwidth: bytes arrive paced at about the rate, all of them, in order', async () => {
    const near = await open()
    proxy.addToxic({ kind: 'bandwidth', bytesPerSecond: 5000 }, 'upstream')
    const sent = Buffer.from(Array.from({ length: 2000 }, (_, i) => String.fromCharCode(97 + (i % 26))).join(''))
    const started = Date.now()
    near.socket.write(sent)
    await waitFor(() => Buffer.concat(far.received).length >= sent.length, 5000)
    const ms = Date.now() - started
    expect(Buffer.concat(far.received).equals(sent)).toBe(true)
    // 2000 bytes at 5000 B/s is 400 ms; loose bounds for a loaded machine.
    expect(ms).toBeGreaterThanOrEqual(300)
    expect(ms).toBeLessThan(3000)
    // Paced: the far side read it in several pieces, not one chunk at the end.
    expect(far.received.length).toBeGreaterThan(3)
  })

  it('loss: lost chunks arrive a retransmission timeout late, never reordered or dropped', async () => {
    const near = await open()
    proxy.reseed(seededRandom(7))
    proxy.addToxic({ kind: 'loss', probability: 0.5 }, 'downstream')
    const started = Date.now()
    const expected = Array.from({ length: 30 }, (_, i) => `${i},`).join('')
    for (let i = 0; i < 30; i++) {
      far.socket!.write(`${i},`)
      await sleep(5)
    }
    await waitFor(() => text(near.received).length >= expected.length, 15_000)
    expect(text(near.received)).toBe(expected)
    // With half the chunks lost, at least one waited the first retransmission timeout (200 ms).
    expect(Date.now() - started).toBeGreaterThanOrEqual(200)
    // Upstream was not hit.
    near.socket.write('up')
    await waitFor(() => text(far.received) === 'up', 1000)
  })

  it('slicer: the same bytes, in slices with delays between them', async () => {
    const near = await open()
    proxy.addToxic({ kind: 'slicer', sliceBytes: 100, sliceDelayMs: 30 }, 'downstream')
    const sent = Buffer.alloc(1000, 'z')
    const started = Date.now()
    far.socket!.write(sent)
    await waitFor(() => Buffer.concat(near.received).length >= sent.length, 5000)
    expect(Buffer.concat(near.received).equals(sent)).toBe(true)
    // Ten slices, nine gaps of 30 ms.
    expect(Date.now() - started).toBeGreaterThanOrEqual(200)
    expect(near.received.length).toBeGreaterThan(3)
  })

  it('slow-close: the far side is closed the delay after the worker closes', async () => {
    const near = await open()
    proxy.addToxic({ kind: 'slow-close', delayMs: 400 }, 'upstream')
    const closedAt = Date.now()
    near.socket.end()
    await waitFor(() => far.closedAt !== undefined, 3000)
    expect(far.closedAt! - closedAt).toBeGreaterThanOrEqual(350)
  })
})

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}
