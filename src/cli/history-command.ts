/**
 * `zklab history <session-dir>`: a finished session's lastCommit (a compare-and-set register) or its
 * leadership (a mutex) as an operation history Jepsen's checkers (Knossos, elle-cli) or Porcupine read.
 */
import { existsSync, writeFileSync } from 'node:fs'
import { resolve } from 'node:path'
import type { Command } from 'commander'
import { JOURNAL_FILE, journalPath } from '../core/session-folder/index.js'
import {
  buildHistory,
  formatHistory,
  HISTORY_FORMATS,
  HISTORY_KINDS,
  historyTasks,
  readHistoryInput,
  type HistoryFormat,
  type HistoryKind,
} from '../core/history/index.js'

interface HistoryOptions {
  format: string
  history: string
  task?: string
  out?: string
}

export function registerHistoryCommand(program: Command, badInput: (message: string) => never): void {
  program
    .command('history')
    .description(
      "a session's lastCommit (compare-and-set register) or leadership (mutex) as a Jepsen or Porcupine history",
    )
    .argument('<session-dir>', 'a session folder')
    .option('--format <format>', `${HISTORY_FORMATS.join(' | ')}`, 'jepsen')
    .option('--history <kind>', `${HISTORY_KINDS.join(' | ')}`, 'lastcommit')
    .option('--task <task>', 'the task (needed when the session has several)')
    .option('--out <file>', 'write it to this file instead of stdout')
    .action((dir: string, opts: HistoryOptions) => {
      const folder = resolve(dir)
      if (!existsSync(journalPath(folder))) badInput(`${folder} is not a session folder (no ${JOURNAL_FILE})`)
      if (!HISTORY_FORMATS.includes(opts.format as HistoryFormat))
        badInput(`--format must be one of ${HISTORY_FORMATS.join(', ')}`)
      if (!HISTORY_KINDS.includes(opts.history as HistoryKind))
        badInput(`--history must be one of ${HISTORY_KINDS.join(', ')}`)
      const input = readHistoryInput(folder)
      const tasks = historyTasks(input)
      if (opts.task && !tasks.includes(opts.task))
        badInput(`no task ${opts.task} in this session (tasks: ${tasks.join(', ') || 'none'})`)
      if (!opts.task && tasks.length !== 1)
        badInput(
          tasks.length === 0
            ? 'this session has no task'
            : `this session has several tasks: pass --task (${tasks.join(', ')})`,
        )
      const task = opts.task ?? tasks[0]
      if (opts.history === 'lastcommit' && !input.txn)
        console.error(
          "note: no ZooKeeper transaction log in this session (external ZooKeeper?): lastCommit from the workers' own reports only",
        )
      const text = formatHistory(buildHistory(input, task, opts.history as HistoryKind), opts.format as HistoryFormat)
      if (opts.out) writeFileSync(resolve(opts.out), text)
      else process.stdout.write(text)
    })
}
