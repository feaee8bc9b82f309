/**
 * The task worker: registers under a task and, when it is the primary, backs up numbered positions
 * (sink record, then lastCommit). How it elects and fails over is the strategy's business.
 *
 *   node --import tsx src/worker/task-worker.ts --connect 127.0.0.1:2181 --task task01 --worker-id 1 \
 *     --sink /tmp/task01.log [--strategy seed] [--commit-interval 1000] [--session-timeout 4000] \
 *     [--root /customBackUp] [--connect-timeout 15000]
 *
 * Flags and defaults: src/shared/worker-launch.
 */
import { WorkerEventTypes as E } from '../shared/events.js'
import { settingsOrExit } from './common/args.js'
import { createEmitter, errorFields } from './common/emitter.js'
import { taskPaths } from './common/paths.js'
import { strategies } from './strategies/index.js'

const options = settingsOrExit('task-worker')

const { emit } = createEmitter()
for (const event of ['uncaughtException', 'unhandledRejection'] as const)
  process.on(event, (err) => {
    emit(E.error, errorFields(err), 'error')
    process.exit(2)
  })

emit(E.started, { task: options.task, workerId: options.workerId, strategy: options.strategy, pid: process.pid })
await strategies[options.strategy]({ options, paths: taskPaths(options.root, options.task), emit })
