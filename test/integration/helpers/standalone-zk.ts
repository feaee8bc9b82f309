/**
 * A standalone ZooKeeper for the worker programs' tests: the lab's own runtime (discovery, free
 * loopback port, short ticks so session expiry tests run fast), under a supervisor that ends it.
 */
import { afterAll, afterEach, beforeAll } from 'vitest'
import { connectZk, type ZkClient } from '../../../src/worker/common/zk.js'
import { StandaloneZooKeeper } from '../../../src/core/zookeeper/index.js'
import { killAllPrograms } from './worker-process.js'
import { makeSession } from './zookeeper-lab.js'

export interface StandaloneZk {
  /** connect string: 127.0.0.1:<port> */
  connect: string
  stop(): Promise<void>
}

export async function startStandaloneZk(options: { tickTime?: number } = {}): Promise<StandaloneZk> {
  const session = makeSession('zklab-worker-zk-')
  const server = new StandaloneZooKeeper(session, { tickTime: options.tickTime ?? 500 })
  try {
    await server.start()
  } catch (err) {
    await session.close()
    throw err
  }
  return { connect: server.connectString(), stop: () => session.close() }
}

/**
 * One standalone ZooKeeper and a client to it for the whole test file, with every worker program a
 * test started killed after it (even a failed one) and all of it stopped at the end. `use` hands
 * both over once they are up.
 */
export function useStandaloneZk(use: (zk: StandaloneZk, client: ZkClient) => void): void {
  let zk: StandaloneZk | undefined
  let client: ZkClient | undefined
  beforeAll(async () => {
    zk = await startStandaloneZk()
    client = await connectZk({ connect: zk.connect, sessionTimeoutMs: 10_000 }, 30_000)
    use(zk, client)
  })
  afterEach(async () => {
    await killAllPrograms()
  })
  afterAll(async () => {
    await killAllPrograms()
    client?.close()
    await zk?.stop()
  })
}
