/**
 * Where everything of a session lives in its folder. Every module that reads or writes a session's
 * files asks here; none spells a file name itself, so the layout has one description:
 *
 *   events.jsonl                      the journal (every event, numbered)
 *   session.json                      the lab's description of the session (session-file.ts)
 *   logs/<process>.log                what each child printed
 *   sinks/<task>.log                  what each task's primaries committed, one JSON record a line
 *   zookeeper/<server>/data/          a server's snapshots and transaction logs (datalog/ for Docker's)
 *   source/binlog.jsonl               the binlog workload's source history, read back after the run
 *   report.json, report.html, report.pdf   the exported report, when asked for
 */
import { existsSync, lstatSync, readdirSync, type Stats } from 'node:fs'
import { join } from 'node:path'

export const JOURNAL_FILE = 'events.jsonl'
export const SESSION_FILE = 'session.json'
const LOGS_FOLDER = 'logs'
const SINKS_FOLDER = 'sinks'
const ZOOKEEPER_FOLDER = 'zookeeper'
const SINK_SUFFIX = '.log'
const SOURCE_FOLDER = 'source'
const SOURCE_HISTORY_FILE = 'binlog.jsonl'

/** Sub-folders every session has from its start: children's logs, the workers' sinks, ZooKeeper's data. */
export const SESSION_SUBFOLDERS = [LOGS_FOLDER, SINKS_FOLDER, ZOOKEEPER_FOLDER] as const

/** The exported report's files, by format. */
export const REPORT_FILES = { json: 'report.json', html: 'report.html', pdf: 'report.pdf' } as const

export function journalPath(sessionDir: string): string {
  return join(sessionDir, JOURNAL_FILE)
}

export function sessionFilePath(sessionDir: string): string {
  return join(sessionDir, SESSION_FILE)
}

export function logsDir(sessionDir: string): string {
  return join(sessionDir, LOGS_FOLDER)
}

export function sinksDir(sessionDir: string): string {
  return join(sessionDir, SINKS_FOLDER)
}

/** The file a task's primaries append their records to. */
export function sinkPath(sessionDir: string, task: string): string {
  return join(sinksDir(sessionDir), `${task}${SINK_SUFFIX}`)
}

/** The task a file of the sinks folder belongs to, or undefined when it is not a sink. */
export function sinkTask(fileName: string): string | undefined {
  return fileName.endsWith(SINK_SUFFIX) ? fileName.slice(0, -SINK_SUFFIX.length) : undefined
}

/** A ZooKeeper server's own folder (zk-1, docker-1, …): its configuration, and its data below. */
export function zooKeeperServerDir(sessionDir: string, server: string): string {
  return join(sessionDir, ZOOKEEPER_FOLDER, server)
}

/** Where a server keeps snapshots and transaction logs (data), and where the Docker image puts the logs (datalog). */
export function zooKeeperDataDirs(serverDir: string): { data: string; datalog: string } {
  return { data: join(serverDir, 'data'), datalog: join(serverDir, 'datalog') }
}

/** The folders that hold a session's transaction logs (ZooKeeper's `version-2`), by server in numeric order. */
export function txnLogDirs(sessionDir: string): { server: string; dir: string }[] {
  const base = join(sessionDir, ZOOKEEPER_FOLDER)
  if (!existsSync(base)) return []
  const found: { server: string; dir: string }[] = []
  for (const server of readdirSync(base, { withFileTypes: true })) {
    if (!server.isDirectory()) continue
    const { data, datalog } = zooKeeperDataDirs(join(base, server.name))
    for (const sub of [data, datalog]) {
      const dir = join(sub, 'version-2')
      if (existsSync(dir)) found.push({ server: server.name, dir })
    }
  }
  return found.sort((a, b) => a.server.localeCompare(b.server, 'en', { numeric: true }))
}

/** The files that make a folder a session: both must be there, as plain files (not links). */
export const SESSION_MARKERS = [SESSION_FILE, JOURNAL_FILE] as const

/** A session folder holds session.json and events.jsonl, both plain files; anything else is not one. */
export function isSessionFolder(dir: string): boolean {
  return SESSION_MARKERS.every((file) => lstatOrUndefined(join(dir, file))?.isFile() === true)
}

/** What is at `path` itself (a link is not followed), or undefined when nothing is. */
export function lstatOrUndefined(path: string): Stats | undefined {
  try {
    return lstatSync(path)
  } catch {
    return undefined
  }
}

/** The MariaDB source's history as the lab read it from its binlog (src/core/mariadb/history.ts). */
export function sourceHistoryPath(sessionDir: string): string {
  return join(sessionDir, SOURCE_FOLDER, SOURCE_HISTORY_FILE)
}
