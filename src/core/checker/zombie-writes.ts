/**
 * Invariant zombie-write, judged from ZooKeeper's transaction log: every write to `lastCommit` comes
 * from the session that holds the task's smallest live instance node at that zxid, and moves it
 * forward. The log holds every write with its session, in the server's order, so nothing between two
 * watch notifications is missed and it works the same for the lab's workers and external programs.
 *
 * Each setData of lastCommit is judged once, in zxid order (creates are initialisation, not commits;
 * a delete starts the node over):
 * - `zombie-write`: the writer's session did not hold the smallest live instance node: it held none
 *   (an expired primary working on under a new session), or a larger one (a standby writing), or no
 *   instance node was live at all;
 * - `commit-regression`: by the holder, lower than the value it replaced;
 * - `lost-update`: by the holder, the same value another session had just written: one id committed
 *   twice by two sessions, so one of the two commits (and the work behind it) was done for nothing.
 * Consecutive findings of one kind by one session (none of its writes in between clean) are one
 * violation, listing every zxid.
 */
import { LabEventTypes, type LabEvent } from '../../shared/events.js'
import { attributeSessions, ownerOf, sessionLabel, type SessionOwners } from '../txnlog/attribution.js'
import { buildTxnHistory, type TaskTxnHistory, type TxnHistory, type TxnWrite } from '../txnlog/history.js'
import { describeGap, type TxnLogRead } from '../txnlog/read-txn-logs.js'
import { zxidHex } from '../txnlog/txn-log-file.js'
import { contextAround } from './context.js'
import { at, commitValue, idList, type JournalModel } from './journal-model.js'
import type { SinkRecord } from '../session-folder/index.js'
import type { Judgement, Violation, ViolationKind } from './types.js'

/** The transaction log read into what the check needs, once per report. */
export interface TxnLogEvidence {
  read: TxnLogRead
  history: TxnHistory
  owners: SessionOwners
}

export function txnLogEvidence(
  read: TxnLogRead,
  model: JournalModel,
  sinks: Record<string, readonly SinkRecord[]> = {},
): TxnLogEvidence {
  const history = buildTxnHistory(read.txns, model.root)
  return { read, history, owners: attributeSessions(model.events, history, sinks) }
}

interface Finding {
  kind: Extract<ViolationKind, 'zombie-write' | 'commit-regression' | 'lost-update'>
  write: TxnWrite
  /** The write it replaced. */
  previous?: TxnWrite
}

export function checkZombieWrites(model: JournalModel, task: string, evidence: TxnLogEvidence): Judgement {
  const history = evidence.history.tasks.get(task) ?? { task, writes: [], instances: [] }
  const commits = history.writes.filter((w) => w.node === 'lastCommit')
  const findings: Finding[] = []
  let previous: TxnWrite | undefined
  let judged = 0
  for (const w of commits) {
    if (w.op === 'delete') {
      previous = undefined
      continue
    }
    if (w.op === 'setData') {
      judged++
      const isHolder = w.holder?.session !== undefined && w.holder.session === w.session
      const value = asId(w.value)
      const before = asId(previous?.value)
      if (!isHolder) findings.push({ kind: 'zombie-write', write: w, previous })
      else if (value !== undefined && before !== undefined && value < before)
        findings.push({ kind: 'commit-regression', write: w, previous })
      else if (
        value !== undefined &&
        value === before &&
        previous!.op === 'setData' &&
        previous!.session !== w.session
      ) {
        findings.push({ kind: 'lost-update', write: w, previous })
      }
    }
    previous = w
  }

  const episodes = groupEpisodes(findings, commits)
  const violations = episodes.map((e) => describe(model, task, history, evidence, e))
  const count = (kind: Finding['kind']) => findings.filter((f) => f.kind === kind).length
  const zombies = count('zombie-write')
  const regressions = count('commit-regression')
  const lost = count('lost-update')
  const sessions = new Set(commits.filter((w) => w.op === 'setData').map((w) => w.session))
  const unattributed = [...sessions].filter((s) => !ownerOf(evidence.owners, s)).length
  const coverage = coverageNote(evidence.read)
  const range = commits.length ? ` (zxid ${zxidHex(commits[0].zxid)}–${zxidHex(commits.at(-1)!.zxid)})` : ''
  const summary =
    violations.length === 0
      ? `${judged} write(s) to lastCommit in ZooKeeper's transaction log${range}, each by the session holding the smallest instance node, never backwards${coverage}`
      : [
          zombies ? `${zombies} zombie write(s) to lastCommit` : '',
          regressions ? `${regressions} regression(s) by the primary` : '',
          lost ? `${lost} lost update(s)` : '',
        ]
          .filter(Boolean)
          .join(', ') + ` among ${judged} write(s) in the transaction log${coverage}`
  return {
    invariant: 'zombie-write',
    task,
    ok: violations.length === 0,
    violations,
    summary,
    stats: {
      writes: judged,
      zombieWrites: zombies,
      regressions,
      lostUpdates: lost,
      sessions: sessions.size,
      unattributedSessions: unattributed,
      txnLogGaps: evidence.read.gaps.length,
    },
  }
}

/** Consecutive findings of one kind by one session, with no clean write of that session in between. */
function groupEpisodes(findings: readonly Finding[], commits: readonly TxnWrite[]): Finding[][] {
  const episodes: Finding[][] = []
  const open = new Map<string, Finding[]>()
  const bySession = new Map<string, TxnWrite[]>()
  for (const w of commits) if (w.op === 'setData') bySession.set(w.session, [...(bySession.get(w.session) ?? []), w])
  for (const f of findings) {
    const key = `${f.kind}|${f.write.session}|${f.kind === 'zombie-write' ? '' : (f.previous?.session ?? '')}`
    const episode = open.get(key)
    const own = bySession.get(f.write.session) ?? []
    const lastOfEpisode = episode?.at(-1)?.write
    // The writer's previous write must be the episode's last: a clean write in between ends it.
    const continues = lastOfEpisode !== undefined && own[own.indexOf(f.write) - 1] === lastOfEpisode
    if (episode && continues) episode.push(f)
    else {
      const fresh = [f]
      episodes.push(fresh)
      open.set(key, fresh)
    }
  }
  return episodes
}

function describe(
  model: JournalModel,
  task: string,
  history: TaskTxnHistory,
  evidence: TxnLogEvidence,
  episode: readonly Finding[],
): Violation {
  const { owners } = evidence
  const first = episode[0]
  const last = episode.at(-1)!
  const w = first.write
  const writer = sessionLabel(owners, w.session)
  const writerWorker = ownerOf(owners, w.session)
  const holderWorker = ownerOf(owners, w.holder?.session)
  const previousWorker = ownerOf(owners, first.previous?.session)
  const zxids = episode.map((f) => zxidHex(f.write.zxid))
  const values = episode.map((f) => f.write.value ?? '')
  const where = `at ${at(model, w.time)} (zxid ${zxids[0]}${w.version === undefined ? '' : `, version ${w.version}`})`
  const more =
    episode.length > 1
      ? ` It did so ${episode.length} times up to ${at(model, last.write.time)} (zxids ${listZxids(zxids)}), writing ${idsOrValues(values)}.`
      : ''
  let message: string
  if (first.kind === 'zombie-write') {
    const primary = w.holder
      ? `the primary was ${w.holder.node} of ${sessionLabel(owners, w.holder.session)}`
      : 'no instance node was live, so nobody was primary'
    message =
      `Zombie write to lastCommit of ${task} ${where}: ${writer} set it to ${w.value ?? '?'}${backwards(first)}, but ${primary}; ` +
      `${heldWhat(history, evidence, w)}.${more}`
  } else if (first.kind === 'commit-regression') {
    message =
      `lastCommit of ${task} went back from ${first.previous?.value} to ${w.value} ${where}: the primary ${writer} wrote it after ` +
      `${sessionLabel(owners, first.previous?.session)} had written ${first.previous?.value} (zxid ${zxidHex(first.previous!.zxid)}).${more}`
  } else {
    message =
      `Lost update on lastCommit of ${task} ${where}: ${writer} committed ${w.value}, which ${sessionLabel(owners, first.previous?.session)} ` +
      `had just committed (zxid ${zxidHex(first.previous!.zxid)}): one id committed by two sessions, so one of them did its work for nothing.${more}`
  }
  const workers = [
    ...new Set(
      [writerWorker, first.kind === 'zombie-write' ? holderWorker : previousWorker].filter((x): x is string => !!x),
    ),
  ]
  const anchor = anchorSeq(model.events, w.time, writerWorker)
  const ids = [...new Set(episode.map((f) => asId(f.write.value)).filter((n): n is number => n !== undefined))]
  const base = `${model.root}/tasks/${task}`
  return {
    invariant: 'zombie-write',
    task,
    kind: first.kind,
    time: w.time,
    ...(episode.length > 1 ? { endTime: last.write.time } : {}),
    ...(anchor !== undefined ? { seq: anchor } : {}),
    message,
    workers,
    ids,
    zxids,
    context: contextAround(model.events, anchor, { workers, paths: [`${base}/lastCommit`, `${base}/instance`] }),
  }
}

/** What the writer held at the write: nothing (and what became of its node), or a node that was not the smallest. */
function heldWhat(history: TaskTxnHistory, evidence: TxnLogEvidence, w: TxnWrite): string {
  if (w.writerNodes.length > 0)
    return `its session held ${w.writerNodes.join(', ')}, not the smallest node: a standby writing`
  const worker = ownerOf(evidence.owners, w.session)
  // The worker's last node before this write, under this session or an earlier one of the same worker.
  const earlier = history.instances.findLast(
    (n) =>
      n.createdZxid < w.zxid &&
      n.session !== undefined &&
      (n.session === w.session || (worker !== undefined && ownerOf(evidence.owners, n.session) === worker)),
  )
  if (!earlier) return 'its session held no instance node of the task'
  const gone =
    earlier.deletedZxid === undefined || earlier.deletedZxid > w.zxid
      ? ''
      : ` ${earlier.name} went away at zxid ${zxidHex(earlier.deletedZxid)} (${
          earlier.deletedBy === 'session-expired'
            ? `session 0x${earlier.session} expired`
            : earlier.deletedBy === 'session-closed'
              ? `session 0x${earlier.session} was closed`
              : 'deleted'
        })`
  const same = earlier.session === w.session
  return same
    ? `its session held no instance node any more:${gone}`
    : `its session held no instance node: it is a new session of a worker whose node${gone || ` ${earlier.name}`}, and it never registered again`
}

function backwards(f: Finding): string {
  const value = asId(f.write.value)
  const before = asId(f.previous?.value)
  return value !== undefined && before !== undefined && value < before ? ` (down from ${before})` : ''
}

/** The journal event nearest after the write: the writer's own, if it said anything then. */
function anchorSeq(events: readonly LabEvent[], time: number, worker: string | undefined): number | undefined {
  let fallback: number | undefined
  for (const e of events) {
    if (e.time < time - 50 || e.type === LabEventTypes.log) continue
    fallback ??= e.seq
    if (!worker || e.source === worker || ('name' in e && e.name === worker)) return e.seq
    if (e.time > time + 2000) break
  }
  return fallback
}

function coverageNote(read: TxnLogRead): string {
  const notes: string[] = []
  if (read.gaps.length)
    notes.push(
      `the log misses zxid ${read.gaps.slice(0, 3).map(describeGap).join(', ')}${read.gaps.length > 3 ? ', …' : ''}`,
    )
  if (read.problems.length) notes.push(`${read.problems.length} unreadable record(s)`)
  return notes.length ? ` (${notes.join('; ')})` : ''
}

function listZxids(zxids: readonly string[]): string {
  return zxids.length <= 6 ? zxids.join(', ') : `${zxids.slice(0, 3).join(', ')}, …, ${zxids.slice(-2).join(', ')}`
}

function idsOrValues(values: readonly string[]): string {
  // GTIDs are named as written: their seqs alone would hide what was committed.
  const integers = values.every((v) => /^\s*-?\d+\s*$/.test(v))
  return integers ? idList(values.map(Number)) : values.slice(0, 6).join(', ')
}

/** A lastCommit value as a position: the counter's integer or a GTID's seq. */
const asId = commitValue
