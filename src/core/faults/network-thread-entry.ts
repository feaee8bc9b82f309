/**
 * The lab's network thread: hosts every worker's TCP proxies (see network-thread.ts for why) and
 * answers the main thread's requests in the order they came.
 */
import { parentPort } from 'node:worker_threads'
import type { NetworkReply, NetworkRequest } from './network-thread-protocol.js'
import { proxySeed, seededRandom, toxicOf, type NetworkFaultSpec } from './link-toxics.js'
import { TcpProxy, type ProxiedHandshake } from './tcp-proxy.js'

const port = parentPort
if (!port) throw new Error("network-thread-entry runs as the lab's network thread (a worker thread), not on its own.")
const channel = port

const networks = new Map<number, TcpProxy[]>()

function send(message: NetworkReply): void {
  channel.postMessage(message)
}

async function handle(request: NetworkRequest): Promise<NetworkReply> {
  const { id } = request
  if (request.op === 'open') {
    const { network, worker, servers } = request
    const onHandshake = request.readHandshakes
      ? (handshake: ProxiedHandshake) => send({ kind: 'session', network, handshake, at: Date.now() })
      : undefined
    const proxies = servers.map((server, i) => new TcpProxy(server, `${worker}-zk-${i + 1}`, onHandshake))
    try {
      await Promise.all(proxies.map((p) => p.start()))
    } catch (err) {
      await Promise.all(proxies.map((p) => p.close()))
      throw err
    }
    networks.set(network, proxies)
    return { kind: 'reply', id, ok: true, ports: proxies.map((p) => p.port) }
  }
  const proxies = networks.get(request.network)
  if (request.op === 'close') {
    networks.delete(request.network)
    await Promise.all((proxies ?? []).map((p) => p.close()))
    return { kind: 'reply', id, ok: true }
  }
  if (!proxies) throw new Error(`network ${request.network} is not open in the network thread`)
  if (request.op === 'server-link') {
    proxies.forEach((proxy, i) => {
      const electionCallback = request.electionCallbacks[i]
      proxy.asServerLink({ retryRefusedMs: request.retryRefusedMs, ...(electionCallback ? { electionCallback } : {}) })
    })
    return { kind: 'reply', id, ok: true }
  }
  applyFault(proxies, request.spec)
  return { kind: 'reply', id, ok: true, condition: proxies[0]?.state ?? { toxics: [] } }
}

function applyFault(proxies: TcpProxy[], spec: NetworkFaultSpec): void {
  const toxic = toxicOf(spec)
  for (const [i, proxy] of proxies.entries()) {
    if (spec.seed !== undefined) proxy.reseed(seededRandom(proxySeed(spec.seed, i)))
    if (spec.fault === 'heal') proxy.heal()
    else if (spec.fault === 'reset') proxy.resetConnections()
    else if (toxic) proxy.addToxic(toxic, spec.direction, spec.toxicity)
  }
}

channel.on('message', (request: NetworkRequest) => {
  handle(request).then(send, (err: unknown) =>
    send({ kind: 'reply', id: request.id, ok: false, error: err instanceof Error ? err.message : String(err) }),
  )
})
