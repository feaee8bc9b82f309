import { createServer, type AddressInfo, type Server } from 'node:net'
import { ZooKeeperPortInUseError } from './errors.js'
import { processesListeningOn } from './proc-net.js'

/** The lab's servers listen on loopback only; ports are tested and picked there. */
export const LOOPBACK = '127.0.0.1'

/** True when a listener could bind host:port right now. */
export function isPortFree(port: number, host = LOOPBACK): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EADDRINUSE' || err.code === 'EACCES') resolve(false)
      else reject(err)
    })
    server.listen({ port, host, exclusive: true }, () => server.close(() => resolve(true)))
  })
}

/**
 * Throws a ZooKeeperPortInUseError that names the port, who holds it where /proc tells, and the
 * fix. `what` says which port it is: `client port of zk-1`, …
 */
export async function assertPortFree(port: number, what: string): Promise<void> {
  if (await isPortFree(port)) return
  const holders = await processesListeningOn(port).catch(() => [])
  const by =
    holders.length > 0 ? ` by ${holders.map((h) => `pid ${h.pid} (${truncate(h.command, 120)})`).join(', ')}` : ''
  throw new ZooKeeperPortInUseError(
    port,
    `Port ${port} on ${LOOPBACK} (${what}) is already in use${by}: ` +
      `stop that process, choose another port in settings, or leave the port unset so the lab picks a free one.`,
  )
}

/**
 * Picks `count` distinct free loopback ports. They come from below Linux's ephemeral range (32768+)
 * because outgoing connections (ZooKeeper clients, the quorum itself) take ephemeral ports, and one
 * could grab ours between this check and ZooKeeper's bind. All are held open together so none is
 * handed out twice, then released for ZooKeeper to bind a moment later.
 */
export async function findFreePorts(
  count: number,
  range: { from: number; to: number } = { from: 20000, to: 32000 },
): Promise<number[]> {
  const held: Server[] = []
  try {
    for (let attempt = 0; held.length < count && attempt < count * 50; attempt++) {
      const port = range.from + Math.floor(Math.random() * (range.to - range.from))
      if (held.some((s) => (s.address() as AddressInfo).port === port)) continue
      const server = await tryListen(port)
      if (server) held.push(server)
    }
    // A crowded range: let the kernel choose from the ephemeral range rather than fail.
    while (held.length < count) {
      const server = await tryListen(0)
      if (!server) throw new Error('could not find a free loopback port')
      held.push(server)
    }
    return held.map((s) => (s.address() as AddressInfo).port)
  } finally {
    await Promise.all(held.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))))
  }
}

function tryListen(port: number): Promise<Server | undefined> {
  return new Promise((resolve) => {
    const server = createServer()
    server.once('error', () => resolve(undefined))
    server.listen({ port, host: LOOPBACK, exclusive: true }, () => resolve(server))
  })
}

function truncate(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text
}
