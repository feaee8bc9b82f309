/**
 * The task worker: registers under a task and, when it is the primary, backs up numbered positions
 * (sink record, then lastCommit). How it elects and fails over is the strategy's business.
 *
 *   node --import tsx src/worker/task-worker.ts --connect 127.0.0.1:2181 --task task01 --worker-id 1 \
 *     --sink /tmp/task01.log [--strategy seed] [--commit-interval 1000] [--session-timeout 10000] \
 *     [--root /customBackUp] [--connect-timeout 15000]
 */
import { z } from 'zod'
import { WorkerEventTypes as E } from '../shared/events.js'
import { intFlag, parseFlagsOrExit, taskNameFlag, zkFlags } from './common/args.js'
import { createEmitter, errorFields } from './common/emitter.js'
import { taskPaths } from './common/paths.js'
import { strategies, strategyNames } from './strategies/index.js'

const options = parseFlagsOrExit('task-worker', process.argv.slice(2), {
  ...zkFlags,
  task: taskNameFlag(),
  workerId: intFlag({ min: 0, max: 2 ** 31 - 1 }),
  commitInterval: intFlag({ min: 1 }).default(1000),
  sessionTimeout: intFlag({ min: 1, max: 2 ** 31 - 1 }).default(10000),
  sink: z.string().min(1, 'must be a file path'),
  strategy: z.enum(strategyNames, { error: `must be one of: ${strategyNames.join(', ')}` }).default('seed'),
})

const { emit } = createEmitter()
for (const event of ['uncaughtException', 'unhandledRejection'] as const) process.on(event, (err) => {
  emit(E.error, errorFields(err), 'error')
  process.exit(2)
})

emit(E.started, { task: options.task, workerId: options.workerId, strategy: options.strategy, pid: process.pid })
await strategies[options.strategy]({ options, paths: taskPaths(options.root, options.task), emit })
