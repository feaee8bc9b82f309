import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { Worker } from 'node:worker_threads'
import { labRoot } from '../lab-root.js'
import { freshBundle } from '../workers/programs.js'
import type { NetworkReply, NetworkRequest } from './network-thread-protocol.js'
import type { NetworkCondition, NetworkFaultSpec } from './link-toxics.js'
import type { ProxiedHandshake } from './tcp-proxy.js'

type Request = NetworkRequest extends infer R ? (R extends NetworkRequest ? Omit<R, 'id'> : never) : never
type Answer = Extract<NetworkReply, { kind: 'reply'; ok: true }>
type SessionListener = (handshake: ProxiedHandshake, at: number) => void

/** The bundle's name in out/worker/ (scripts/build-workers.ts makes it). */
export const NETWORK_THREAD_BUNDLE = 'network-thread'

/**
 * How the thread starts: the bundle `npm run build` made while it is fresh (plain Node, also in the
 * packaged app), else the TypeScript source through a bootstrap that registers tsx in the thread.
 */
export function networkThreadEntry(root = labRoot()): { file: string; workerData?: { entry: string } } {
  const bundle = freshBundle(root, NETWORK_THREAD_BUNDLE)
  if (bundle) return { file: bundle }
  const source = join(root, 'src', 'core', 'faults', 'network-thread-entry.ts')
  const bootstrap = join(root, 'src', 'core', 'faults', 'network-thread-bootstrap.mjs')
  if (!existsSync(source) || !existsSync(bootstrap))
    throw new Error(
      `The lab's network thread is missing: no fresh out/worker/${NETWORK_THREAD_BUNDLE}.mjs and no source at ${source}; run \`npm run build\` or reinstall the lab.`,
    )
  return { file: bootstrap, workerData: { entry: pathToFileURL(source).href } }
}

/**
 * The lab's network thread, seen from the main thread. Every worker's proxies run there, so the
 * bytes between a worker and ZooKeeper never wait for the journal, the checker, log parsing or the
 * UI bridge (which made a 0.4 ms round trip take several ms during a failover). Started on first
 * use, ended when its last network closes or the lab is disposed.
 */
export class NetworkThread {
  private worker: Worker | undefined
  private nextId = 1
  private nextNetwork = 1
  private readonly pending = new Map<number, { resolve: (answer: Answer) => void; reject: (err: Error) => void }>()
  private readonly listeners = new Map<number, SessionListener | undefined>()

  /** True while the thread runs (for tests and diagnostics). */
  get running(): boolean {
    return this.worker !== undefined
  }

  /** Opens a network (one proxy per server) in the thread; resolves with its id and proxy ports. */
  async open(
    worker: string,
    servers: { host: string; port: number }[],
    onSession?: SessionListener,
  ): Promise<{ network: number; ports: number[] }> {
    const network = this.nextNetwork++
    this.listeners.set(network, onSession)
    try {
      const { ports } = await this.request({ op: 'open', network, worker, servers, readHandshakes: !!onSession })
      return { network, ports: ports ?? [] }
    } catch (err) {
      await this.forget(network)
      throw err
    }
  }

  /** Resolves once the fault is in force on every proxy of the network, with its condition. */
  async apply(network: number, spec: NetworkFaultSpec): Promise<NetworkCondition> {
    if (!this.worker || !this.listeners.has(network))
      throw new Error(
        "This worker's network is gone: the lab's network thread ended (see the error before this one); close the session and open a new one.",
      )
    const { condition } = await this.request({ op: 'apply', network, spec })
    return condition ?? { toxics: [] }
  }

  /** Makes a network a link between ensemble servers (see the `server-link` request). */
  async serverLink(
    network: number,
    electionCallbacks: Array<string | undefined>,
    retryRefusedMs: number,
  ): Promise<void> {
    await this.request({ op: 'server-link', network, electionCallbacks, retryRefusedMs })
  }

  /** Closes the network's proxies; the thread ends with its last network. */
  async close(network: number): Promise<void> {
    if (!this.listeners.has(network)) return
    try {
      if (this.worker) await this.request({ op: 'close', network })
    } finally {
      await this.forget(network)
    }
  }

  /** Ends the thread and with it every proxy still open. */
  async stop(): Promise<void> {
    this.listeners.clear()
    const worker = this.worker
    this.worker = undefined
    this.failPending(new Error("The lab's network thread was stopped (the lab closed)."))
    if (worker) await worker.terminate()
  }

  private async forget(network: number): Promise<void> {
    this.listeners.delete(network)
    if (this.listeners.size === 0) await this.stop()
  }

  private request(request: Request): Promise<Answer> {
    const worker = this.worker ?? this.start()
    const id = this.nextId++
    return new Promise<Answer>((resolve, reject) => {
      this.pending.set(id, { resolve, reject })
      worker.postMessage({ ...request, id })
    })
  }

  private start(): Worker {
    const entry = networkThreadEntry()
    const worker = new Worker(entry.file, { workerData: entry.workerData, name: 'zklab-network' })
    this.worker = worker
    worker.on('message', (message: NetworkReply) => this.receive(message))
    worker.on('error', (err) => {
      if (this.worker !== worker) return
      this.worker = undefined
      this.failPending(
        new Error(
          `The lab's network thread (${entry.file}) failed: ${err.message}. Run \`npm run build\` to rebuild out/worker/, or reinstall the lab.`,
        ),
      )
    })
    worker.on('exit', (code) => {
      if (this.worker !== worker) return
      this.worker = undefined
      this.failPending(new Error(`The lab's network thread (${entry.file}) exited with code ${code}.`))
    })
    return worker
  }

  private receive(message: NetworkReply): void {
    if (message.kind === 'session') {
      this.listeners.get(message.network)?.(message.handshake, message.at)
      return
    }
    const waiting = this.pending.get(message.id)
    if (!waiting) return
    this.pending.delete(message.id)
    if (message.ok) waiting.resolve(message)
    else waiting.reject(new Error(message.error))
  }

  private failPending(err: Error): void {
    const waiting = [...this.pending.values()]
    this.pending.clear()
    for (const { reject } of waiting) reject(err)
  }
}
