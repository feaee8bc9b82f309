/**
 * Global set-up for vitest: after the whole run, no process that the tests started may still run.
 * Test children are recognised by their command line (the lab's worker programs, ZooKeeper servers
 * with a config in a temporary session folder); anything found is reported, ended, and fails the run.
 */
import { readdirSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { fileURLToPath } from 'node:url'

const WORKERS = fileURLToPath(new URL('../src/worker/', import.meta.url))
const TMP = tmpdir()

function testChildren(): Map<number, string> {
  const found = new Map<number, string>()
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8')
      if (stat.split(') ')[1]?.startsWith('Z')) continue
      const command = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').join(' ')
      const isWorker = command.includes(WORKERS)
      const isTestZooKeeper = /org\.apache\.zookeeper\.server\.(ZooKeeperServerMain|quorum\.QuorumPeerMain)/.test(command) && command.includes(`${TMP}/zklab-`)
      if (isWorker || isTestZooKeeper) found.set(Number(entry), command)
    } catch {
      // The process ended while we looked.
    }
  }
  return found
}

export default function setup(): () => void {
  if (process.platform !== 'linux') return () => {}
  // Whatever ran before the tests (a developer's own lab) is not ours to judge.
  const before = testChildren()
  return () => {
    const left = [...testChildren()].filter(([pid]) => !before.has(pid))
    if (left.length === 0) return
    for (const [pid] of left) {
      try {
        process.kill(pid, 'SIGKILL')
      } catch {
        // Already gone.
      }
    }
    console.error(`\nThe tests left ${left.length} process(es) running (now killed):\n${left.map(([pid, c]) => `  ${pid} ${c.slice(0, 200)}`).join('\n')}`)
    // vitest reports an error thrown here but still exits 0; a leak must fail the run.
    process.exitCode = 1
  }
}
