/**
 * Invariant commit-monotonic: `lastCommit` never goes backwards.
 *
 * The writes are the workers' `worker.commit {id, version}` merged with the observer's
 * `znode.created/changed` of `.../lastCommit` (same node version = same write), put in ZooKeeper's
 * order: by the node's version, which the server assigns, rather than by when each line reached the
 * journal. A write whose id is lower than the write just before it is a backward step, blamed on its
 * writer. A deleted and recreated node starts over. Steps that follow each other (same two writers,
 * within 2 commit intervals) are one violation: a zombie primary interleaving with its successor.
 */
import { contextAround } from './context.js'
import { at, commitValue, idList, type JournalModel, type TaskModel, type ZnodeWrite } from './journal-model.js'
import type { Judgement, Violation } from './types.js'

export function checkCommitMonotonic(model: JournalModel, task: TaskModel): Judgement {
  // Positions: the counter's integers, or the binlog's GTIDs by seq (one source, one domain).
  const writes = task.commits.filter((w) => commitValue(w.value) !== undefined)
  const position = (w: ZnodeWrite) => commitValue(w.value)!
  // Consecutive backward steps by the same two writers, each within 2 commit intervals of the last,
  // are one episode (a zombie interleaving with its successor), reported once.
  const episodes: Step[][] = []
  let previous: ZnodeWrite | undefined
  for (const [index, w] of writes.entries()) {
    if (previous && previous.epoch === w.epoch && position(w) < position(previous)) {
      const step: Step = { higher: previous, lower: w, index }
      const episode = episodes.at(-1)
      const last = episode?.at(-1)
      // A write the observer saw before its writer's own line arrived has no writer yet: it may be either.
      const same = (a?: string, b?: string) => a === undefined || b === undefined || a === b
      if (
        last &&
        same(last.lower.writer, w.writer) &&
        same(last.higher.writer, previous.writer) &&
        w.time - last.lower.time <= 2 * task.commitIntervalMs
      ) {
        episode!.push(step)
      } else episodes.push([step])
    }
    previous = w
  }
  const violations = episodes.map((e) => backwards(model, task, e, writes))
  const steps = episodes.reduce((n, e) => n + e.length, 0)
  const highest = writes.reduce((max, w) => Math.max(max, position(w)), 0)
  return {
    invariant: 'commit-monotonic',
    task: task.task,
    ok: violations.length === 0,
    violations,
    summary:
      violations.length === 0
        ? `${writes.length} write(s) to lastCommit, never backwards (highest ${highest})`
        : `lastCommit went backwards ${steps} time(s)${violations.length < steps ? ` in ${violations.length} episode(s)` : ''}`,
    stats: { writes: writes.length, highest, backwardSteps: steps },
  }
}

interface Step {
  higher: ZnodeWrite
  lower: ZnodeWrite
  /** Position of `lower` among the writes. */
  index: number
}

const who = (w: ZnodeWrite) => w.writer ?? 'a client the journal does not name (seen by the observer)'

function backwards(
  model: JournalModel,
  task: TaskModel,
  episode: readonly Step[],
  writes: readonly ZnodeWrite[],
): Violation {
  const { higher, lower } = episode[0]
  const end = episode.at(-1)!
  const recovered = writes
    .slice(end.index + 1)
    .find((w) => w.epoch === end.lower.epoch && commitValue(w.value)! >= commitValue(end.higher.value)!)
  const back = recovered
    ? `; it was back at ${recovered.value} at ${at(model, recovered.time)}.`
    : '; it never got back there.'
  const version = lower.version === undefined ? '' : ` (version ${lower.version})`
  const workers = [...new Set([lower.writer, higher.writer].filter((w): w is string => !!w))]
  const message =
    episode.length === 1
      ? `lastCommit of ${task.task} went back from ${higher.value} to ${lower.value} at ${at(model, lower.time)}${version}: ` +
        `${who(lower)} wrote ${lower.value} after ${who(higher)} had written ${higher.value} at ${at(model, higher.time)}${back}`
      : `lastCommit of ${task.task} went backwards ${episode.length} times from ${at(model, lower.time)} to ${at(model, end.lower.time)}: ` +
        `${who(lower)} wrote ${valueList(episode.map((s) => s.lower.value))}, each lower than what ${who(higher)} had just written ` +
        `(${valueList(episode.map((s) => s.higher.value))}); the first step went from ${higher.value} to ${lower.value}${version}${back}`
  return {
    invariant: 'commit-monotonic',
    task: task.task,
    kind: 'commit-backwards',
    time: lower.time,
    endTime: episode.length > 1 ? end.lower.time : undefined,
    seq: lower.seq,
    message,
    workers,
    ids: [...new Set(episode.flatMap((s) => [commitValue(s.higher.value)!, commitValue(s.lower.value)!]))],
    context: contextAround(model.events, lower.seq, { workers, paths: [task.paths.lastCommit] }),
  }
}

/** Integers as a short list (3–5, 9); GTIDs as written, since a range of them would hide their domain. */
function valueList(values: readonly string[]): string {
  return values.every((v) => /^[+-]?\d+$/.test(v.trim())) ? idList(values.map(Number)) : [...new Set(values)].join(', ')
}
