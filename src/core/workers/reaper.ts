import { spawn, type ChildProcess } from 'node:child_process'
import { nodeBinary } from './programs.js'

/**
 * The reaper: a small plain-Node process, one per Supervisor, that outlives the lab just long enough
 * to end what the lab started. Each child runs in its own process group; the lab tells the reaper
 * each group's id on a pipe ("+<pgid>" when it starts, "-<pgid>" once the group is empty). When the
 * pipe reaches end-of-file the lab is gone, however it died (SIGKILL included), and the reaper sends
 * SIGCONT and SIGKILL to every group still listed, so a worker's own children die with it. The
 * parent-death signal only reaches the direct child; this reaches its whole group. It needs no root
 * and no cgroup: a process may signal process groups of its own user.
 *
 * It runs in a session of its own (no terminal signals reach it) and without a parent-death signal.
 * A group id is never below 2 here, so a garbled line can never become kill(-1) or kill(0).
 */
const REAPER_SCRIPT = `
const groups = new Set()
let pending = ''
function reap() {
  for (const group of groups) {
    for (const signal of ['SIGCONT', 'SIGKILL']) {
      try { process.kill(-group, signal) } catch {}
    }
  }
  process.exit(0)
}
for (const signal of ['SIGINT', 'SIGHUP', 'SIGTERM']) process.on(signal, () => {})
process.stdin.setEncoding('utf8')
process.stdin.on('data', (text) => {
  pending += text
  let newline
  while ((newline = pending.indexOf('\\n')) >= 0) {
    const line = pending.slice(0, newline)
    pending = pending.slice(newline + 1)
    const group = Number(line.slice(1))
    if (!Number.isInteger(group) || group < 2) continue
    if (line[0] === '+') groups.add(group)
    else if (line[0] === '-') groups.delete(group)
  }
})
process.stdin.on('end', reap)
process.stdin.on('error', reap)
`

export interface Reaper {
  /** The reaper's own PID (for tests), or undefined when it could not be started. */
  readonly pid: number | undefined
  watch(group: number): void
  forget(group: number): void
  /** Every group was ended by the lab itself: the reaper exits with nothing to do. */
  close(): void
}

/**
 * Starts the reaper. Where it cannot start (no Node on PATH inside a packaged app, a platform without
 * process groups) the lab goes on without it: direct children still have their parent-death signal.
 */
export function startReaper(onProblem: (message: string) => void): Reaper {
  let proc: ChildProcess | undefined
  try {
    if (process.platform === 'win32') throw new Error('process groups are not available on Windows')
    proc = spawn(nodeBinary(), ['-e', REAPER_SCRIPT], { detached: true, stdio: ['pipe', 'ignore', 'ignore'] })
    proc.once('error', (err) => onProblem(`the process reaper failed: ${err.message}`))
    proc.stdin!.on('error', () => {})
    // The reaper must not keep the lab running; it exits on its own when the lab's end of the pipe closes.
    proc.unref()
    ;(proc.stdin as unknown as { unref?: () => void }).unref?.()
  } catch (err) {
    onProblem(
      `grandchildren of a killed lab may outlive it: the process reaper could not start (${(err as Error).message})`,
    )
    proc = undefined
  }
  const send = (line: string) => {
    if (proc?.stdin?.writable) proc.stdin.write(line + '\n')
  }
  return {
    pid: proc?.pid,
    watch: (group) => send(`+${group}`),
    forget: (group) => send(`-${group}`),
    close: () => proc?.stdin?.end(),
  }
}
