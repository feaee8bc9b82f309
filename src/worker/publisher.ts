/**
 * The seed's "server" process: publishes a task (creates its znodes) or deletes one, then exits.
 *
 *   node --import tsx src/worker/publisher.ts --connect 127.0.0.1:2181 --create task01 [--root /customBackUp]
 *     [--session-timeout 4000] [--connect-timeout 15000]
 *   node --import tsx src/worker/publisher.ts --connect 127.0.0.1:2181 --delete task01
 *
 * Exit codes: 0 done, 1 ZooKeeper failure (publisher.error says why), 2 bad arguments.
 * Two publishers creating the same task at once both succeed and leave the task complete: every create
 * tolerates "already exists", and each publisher creates every missing child itself. (The zookeeper
 * addon has no multi-op, so the task and its children cannot be created in one transaction.)
 */
import { PublisherEventTypes as E } from '../shared/events.js'
import { settingsOrExit } from './common/args.js'
import { createEmitter, errorFields } from './common/emitter.js'
import { joinPath, pathPrefixes, taskPaths, tasksPath } from './common/paths.js'
import { connectZk, createIfMissing, isZkCode, ZkCode, type ZkClient } from './common/zk.js'

// Exactly one of --create and --delete: the decoder refuses anything else.
const options = settingsOrExit('publisher')

const { emit } = createEmitter()

async function createTask(client: ZkClient, task: string): Promise<void> {
  const paths = taskPaths(options.root, task)
  for (const path of pathPrefixes(paths.tasks)) await createIfMissing(client, path)
  const created = await createIfMissing(client, paths.task)
  // Children of a task someone else is creating may not exist yet: make sure each one does.
  await createIfMissing(client, paths.instance)
  await createIfMissing(client, paths.lastCommit, '0')
  await createIfMissing(client, paths.status, '0')
  // The session names this publisher's writes in ZooKeeper's transaction log.
  emit(created ? E.created : E.exists, { task, path: paths.task, sessionId: client.sessionId })
}

/** Deletes a subtree, children first. Nodes that vanish meanwhile are fine; nodes that appear are retried. */
async function deleteTree(client: ZkClient, path: string): Promise<boolean> {
  for (let attempt = 1; ; attempt++) {
    let children: string[]
    try {
      children = await client.getChildren(path)
    } catch (err) {
      if (isZkCode(err, ZkCode.NONODE)) return false
      throw err
    }
    for (const child of children) await deleteTree(client, joinPath(path, child))
    try {
      await client.delete(path, -1)
      return true
    } catch (err) {
      if (isZkCode(err, ZkCode.NONODE)) return false
      // A worker registered under the node while we were deleting its children: go again.
      if (isZkCode(err, ZkCode.NOTEMPTY) && attempt < 10) continue
      throw err
    }
  }
}

let client: ZkClient | undefined
try {
  client = await connectZk(
    { connect: options.connect, sessionTimeoutMs: options.sessionTimeoutMs },
    options.connectTimeoutMs,
  )
  if (options.create !== undefined) {
    await createTask(client, options.create)
  } else {
    const task = options.delete!
    const path = `${tasksPath(options.root)}/${task}`
    const existed = await deleteTree(client, path)
    emit(E.deleted, { task, path, existed, sessionId: client.sessionId })
  }
  client.close()
  process.exit(0)
} catch (err) {
  emit(E.error, errorFields(err), 'error')
  client?.close()
  process.exit(1)
}
