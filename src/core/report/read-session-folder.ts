/**
 * A session folder read for a report: whatever is on disk, however the session ended. A lab that
 * was SIGKILLed leaves a journal without `session.closed` and maybe a torn last line, and sinks with
 * a torn record; those are read up to the last whole line and the damage is listed, never fatal.
 * Only a folder that is not a session at all is refused, naming what is missing.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { basename, join, resolve } from 'node:path'
import { BackupRecord, type SourceTransaction } from '../../shared/binlog.js'
import type { LabEvent } from '../../shared/events.js'
import { readJournal } from '../journal/journal.js'
import {
  JOURNAL_FILE,
  journalPath,
  readSessionFileIfAny,
  readSinks,
  SESSION_FILE,
  sessionFilePath,
  sinksDir,
  sinkTask,
  type SinkRecord,
} from '../session-folder/index.js'
import { loadSourceHistory } from '../checker/check-session.js'
import { readSessionTxnLogs, type TxnLogRead } from '../txnlog/read-txn-logs.js'
import type { JournalIssue, SinkIssue } from './types.js'

/** The folder cannot be reported on (the CLI's exit code 2). */
export class SessionFolderError extends Error {}

export interface SessionFolder {
  dir: string
  events: LabEvent[]
  journalIssues: JournalIssue[]
  sinks: Record<string, SinkRecord[]>
  /** Binlog tasks' sink lines whole, by task. */
  backups: Record<string, BackupRecord[]>
  sinkIssues: SinkIssue[]
  /** The binlog source's history (source/binlog.jsonl), when the lab read it back; its error when it cannot be read. */
  sourceHistory?: SourceTransaction[]
  sourceHistoryError?: string
  /** session.json as written by the lab, or undefined when it is missing or unreadable. */
  sessionFile?: Record<string, unknown>
  sessionFileProblem: string | null
  txnLog?: TxnLogRead
}

export function readSessionFolder(input: string): SessionFolder {
  const dir = resolve(input)
  if (!existsSync(dir)) throw new SessionFolderError(`${dir}: no such folder`)
  if (!statSync(dir).isDirectory())
    throw new SessionFolderError(`${dir}: not a folder (give the session folder, the one holding ${JOURNAL_FILE})`)
  const journal = journalPath(dir)
  if (!existsSync(journal)) {
    const what = existsSync(sessionFilePath(dir))
      ? `${JOURNAL_FILE} (the journal) is missing`
      : `neither ${JOURNAL_FILE} (the journal) nor ${SESSION_FILE} is there`
    throw new SessionFolderError(`${dir} is not a session folder: ${what}`)
  }

  const read = readJournal(journal)
  if (read.events.length === 0) {
    throw new SessionFolderError(
      `${journal} holds no lab event${read.problems.length ? ` (${read.problems.length} unreadable line(s))` : ' (it is empty)'}`,
    )
  }
  const events = [...read.events].sort((a, b) => a.seq - b.seq)
  const journalIssues: JournalIssue[] = read.problems.map((p) => ({
    line: p.line,
    kind: p.message.startsWith('truncated')
      ? 'truncated'
      : p.message.startsWith('not a lab event')
        ? 'not-an-event'
        : 'corrupt',
    message: p.message,
  }))
  journalIssues.push(...seqGaps(events))

  const { content: sessionFile, problem } = readSessionFileIfAny(dir)
  const sessionFileProblem = problem ? `${problem}: the summary comes from the journal alone` : null

  // Records through the reader the checker uses, so the report's verdicts are exactly the checker's.
  const { sinks, backups } = readSinks(dir)
  // ZooKeeper's transaction logs, where the lab ran the servers: the zombie-write verdict's evidence.
  const txnLog = readSessionTxnLogs(dir)
  // The binlog source's history: the backup invariants' evidence.
  const history = loadSourceHistory(dir)
  return {
    dir,
    events,
    journalIssues,
    sinks,
    backups,
    ...history,
    sinkIssues: sinkIssues(dir),
    sessionFile,
    sessionFileProblem,
    ...(txnLog ? { txnLog } : {}),
  }
}

/** Numbers missing between readable lines: lines lost or skipped as unreadable. */
function seqGaps(events: readonly LabEvent[]): JournalIssue[] {
  const gaps: JournalIssue[] = []
  for (let i = 1; i < events.length; i++) {
    const a = events[i - 1].seq
    const b = events[i].seq
    if (b - a > 1) {
      const missing = b - a === 2 ? `seq ${a + 1} is` : `seqs ${a + 1}–${b - 1} are`
      gaps.push({ line: null, kind: 'seq-gap', message: `${missing} missing between readable events ${a} and ${b}` })
    }
  }
  return gaps
}

/** Lines of each sink that are not records, by line number; the last one, unterminated, is a torn write. */
function sinkIssues(sessionDir: string): SinkIssue[] {
  const folder = sinksDir(sessionDir)
  if (!existsSync(folder)) return []
  const issues: SinkIssue[] = []
  for (const file of readdirSync(folder).sort()) {
    const task = sinkTask(file)
    if (task === undefined) continue
    const text = readFileSync(join(folder, file), 'utf8')
    const lines = text.split('\n')
    const lastIndex = lines.findLastIndex((l) => l.trim() !== '')
    lines.forEach((line, index) => {
      if (!line.trim()) return
      let message: string | undefined
      try {
        const record = JSON.parse(line) as { id?: unknown }
        if (typeof record?.id !== 'number' && !BackupRecord.safeParse(record).success)
          message =
            'not a record (needs a numeric id, or a backup line: gtid, seq, index, table, op, values, worker, time)'
      } catch {
        message = 'not JSON'
      }
      if (!message) return
      const torn = index === lastIndex && !text.endsWith('\n')
      issues.push({
        task,
        file: `${basename(folder)}/${file}`,
        line: index + 1,
        kind: torn ? 'truncated' : 'corrupt',
        message: torn ? 'truncated last line (the writer stopped while writing it); skipped' : `${message}; skipped`,
      })
    })
  }
  return issues
}
