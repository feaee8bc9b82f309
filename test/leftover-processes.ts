/**
 * Global set-up for vitest: after the whole run, no process that the tests started may still run.
 * The run marks its environment with a unique id, which every child inherits (ZooKeeper's Java,
 * workers, the CLI); anything still carrying it at the end is reported, ended, and fails the run.
 */
import { randomUUID } from 'node:crypto'
import { readdirSync, readFileSync } from 'node:fs'

const MARKER = 'ZKLAB_TEST_RUN'

function processesMarked(id: string): Map<number, string> {
  const found = new Map<number, string>()
  const needle = `${MARKER}=${id}`
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry)
    if (!Number.isInteger(pid) || pid === process.pid) continue
    try {
      const [state, ppid] = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? []
      // Zombies are gone already; vitest's own test processes (our children) are its to end.
      if (state === 'Z' || Number(ppid) === process.pid) continue
      if (!readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').includes(needle)) continue
      found.set(pid, readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' '))
    } catch {
      // Ended while we looked, or not ours to read.
    }
  }
  return found
}

export default function setup(): () => Promise<void> {
  if (process.platform !== 'linux') return async () => {}
  const id = randomUUID()
  // Set before vitest forks its test processes, so they and everything they start inherit it.
  process.env[MARKER] = id
  return async () => {
    // Give processes that are on their way out (a SIGTERMed worker, vitest's forks) a moment.
    let left = [...processesMarked(id)]
    for (let i = 0; i < 30 && left.length > 0; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100))
      left = [...processesMarked(id)]
    }
    if (left.length === 0) return
    for (const [pid] of left) {
      try {
        process.kill(pid, 'SIGKILL')
      } catch {
        // Already gone.
      }
    }
    console.error(
      `\nThe tests left ${left.length} process(es) running (now killed):\n${left.map(([pid, c]) => `  ${pid} ${c.slice(0, 200)}`).join('\n')}`,
    )
    // vitest reports an error thrown here but still exits 0; a leak must fail the run.
    process.exitCode = 1
  }
}
