/**
 * Runs a child with its wall clock set apart, through libfaketime (Debian's `faketime` package): the
 * library is preloaded into the program and fakes what `clock_gettime(CLOCK_REALTIME)`, `gettimeofday`
 * and `time` return. The monotonic clock is left alone (FAKETIME_DONT_FAKE_MONOTONIC), so Node's
 * timers, ZooKeeper clients' heartbeats and the session timeouts still run on real time: only what the
 * program reads as "now" is off, as on a machine whose clock is wrong.
 *
 * Programs that read the clock without libc (Go binaries, through the vDSO) are not affected.
 */
import { accessSync, constants } from 'node:fs'
import { faketimeSpec, type ClockSkew } from '../../shared/worker-launch/index.js'

/** Where Debian/Ubuntu put it (multiarch), then a source build's and other distributions' places. */
function candidates(): string[] {
  const multiarch = { x64: 'x86_64-linux-gnu', arm64: 'aarch64-linux-gnu' }[process.arch as string]
  return [
    ...(process.env.ZKLAB_FAKETIME_LIB ? [process.env.ZKLAB_FAKETIME_LIB] : []),
    ...(multiarch ? [`/usr/lib/${multiarch}/faketime/libfaketime.so.1`] : []),
    '/usr/lib/faketime/libfaketime.so.1',
    '/usr/local/lib/faketime/libfaketime.so.1',
  ]
}

export const FAKETIME_INSTALL = 'apt-get install faketime'

export class FaketimeMissingError extends Error {
  constructor(what: string) {
    super(
      `${what} asks for a skewed clock, which needs libfaketime, and it was not found (looked in ${candidates().join(', ')}): ` +
        (process.platform === 'linux'
          ? `as root: ${FAKETIME_INSTALL} (or set ZKLAB_FAKETIME_LIB to libfaketime.so.1)`
          : 'clock skew is supported on Linux only'),
    )
    this.name = 'FaketimeMissingError'
  }
}

/** libfaketime.so.1's path, or undefined where it is not installed. */
export function findFaketimeLibrary(): string | undefined {
  if (process.platform !== 'linux') return undefined
  return candidates().find((file) => {
    try {
      accessSync(file, constants.R_OK)
      return true
    } catch {
      return false
    }
  })
}

/**
 * The environment that runs a program with this clock: the library preloaded (in front of any
 * LD_PRELOAD the program already had) and its setting. Throws FaketimeMissingError, naming `what`
 * and the install command, where the library is missing.
 */
export function faketimeEnv(
  clock: ClockSkew,
  what: string,
  library: string | null = findFaketimeLibrary() ?? null,
  inherited: string | undefined = process.env.LD_PRELOAD,
): Record<string, string> {
  if (library === null) throw new FaketimeMissingError(what)
  return {
    LD_PRELOAD: inherited ? `${library}:${inherited}` : library,
    FAKETIME: faketimeSpec(clock),
    FAKETIME_DONT_FAKE_MONOTONIC: '1',
  }
}
