import { Argument, Option, type Command } from 'commander'
import { FaultDirection, NetworkFault, NetworkFaultInput } from '../shared/api.js'
import type { LabState } from '../shared/lab-state.js'
import { describeNetworkFault, networkFaultRecord } from '../shared/network-faults.js'
import { isServerTarget, isSourceTarget, pickServer, pickWorker } from '../shared/targets.js'
import { ServerPartitionShape, ServerPartitionSpec } from '../shared/server-partitions.js'
import { connectBridge } from '../core/bridge/bridge-client.js'
import { bridgeFile, isServing, readServeRecord } from './serve-record.js'

const PROCESS_ACTIONS = ['kill', 'stop', 'pause', 'resume', 'restart'] as const
const ACTIONS = [...PROCESS_ACTIONS, ...NetworkFault.options] as const
type Action = (typeof ACTIONS)[number]

interface FaultOptions {
  shape?: ServerPartitionShape
  to?: string
  url?: string
  task?: string
  for?: string
  latency?: string
  jitter?: string
  direction?: string
  toxicity?: string
  probability?: string
  rate?: string
  sliceBytes?: string
  sliceDelay?: string
  delay?: string
  seed?: string
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
      'primary | standby | random | <worker number> | worker-<task>-<n> | zk-<n> | zk-leader | zk-follower | mariadb',
    )
    .addOption(
      new Option('--shape <shape>', 'partition of a server (zk-…): how the ensemble is cut around it').choices(
        ServerPartitionShape.options,
      ),
    )
    .option('--to <server>', 'partition --shape one-way: whose messages from the server are lost (a server, or others)')
    .option('--task <task>', 'the task whose worker to hit (needed when the lab has several)')
    .option('--for <ms>', 'pause or a network fault (not reset): undo it (resume, heal) after this many ms')
    .option('--latency <ms>', 'slow: added delay each way', '300')
    .option('--jitter <ms>', 'slow: random spread of the delay', '0')
    .option('--probability <p>', 'loss: the probability (0-1) that a chunk waits a retransmission timeout')
    .option('--rate <bytes/s>', 'bandwidth: bytes per second each way hit')
    .option('--slice-bytes <n>', 'slicer: the size of each slice', '64')
    .option('--slice-delay <ms>', 'slicer: the delay between slices', '10')
    .option('--delay <ms>', 'slow-close: how long the proxy waits to close the other side')
    .addOption(
      new Option('--direction <way>', 'a network fault: upstream (worker to ZooKeeper), downstream or both').choices(
        FaultDirection.options,
      ),
    )
    .option('--toxicity <p>', 'a network fault: the share (0-1) of connections it hits, decided per connection')
    .option('--seed <n>', "a network fault: seeds the link's random draws (loss, jitter, toxicity)")
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
  if (isSourceTarget(target)) {
    if (!state.source) fail('The running lab has no MariaDB source (it runs with the binlog workload).')
    if (!isProcessAction(action))
      fail(`${action} hits a worker's network path; the MariaDB source takes kill, stop, pause, resume and restart.`)
    await lab.sourceAction({ action })
    if (action === 'pause' && duration) await undoAfter(duration, () => lab.sourceAction({ action: 'resume' }))
    return `${action} mariadb (port ${state.source.port}${state.source.pid ? `, pid ${state.source.pid}` : ''})${duration ? ` for ${duration} ms` : ''}`
  }
  if (typeof target === 'string' && isServerTarget(target)) {
    const server = pickServer(state, target) ?? fail(`No ZooKeeper server ${target} in the running lab.`)
    // Between servers: a partition in a named shape around this server, or every link healed.
    if (action === 'partition') {
      const spec = ServerPartitionSpec.safeParse({
        shape: opts.shape ?? 'isolate',
        ...(opts.shape === 'one-way' ? { from: server.name, to: opts.to ?? 'others' } : { server: server.name }),
      })
      if (!spec.success) fail(spec.error.issues.map((i) => `partition ${i.path.join('.')}: ${i.message}`).join('\n'))
      const { description } = await lab.partitionServers(spec.data)
      if (duration) await undoAfter(duration, () => lab.healServers())
      return `partition servers: ${description}${duration ? ` for ${duration} ms` : ''}`
    }
    if (action === 'heal') {
      await lab.healServers()
      return 'every link between servers healed'
    }
    if (!['kill', 'stop', 'pause', 'resume', 'restart'].includes(action))
      fail(
        `${action} hits a worker's network path; a ZooKeeper server takes kill, stop, pause, resume, restart, partition and heal.`,
      )
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
  if (isNetworkFault(action)) {
    const input = networkFaultInput(worker.name, action, opts)
    const parsed = NetworkFaultInput.safeParse(input)
    if (!parsed.success)
      fail(parsed.error.issues.map((i) => `${action} ${i.path.join('.')}: ${i.message}`.trim()).join('\n'))
    await lab.networkFault(input)
    if (action !== 'heal' && action !== 'reset' && duration)
      await undoAfter(duration, () => lab.networkFault({ name: worker.name, fault: 'heal' }))
    return `${describeNetworkFault(networkFaultRecord(input))} ${worker.name} (${worker.role})${duration ? ` for ${duration} ms` : ''}`
  } else {
    await lab.processAction({ name: worker.name, action })
    if (action === 'pause' && duration)
      await undoAfter(duration, () => lab.processAction({ name: worker.name, action: 'resume' }))
  }
  return `${action} ${worker.name} (${worker.role}, pid ${worker.pid})${duration ? ` for ${duration} ms` : ''}`
}

function isProcessAction(action: Action): action is (typeof PROCESS_ACTIONS)[number] {
  return (PROCESS_ACTIONS as readonly string[]).includes(action)
}

function isNetworkFault(action: Action): action is NetworkFault {
  return (NetworkFault.options as readonly string[]).includes(action)
}

/** The options a network fault of this kind takes, as the Lab's input (numbers left for zod to check). */
function networkFaultInput(name: string, fault: NetworkFault, opts: FaultOptions): NetworkFaultInput {
  const num = (value: string | undefined) => (value === undefined ? undefined : Number(value))
  const own: Partial<NetworkFaultInput> =
    fault === 'slow'
      ? { latencyMs: num(opts.latency), jitterMs: num(opts.jitter) }
      : fault === 'loss'
        ? { probability: num(opts.probability) }
        : fault === 'bandwidth'
          ? { bytesPerSecond: num(opts.rate) }
          : fault === 'slicer'
            ? { sliceBytes: num(opts.sliceBytes), sliceDelayMs: num(opts.sliceDelay) }
            : fault === 'slow-close'
              ? { delayMs: num(opts.delay) }
              : {}
  const lasting = fault !== 'heal' && fault !== 'reset'
  const common = lasting
    ? { direction: opts.direction as FaultDirection | undefined, toxicity: num(opts.toxicity), seed: num(opts.seed) }
    : {}
  const input = { name, fault, ...own, ...common }
  return Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined)) as NetworkFaultInput
}

async function undoAfter(ms: number, undo: () => Promise<unknown>): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, ms))
  await undo()
}
