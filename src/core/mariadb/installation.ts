import { delimiter } from 'node:path'
import { findExecutable } from '../workers/supervisor.js'
import { MariaDbMissingError } from './errors.js'

/** The MariaDB programs the lab runs: the server, its datadir initialiser, and the binlog reader. */
export interface MariaDbInstallation {
  mariadbd: string
  installDb: string
  binlog: string
}

/** How the set-up script installs what is missing; named in every "not found" message. */
export const MARIADB_INSTALL_HINT = 'npm run ensure-zookeeper -- --with-mariadb'

/**
 * Debian puts mariadbd in /usr/sbin, which a normal user's PATH often lacks; Homebrew puts all three
 * in its bin. Searched after PATH.
 */
const EXTRA_DIRS = ['/usr/sbin', '/usr/local/sbin', '/usr/bin', '/usr/local/bin', '/opt/homebrew/bin']

/** Paths of mariadbd, mariadb-install-db and mariadb-binlog, or a MariaDbMissingError naming the fix. */
export function findMariaDb(
  env: NodeJS.ProcessEnv = process.env,
  extraDirs: readonly string[] = EXTRA_DIRS,
): MariaDbInstallation {
  const searchPath = [env.PATH ?? '', ...extraDirs].join(delimiter)
  const found = {
    mariadbd: findExecutable('mariadbd', searchPath),
    installDb: findExecutable('mariadb-install-db', searchPath),
    binlog: findExecutable('mariadb-binlog', searchPath),
  }
  const missing = Object.entries({
    mariadbd: found.mariadbd,
    'mariadb-install-db': found.installDb,
    'mariadb-binlog': found.binlog,
  })
    .filter(([, path]) => path === undefined)
    .map(([name]) => name)
  if (missing.length > 0) {
    throw new MariaDbMissingError(
      `MariaDB is not installed (${missing.join(', ')} not found on PATH or in ${extraDirs.join(', ')}): ` +
        `run \`${MARIADB_INSTALL_HINT}\` (Debian/Ubuntu's mariadb-server), or install MariaDB 10.5 or newer yourself.`,
      missing,
    )
  }
  return found as MariaDbInstallation
}
