/**
 * A program's settings from its command line, through the lab's worker-launch codec
 * (src/shared/worker-launch): the same decoder reads the journal's record of every launch.
 */
import { ArgError, decodeLaunch, type LabProgram, type ProgramSettings } from '../../shared/worker-launch/index.js'

/** decodeLaunch for an entry point: a bad flag prints one line to stderr (the flag and its fix) and the program exits 2. */
export function settingsOrExit<P extends LabProgram>(
  program: P,
  argv: readonly string[] = process.argv.slice(2),
): ProgramSettings<P> {
  try {
    return decodeLaunch(program, argv)
  } catch (err) {
    if (err instanceof ArgError) {
      process.stderr.write(`${program}: error: ${err.message}\n`)
      process.exit(2)
    }
    throw err
  }
}
