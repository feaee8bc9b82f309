#!/usr/bin/env node
// A throwaway ZooKeeper client for the zookeeper integration tests, run as a CHILD process: the lab
// core never loads the native `zookeeper` addon itself (DESIGN.md).
// Usage: node zookeeper-client.mjs <connectString> create <path> <data> | get <path> | set <path> <data>
// Prints one JSON line: {"ok":true,...} or {"ok":false,"error":"..."}; exits 0 or 1.
import ZooKeeper from 'zookeeper'

const [connect, command, path, data] = process.argv.slice(2)
const deadline = setTimeout(() => done({ ok: false, error: `no answer from ${connect} within 30 s` }), 30_000)

function done(result) {
  clearTimeout(deadline)
  process.stdout.write(`${JSON.stringify(result)}\n`)
  try {
    client?.close()
  } catch {
    // already closed
  }
  process.exit(result.ok ? 0 : 1)
}

const client = new ZooKeeper({
  connect,
  timeout: 4000,
  debug_level: ZooKeeper.constants.ZOO_LOG_LEVEL_ERROR,
  host_order_deterministic: false,
})
client.on('connect', async () => {
  try {
    if (command === 'create') {
      const created = await client.create(path, data ?? '', ZooKeeper.constants.ZOO_PERSISTENT)
      done({ ok: true, path: created })
    } else if (command === 'get') {
      const [stat, value] = await client.get(path, false)
      done({ ok: true, data: String(value), version: stat.version })
    } else if (command === 'set') {
      const stat = await client.set(path, data ?? '', -1)
      done({ ok: true, version: stat.version })
    } else {
      done({ ok: false, error: `unknown command ${command}` })
    }
  } catch (err) {
    done({ ok: false, error: String(err?.message ?? err) })
  }
})
client.init({})
