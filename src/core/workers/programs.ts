import { existsSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import {
  encodeLaunch,
  type LabProgram,
  type LaunchInput,
  type LaunchSettings,
} from '../../shared/worker-launch/index.js'
import { labRoot } from '../lab-root.js'
import { findExecutable } from './supervisor.js'

export { LAB_PROGRAMS, type LabProgram } from '../../shared/worker-launch/index.js'

const TSX_LOADER = import.meta.resolve('tsx')

/**
 * Children run on plain Node, never on Electron's runtime, so the native `zookeeper` addon is built
 * once for Node and nothing needs rebuilding for Electron.
 */
export function nodeBinary(): string {
  if (!process.versions.electron) return process.execPath
  const node = findExecutable('node')
  if (!node)
    throw new Error('Node.js is not on PATH: the lab runs its workers with Node. Install Node 20+ and restart.')
  return node
}

/**
 * Command and arguments that start one of the lab's programs: the bundle `npm run build` made
 * (out/worker/<program>.mjs, plain Node) while it is at least as new as every source it was made
 * from, else the TypeScript source through tsx, so an edit takes effect without a build.
 */
function programCommand(program: LabProgram, args: string[]): { command: string; args: string[] } {
  return { command: nodeBinary(), args: [...programEntry(labRoot(), program), ...args] }
}

/**
 * Command, arguments and settings that launch one of the lab's programs: the command line is the
 * worker-launch codec's encoding of the settings, and the settings are what the program will decode
 * from it (recorded in its process.spawned event).
 */
export function launchProgram<P extends LabProgram>(
  program: P,
  input: LaunchInput<P>,
): { command: string; args: string[]; settings: LaunchSettings } {
  const { args, settings } = encodeLaunch(program, input)
  return { ...programCommand(program, args), settings: { program, ...settings } as LaunchSettings }
}

/** Node's arguments before the program's own: the fresh bundle, or the source through tsx. */
export function programEntry(root: string, program: LabProgram): string[] {
  const bundle = freshBundle(root, program)
  if (bundle) return ['--enable-source-maps', bundle]
  const source = join(root, 'src', 'worker', `${program}.ts`)
  if (!existsSync(source)) throw new Error(`The lab's ${program} program is missing at ${source}; reinstall the lab.`)
  return ['--import', TSX_LOADER, source]
}

/**
 * out/worker/<name>.mjs while it is at least as new as every source it was made from (the lab's
 * programs and its network thread), else undefined.
 */
export function freshBundle(root: string, name: string): string | undefined {
  const bundle = join(root, 'out', 'worker', `${name}.mjs`)
  try {
    const built = statSync(bundle).mtimeMs
    const inputs = (
      JSON.parse(readFileSync(join(root, 'out', 'worker', 'inputs.json'), 'utf8')) as Record<string, string[]>
    )[name]
    if (!Array.isArray(inputs) || inputs.length === 0) return undefined
    // A source that is gone or newer than the bundle means the bundle is not what the sources say now.
    return inputs.every((file) => statSync(join(root, file)).mtimeMs <= built) ? bundle : undefined
  } catch {
    return undefined
  }
}
