import { readFileSync } from 'node:fs'

/** Polls until the condition holds; bounded in time so a broken test fails instead of hanging. */
export async function waitFor(
  condition: () => boolean | Promise<boolean>,
  timeoutMs = 30_000,
  everyMs = 50,
): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (await condition()) return
    await new Promise((r) => setTimeout(r, everyMs))
  }
  throw new Error(`condition not met within ${timeoutMs} ms: ${condition.toString().slice(0, 200)}`)
}

/** True while a process with this PID exists and is not a zombie. */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
  } catch {
    return false
  }
  try {
    return !readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].startsWith('Z')
  } catch {
    return true
  }
}
