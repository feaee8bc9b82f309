/**
 * A session folder: its layout (paths.ts), how one is created (create.ts), session.json
 * (session-file.ts) and the workers' sinks (sinks.ts). The lab, the runner, the checker, the
 * transaction-log reader, the report and the library all reach a session's files through here.
 */
export { checkFreeSpace, createSessionFolder, PRIVATE_FILE, PRIVATE_FOLDER } from './create.js'
export {
  isSessionFolder,
  JOURNAL_FILE,
  journalPath,
  logsDir,
  lstatOrUndefined,
  mariaDbDir,
  mariaDbLogPath,
  REPORT_FILES,
  SESSION_FILE,
  SESSION_MARKERS,
  sessionFilePath,
  sinkPath,
  sinksDir,
  sinkTask,
  sourceHistoryPath,
  txnLogDirs,
  zooKeeperDataDirs,
  zooKeeperServerDir,
} from './paths.js'
export {
  readSessionFile,
  readSessionFileIfAny,
  updateSessionFile,
  writeFileAtomically,
  writeSessionFile,
} from './session-file.js'
export { readSink, readSinks, type SinkRead, type SinkRecord } from './sinks.js'
