import { randomInt } from 'node:crypto'
import { readdirSync, readFileSync } from 'node:fs'
import { isAlive } from './wait.js'

/**
 * Sleeps with an argument no other process has (`sleep 100.<random>`), so a test finds the ones it
 * started (and only those) in /proc, and ends them by PID if it fails.
 */
export function taggedSleeps() {
  const tag = String(randomInt(1e8, 1e9))
  const find = (): number[] =>
    readdirSync('/proc')
      .filter((entry) => /^\d+$/.test(entry))
      .filter((pid) => {
        try {
          const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')
          return argv[0]?.endsWith('sleep') && argv[1]?.endsWith(`.${tag}`) && isAlive(Number(pid))
        } catch {
          return false
        }
      })
      .map(Number)
  return {
    /** Two sleeps, one in the background: the worker's own child outlives the shell unless its group is ended. */
    script: `sleep 100.${tag} & sleep 101.${tag}`,
    tag,
    find,
    killLeft: () => {
      for (const pid of find()) process.kill(pid, 'SIGKILL')
    },
  }
}
