/**
 * `zklab txnlog <session-dir>`: what ZooKeeper's transaction log says happened to each task's
 * lastCommit and status, write by write, with the session and worker behind each.
 */
import { existsSync } from 'node:fs'
import { resolve } from 'node:path'
import type { Command } from 'commander'
import { JOURNAL_FILE, journalPath } from '../core/session-folder/index.js'
import { sessionTxnWrites, type TaskWriteRow } from '../core/txnlog/task-writes.js'

export function registerTxnLogCommand(program: Command, badInput: (message: string) => never): void {
  program
    .command('txnlog')
    .description(
      "every write to each task's lastCommit and status from ZooKeeper's transaction log, with session and worker",
    )
    .argument('<session-dir>', 'a session folder')
    .option('--task <task>', 'only this task')
    .option('--json', 'print JSON')
    .action((dir: string, opts: { task?: string; json?: boolean }) => {
      const folder = resolve(dir)
      if (!existsSync(journalPath(folder))) badInput(`${folder} is not a session folder (no ${JOURNAL_FILE})`)
      const writes = sessionTxnWrites(folder)
      if (!writes)
        badInput(
          `${folder} holds no ZooKeeper transaction log (zookeeper/*/data/version-2/log.*): was ZooKeeper external?`,
        )
      if (opts.task && !writes.tasks[opts.task])
        badInput(
          `no task ${opts.task} in the transaction log (tasks: ${Object.keys(writes.tasks).join(', ') || 'none'})`,
        )
      const tasks = opts.task ? { [opts.task]: writes.tasks[opts.task] } : writes.tasks
      if (opts.json) {
        console.log(JSON.stringify({ ...writes, tasks }, null, 2))
        return
      }
      for (const p of writes.problems) console.log(`note: ${p}`)
      for (const [task, rows] of Object.entries(tasks)) {
        console.log(`${task}: ${rows.length} write(s)`)
        console.log(
          `  ${'zxid'.padEnd(8)} ${'time'.padEnd(9)} ${'node'.padEnd(10)} ${'op'.padEnd(7)} ${'value'.padEnd(6)} ${'ver'.padEnd(4)} ${'session'.padEnd(18)} ${'worker'.padEnd(20)} primary then`,
        )
        for (const r of rows) console.log(`  ${line(r, writes.start)}`)
      }
    })
}

function line(r: TaskWriteRow, start: number): string {
  const time = `+${((r.time - start) / 1000).toFixed(2)}s`
  const holder = r.holder ? `${r.holder}${r.holderWorker ? ` (${r.holderWorker})` : ''}` : 'none'
  const flag = r.node === 'lastCommit' && r.op === 'setData' && !r.byHolder ? '  ZOMBIE WRITE' : ''
  return [
    r.zxid.padEnd(8),
    time.padEnd(9),
    r.node.padEnd(10),
    r.op.padEnd(7),
    String(r.value ?? '').padEnd(6),
    String(r.version ?? '').padEnd(4),
    `0x${r.session}`.padEnd(18),
    (r.worker ?? 'unknown').padEnd(20),
    holder + flag,
  ].join(' ')
}
