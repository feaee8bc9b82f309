import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { labRoot } from '../lab-root.js'
import { findExecutable } from './supervisor.js'

/** The lab's own child programs, in src/worker. */
export type LabProgram = 'task-worker' | 'publisher' | 'monitor' | 'observer'

const TSX_LOADER = import.meta.resolve('tsx')

/**
 * Children run on plain Node, never on Electron's runtime, so the native `zookeeper` addon is built
 * once for Node and nothing needs rebuilding for Electron.
 */
export function nodeBinary(): string {
  if (!process.versions.electron) return process.execPath
  const node = findExecutable('node')
  if (!node) throw new Error('Node.js is not on PATH: the lab runs its workers with Node. Install Node 20+ and restart.')
  return node
}

/** Command and arguments that start one of the lab's programs (TypeScript run through tsx). */
export function programCommand(program: LabProgram, args: string[]): { command: string; args: string[] } {
  const file = join(labRoot(), 'src', 'worker', `${program}.ts`)
  if (!existsSync(file)) throw new Error(`The lab's ${program} program is missing at ${file}; reinstall the lab.`)
  return { command: nodeBinary(), args: ['--import', TSX_LOADER, file, ...args] }
}
