import { Argument, Option, type Command } from 'commander'
import type { LabState } from '../shared/lab-state.js'
import { isServerTarget, pickServer, pickWorker } from '../shared/targets.js'
import { connectBridge } from '../core/bridge/bridge-client.js'
import { bridgeFile, isServing, readServeRecord } from './serve-record.js'

const ACTIONS = ['kill', 'stop', 'pause', 'resume', 'restart', 'partition', 'heal', 'reset', 'slow'] as const
type Action = (typeof ACTIONS)[number]

interface FaultOptions {
  url?: string
  task?: string
  for?: string
  latency?: string
  jitter?: string
  sessionsDir?: string
}

/** `zklab fault <action> <target>`: fires a fault into a running lab (the app or zklab serve). */
export function registerFaultCommand(program: Command, fail: (message: string) => never): void {
  program
    .command('fault')
    .description('fire a fault into a running lab (the app or zklab serve)')
    .addArgument(new Argument('<action>', 'what to do').choices(ACTIONS))
    .argument(
      '<target>',
      'primary | standby | random | <worker number> | worker-<task>-<n> | zk-<n> | zk-leader | zk-follower',
    )
    .option('--task <task>', 'the task whose worker to hit (needed when the lab has several)')
    .option('--for <ms>', 'pause, partition or slow: undo it after this many ms')
    .option('--latency <ms>', 'slow: added delay each way', '300')
    .option('--jitter <ms>', 'slow: random spread of the delay', '0')
    .addOption(
      new Option(
        '--url <url>',
        'the lab to reach, with its token as zklab serve printed it (default: the one zklab serve recorded)',
      ),
    )
    .option('--sessions-dir <dir>', 'where zklab serve recorded its address')
    .action(async (action: Action, target: string, opts: FaultOptions) => {
      const url = opts.url ?? recordedUrl(opts.sessionsDir, fail)
      const lab = await connectBridge(url)
      try {
        const state = await lab.snapshot()
        const message = await fire(lab, state, action, parseTarget(target), opts, fail)
        console.log(message)
      } finally {
        lab.close()
      }
    })
}

function recordedUrl(sessionsDir: string | undefined, fail: (m: string) => never): string {
  const file = bridgeFile(sessionsDir)
  let record: ReturnType<typeof readServeRecord>
  try {
    record = readServeRecord(file)
  } catch (err) {
    fail((err as Error).message)
  }
  if (!record) fail(`No running lab recorded in ${file}: start one with zklab serve, or give --url.`)
  if (!isServing(record))
    fail(
      `The lab recorded in ${file} (pid ${record.pid}) is no longer running: start one with zklab serve, or give --url.`,
    )
  return record.url
}

function parseTarget(target: string): string | number {
  return /^\d+$/.test(target) ? Number(target) : target
}

async function fire(
  lab: Awaited<ReturnType<typeof connectBridge>>,
  state: LabState,
  action: Action,
  target: string | number,
  opts: FaultOptions,
  fail: (m: string) => never,
): Promise<string> {
  const duration = opts.for === undefined ? undefined : Number(opts.for)
  if (duration !== undefined && !(duration > 0)) fail(`--for ${opts.for}: give a duration in ms`)
  if (typeof target === 'string' && isServerTarget(target)) {
    const server = pickServer(state, target) ?? fail(`No ZooKeeper server ${target} in the running lab.`)
    if (!['kill', 'stop', 'pause', 'resume', 'restart'].includes(action))
      fail(`${action} hits a worker's network path, not a ZooKeeper server.`)
    await lab.zooKeeperAction({ server: server.id, action: action as 'kill' })
    if (action === 'pause' && duration)
      await undoAfter(duration, () => lab.zooKeeperAction({ server: server.id, action: 'resume' }))
    return `${action} ${server.name}${duration ? ` for ${duration} ms` : ''}`
  }
  const tasks = [...new Set(Object.values(state.workers).map((w) => w.task))]
  const task =
    opts.task ??
    (tasks.length === 1
      ? tasks[0]
      : fail(
          tasks.length === 0
            ? 'The running lab has no workers.'
            : `The lab runs ${tasks.join(', ')}: say which with --task.`,
        ))
  const worker = pickWorker(state, task, target) ?? fail(`No ${target} of ${task} to hit right now.`)
  if (action === 'partition' || action === 'heal' || action === 'reset' || action === 'slow') {
    const latencyMs = Number(opts.latency)
    const jitterMs = Number(opts.jitter)
    await lab.networkFault({ name: worker.name, fault: action, ...(action === 'slow' ? { latencyMs, jitterMs } : {}) })
    if ((action === 'partition' || action === 'slow') && duration)
      await undoAfter(duration, () => lab.networkFault({ name: worker.name, fault: 'heal' }))
  } else {
    await lab.processAction({ name: worker.name, action })
    if (action === 'pause' && duration)
      await undoAfter(duration, () => lab.processAction({ name: worker.name, action: 'resume' }))
  }
  return `${action} ${worker.name} (${worker.role}, pid ${worker.pid})${duration ? ` for ${duration} ms` : ''}`
}

async function undoAfter(ms: number, undo: () => Promise<unknown>): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, ms))
  await undo()
}
