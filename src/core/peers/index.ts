/**
 * The lab's peer programs: well-known election recipes run as they are, next to the lab's own worker,
 * and graded like any external program (roles read off the election, sessions off the proxy).
 *
 * preparePeer checks the peer's toolchain, builds it once into a cache (Go, Java) and returns the
 * external-worker spec that runs it, with the lab's placeholders ({connect}, {taskPath}, {sink} …).
 * A missing toolchain is a PeerUnavailableError naming the package that installs it.
 */
import type { ExternalWorker } from '../../shared/api.js'
import type { PeerStrategy } from '../../shared/worker-launch/index.js'

export class PeerUnavailableError extends Error {
  constructor(
    readonly peer: PeerStrategy,
    readonly problem: string,
    /** The command that installs what is missing. */
    readonly install: string,
  ) {
    super(`The ${peer} strategy cannot run here: ${problem}. Install it with: ${install}`)
    this.name = 'PeerUnavailableError'
  }
}

export async function preparePeer(peer: PeerStrategy): Promise<ExternalWorker> {
  throw new PeerUnavailableError(peer, 'its program is not built into this lab yet', 'nothing yet')
}

export type PeerAvailability =
  { peer: PeerStrategy; ok: true } | { peer: PeerStrategy; ok: false; problem: string; install: string }

/** Whether a peer's toolchain is on this machine (no build, no network): for pickers and `--strategies`. */
export async function peerAvailability(peer: PeerStrategy): Promise<PeerAvailability> {
  return { peer, ok: false, problem: 'its program is not built into this lab yet', install: 'nothing yet' }
}
