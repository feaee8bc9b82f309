/**
 * Errors the MariaDB source throws on purpose. Like the ZooKeeper layer's, each message is written
 * for the person running the lab: what is wrong and what to do about it.
 */

/** mariadbd, mariadb-install-db or mariadb-binlog is not installed. */
export class MariaDbMissingError extends Error {
  override readonly name = 'MariaDbMissingError'
  constructor(
    message: string,
    /** The programs that were not found. */
    readonly missing: readonly string[],
  ) {
    super(message)
  }
}

/** The port the source was told to use is taken. */
export class MariaDbPortInUseError extends Error {
  override readonly name = 'MariaDbPortInUseError'
  constructor(
    readonly port: number,
    message: string,
  ) {
    super(message)
  }
}

/** The server did not become ready: it exited, or did not accept connections in time. */
export class MariaDbStartError extends Error {
  override readonly name = 'MariaDbStartError'
}
