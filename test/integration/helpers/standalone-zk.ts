/**
 * A standalone ZooKeeper for the worker programs' tests: the lab's own runtime (discovery, free
 * loopback port, short ticks so session expiry tests run fast), under a supervisor that ends it.
 */
import { StandaloneZooKeeper } from '../../../src/core/zookeeper/index.js'
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
