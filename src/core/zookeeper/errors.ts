/**
 * Errors the ZooKeeper layer throws on purpose. Each message is written for the person running the
 * lab: it says what is wrong and what to do about it, so the UI and the CLI can show it as it is.
 */

/** Java or a ZooKeeper distribution is missing or unusable. */
export class ZooKeeperSetupError extends Error {
  override readonly name = 'ZooKeeperSetupError'
  constructor(
    message: string,
    /** What is missing, for code that wants to offer a fix (ensure-zookeeper installs these). */
    readonly missing: ReadonlyArray<'java' | 'zookeeper'>,
  ) {
    super(message)
  }
}

/** The client port (or a quorum/election port) the lab was told to use is taken. */
export class ZooKeeperPortInUseError extends Error {
  override readonly name = 'ZooKeeperPortInUseError'
  constructor(
    readonly port: number,
    message: string,
  ) {
    super(message)
  }
}

/** A server did not become ready: it exited, or did not serve within the time allowed. */
export class ZooKeeperStartError extends Error {
  override readonly name = 'ZooKeeperStartError'
  constructor(
    message: string,
    /** The last lines the server printed, already part of the message; kept for UIs that show them apart. */
    readonly logTail: string[] = [],
  ) {
    super(message)
  }
}

/** A process-control operation asked of a ZooKeeper the lab does not own (external). */
export class ZooKeeperOperationUnavailableError extends Error {
  override readonly name = 'ZooKeeperOperationUnavailableError'
}
