export { MariaDbMissingError, MariaDbPortInUseError, MariaDbStartError } from './errors.js'
export { findMariaDb, MARIADB_INSTALL_HINT, type MariaDbInstallation } from './installation.js'
export {
  LAB_USER,
  MariaDbInstance,
  type BinlogFile,
  type MariaDbExit,
  type MariaDbInstanceOptions,
  type MariaDbState,
} from './instance.js'
