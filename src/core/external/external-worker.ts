/**
 * An external worker: any program run as one of a task's workers. The lab tells it where and who it
 * is through placeholders in its command line and env, and through ZKLAB_* variables; it supervises
 * it like its own workers (logs, signals, its own fault proxy) but never trusts what it says: it is
 * judged only from what it writes to ZooKeeper (the transaction log) and to the sink.
 */
import { isAbsolute, resolve } from 'node:path'
import { ExternalWorker } from '../../shared/api.js'
import type { ExternalWorkerSettings } from '../../shared/worker-launch/index.js'

/** What the worker is told; recorded as its process.spawned settings too. */
export type ExternalContext = ExternalWorkerSettings

export const PLACEHOLDERS = [
  'connect',
  'root',
  'task',
  'taskPath',
  'workerId',
  'sessionTimeoutMs',
  'commitIntervalMs',
  'sink',
] as const

const ENV_NAMES: Record<(typeof PLACEHOLDERS)[number], string> = {
  connect: 'ZKLAB_CONNECT',
  root: 'ZKLAB_ROOT',
  task: 'ZKLAB_TASK',
  taskPath: 'ZKLAB_TASK_PATH',
  workerId: 'ZKLAB_WORKER_ID',
  sessionTimeoutMs: 'ZKLAB_SESSION_TIMEOUT_MS',
  commitIntervalMs: 'ZKLAB_COMMIT_INTERVAL_MS',
  sink: 'ZKLAB_SINK',
}

// Only the lab's own names are replaced: other braces (a shell's ${x}, JSON) pass through untouched.
const PATTERN = new RegExp(`\\{(${PLACEHOLDERS.join('|')})\\}`, 'g')

export function placeholderValues(ctx: ExternalContext): Record<(typeof PLACEHOLDERS)[number], string> {
  return {
    connect: ctx.connect,
    root: ctx.root,
    task: ctx.task,
    taskPath: `${ctx.root}/tasks/${ctx.task}`,
    workerId: String(ctx.workerId),
    sessionTimeoutMs: String(ctx.sessionTimeoutMs),
    commitIntervalMs: String(ctx.commitIntervalMs),
    sink: ctx.sink,
  }
}

export function expandPlaceholders(text: string, values: Record<string, string>): string {
  return text.replace(PATTERN, (_, name: string) => values[name])
}

/** Command, arguments and environment of one external worker, placeholders filled in. */
export function externalProcess(
  spec: ExternalWorker,
  ctx: ExternalContext,
): { command: string; args: string[]; env: Record<string, string> } {
  const parsed = ExternalWorker.parse(spec)
  const values = placeholderValues(ctx)
  const env: Record<string, string> = {}
  for (const name of PLACEHOLDERS) env[ENV_NAMES[name]] = values[name]
  // The program's own env comes last: it may override a ZKLAB_* variable on purpose.
  for (const [key, value] of Object.entries(parsed.env)) env[key] = expandPlaceholders(value, values)
  const command = expandPlaceholders(parsed.command, values)
  return {
    // A relative path (./worker.sh) starts from the lab's working folder; absolute, the journal and
    // a "not executable" error name the very file. A bare name is looked up on PATH.
    command: command.includes('/') && !isAbsolute(command) ? resolve(command) : command,
    args: parsed.args.map((a) => expandPlaceholders(a, values)),
    env,
  }
}
