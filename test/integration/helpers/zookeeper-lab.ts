/**
 * Shared set-up for the zookeeper provider integration tests: a session folder with a real
 * Supervisor, a recorded event stream, a child-process ZooKeeper client, and a check that nothing
 * started under the session folder is left running.
 */
import { execFile } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { UnsequencedEvent } from '../../../src/shared/events.js'
import { Supervisor } from '../../../src/core/workers/supervisor.js'
import type { ProviderContext } from '../../../src/core/zookeeper/provider.js'

const CLIENT = join(dirname(fileURLToPath(import.meta.url)), 'zookeeper-client.mjs')

export interface LabSession extends ProviderContext {
  events: UnsequencedEvent[]
  /** Stops every process of the session and removes its folder. */
  close(): Promise<void>
}

export function makeSession(prefix = 'zklab-zk-'): LabSession {
  const sessionDir = mkdtempSync(join(tmpdir(), prefix))
  const events: UnsequencedEvent[] = []
  const emit = (e: UnsequencedEvent) => void events.push(e)
  const supervisor = new Supervisor({ logDir: join(sessionDir, 'logs'), emit })
  return {
    sessionDir,
    supervisor,
    emit,
    events,
    async close() {
      await supervisor.stopAll(3000)
      rmSync(sessionDir, { recursive: true, force: true })
    },
  }
}

export interface ClientResult {
  ok: boolean
  path?: string
  data?: string
  version?: number
  error?: string
}

/** One ZooKeeper operation from a child process: the test process never loads the native addon. */
export function zkClient(connect: string, ...args: string[]): Promise<ClientResult> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [CLIENT, connect, ...args],
      { timeout: 45_000, encoding: 'utf8' },
      (err, stdout, stderr) => {
        const line = stdout.trim().split('\n').pop() ?? ''
        try {
          resolve(JSON.parse(line) as ClientResult)
        } catch {
          reject(new Error(`zookeeper client failed (${err?.message ?? 'no output'}): ${stdout}${stderr}`))
        }
      },
    )
  })
}

/** Processes whose command line mentions the folder: every Java server of a session names it in -cp. */
export function processesUnder(folder: string): { pid: number; command: string }[] {
  const found: { pid: number; command: string }[] = []
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue
    let command: string
    let state: string
    try {
      command = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').join(' ')
      state = readFileSync(`/proc/${entry}/stat`, 'utf8').split(') ')[1] ?? ''
    } catch {
      continue
    }
    // Zombies are dead already; only their parent's bookkeeping is left.
    if (command.includes(folder) && !state.startsWith('Z')) found.push({ pid: Number(entry), command })
  }
  return found
}
