#!/usr/bin/env node
// A ZooKeeper client in its own process, for the network thread's test: connects, prints
// {"ready":true}, then for each line "<epoch ms>" it reads on stdin does one getChildren('/') at that
// time and prints {"startedAt":…,"doneAt":…} (epoch ms). Ends when stdin ends.
// Usage: node timed-round-trip.mjs <connectString>
import ZooKeeper from 'zookeeper'

const [connect] = process.argv.slice(2)
const print = (line) => process.stdout.write(`${JSON.stringify(line)}\n`)
const deadline = setTimeout(() => {
  print({ error: `not connected to ${connect} within 30 s` })
  process.exit(1)
}, 30_000)

// debug_level 0: the addon's own messages go to this stdout too, and would break the JSON lines.
const client = new ZooKeeper({ connect, timeout: 10_000, debug_level: 0 })
client.once('connect', () => {
  clearTimeout(deadline)
  print({ ready: true })
})
client.init({})

let buffered = ''
process.stdin.setEncoding('utf8')
process.stdin.on('data', (chunk) => {
  buffered += chunk
  let nl
  while ((nl = buffered.indexOf('\n')) !== -1) {
    const at = Number(buffered.slice(0, nl))
    buffered = buffered.slice(nl + 1)
    setTimeout(
      async () => {
        const startedAt = Date.now()
        try {
          await client.get_children('/', false)
          print({ startedAt, doneAt: Date.now() })
        } catch (err) {
          print({ error: String(err?.message ?? err) })
        }
      },
      Math.max(0, at - Date.now()),
    )
  }
})
process.stdin.on('end', () => {
  client.close()
  process.exit(0)
})
