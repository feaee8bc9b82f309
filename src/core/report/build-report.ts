/**
 * The report model: a session folder's journal, sinks and session.json in, report.json's content out.
 * Pure (the clock comes in as `generatedAt`), so the same folder always gives the same report. The
 * verdicts and failovers are the checker's own (`checkSession`), not a re-derivation.
 */
import { basename } from 'node:path'
import { LabEventTypes, WorkerEventTypes, type LabEvent } from '../../shared/events.js'
import { replay } from '../../shared/lab-state.js'
import { settingsOfSpawned } from '../../shared/worker-launch/index.js'
import { checkSession } from '../checker/check-session.js'
import { buildModel } from '../checker/journal-model.js'
import type { SinkRecord } from '../session-folder/index.js'
import { collectAlerts } from './alerts.js'
import { faultLogWindows } from './fault-logs.js'
import { collectFaults } from './faults.js'
import { finalTree } from './final-tree.js'
import type { SessionFolder } from './read-session-folder.js'
import { collectSessions } from './sessions.js'
import { buildTimeline, byWorkerNumber } from './timeline.js'
import { zookeeperView } from './zookeeper-view.js'
import {
  REPORT_SCHEMA_VERSION,
  type ReportFailover,
  type ReportIntegrity,
  type ReportNemesis,
  type ReportSink,
  type ReportSummary,
  type ReportVerdict,
  type SessionReport,
} from './types.js'

export interface BuildReportOptions {
  generatedAt?: Date
  /** The lab's version, for `generator`. */
  labVersion?: string
}

export function buildReport(folder: SessionFolder, options: BuildReportOptions = {}): SessionReport {
  const { events, sinks } = folder
  const check = checkSession({
    events,
    sinks,
    txnLog: folder.txnLog,
    backups: folder.backups,
    sourceHistory: folder.sourceHistory,
    sourceHistoryError: folder.sourceHistoryError,
  })
  const model = buildModel(events, sinks)
  const state = replay(events)
  const closed = events.findLast((e) => e.type === LabEventTypes.sessionClosed)
  const closing = events.some((e) => e.type === LabEventTypes.sessionClosing)
  const startMs = check.sessionStart
  const lastTime = events.reduce((max, e) => Math.max(max, e.time), startMs)
  const endMs = closed ? Math.max(closed.time, startMs) : lastTime

  const verdicts: ReportVerdict[] = check.verdicts.map((v) => ({
    invariant: v.invariant,
    task: v.task,
    state: v.state,
    ok: v.ok,
    reason: v.reason ?? null,
    summary: v.summary,
    stats: v.stats ?? {},
    ...(v.position ? { position: v.position } : {}),
    ...(v.lagSeries ? { lagSeries: v.lagSeries } : {}),
    violations: v.violations.map((x) => ({
      kind: x.kind,
      message: x.message,
      time: x.time,
      endTime: x.endTime ?? null,
      seq: x.seq ?? null,
      workers: x.workers ?? [],
      ids: x.ids ?? [],
      context: x.context,
    })),
  }))

  const failovers: ReportFailover[] = check.failovers.map((f, i) => ({
    index: i + 1,
    task: f.task,
    fault: f.fault,
    from: f.from,
    fromNode: f.fromNode,
    to: f.to,
    faultTime: f.faultTime,
    faultSeq: f.faultSeq,
    steps: f.steps,
    sessionEnd: f.sessionEnd,
    gapMs: f.steps.firstCommit,
    lastCommitBefore: f.lastCommitBefore,
    firstCommitId: f.firstCommitId,
    continued:
      f.firstCommitId === null || f.lastCommitBefore === null ? null : f.firstCommitId === f.lastCommitBefore + 1,
    ...(f.server ? { server: f.server } : {}),
    ...(f.herd ? { herd: f.herd } : {}),
  }))

  const taskOf = (name: string) => model.workers.get(name)?.task || null
  const faults = collectFaults(events, model.teardownAt, check.failovers, taskOf)
  const lastEvent = events.at(-1)
  const integrity: ReportIntegrity = {
    closedCleanly: closed !== undefined,
    ending: closed ? 'closed' : closing ? 'cut-off-while-closing' : 'cut-off',
    events: events.length,
    lastEvent: lastEvent
      ? { seq: lastEvent.seq, time: lastEvent.time, source: lastEvent.source, type: lastEvent.type }
      : null,
    runningAtEnd: Object.values(state.processes)
      .filter((p) => p.status === 'running' || p.status === 'paused')
      .map((p) => p.name)
      .sort(byWorkerNumber),
    journalProblems: folder.journalIssues,
    sinkProblems: folder.sinkIssues,
    sessionFileProblem: folder.sessionFileProblem,
  }

  const view = zookeeperView(events)
  return {
    schemaVersion: REPORT_SCHEMA_VERSION,
    generator: { name: 'zklab', version: options.labVersion ?? '0.0.0' },
    generatedAt: (options.generatedAt ?? new Date()).toISOString(),
    sessionDir: folder.dir,
    summary: summarize(folder, events, state, check.ok, check.tasks, model, startMs, endMs),
    integrity,
    check: { ok: check.ok, tasks: check.tasks, verdicts },
    failovers,
    faults,
    alerts: collectAlerts(events),
    steps: events
      .filter((e) => e.type === LabEventTypes.scenarioStep)
      .map((e) => ({ seq: e.seq, time: e.time, path: e.path, step: e.step })),
    nemesis: collectNemesis(events),
    timeline: buildTimeline(model, events, verdicts, startMs, endMs),
    faultLogs: faultLogWindows(events, faults),
    sinks: Object.entries(sinks)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([task, records]) => sinkSummary(task, records, folder.sinkIssues.filter((i) => i.task === task).length)),
    tree: finalTree(events, state),
    sessions: collectSessions(model.events, model),
    ...(view ? { zookeeperView: view } : {}),
  }
}

/** Each nemesis schedule with what its faults hit, by the journal's nemesis.schedule and nemesis.fault. */
function collectNemesis(events: readonly LabEvent[]): ReportNemesis[] {
  const made = events.filter((e) => e.type === LabEventTypes.nemesisFault)
  return events
    .filter((e) => e.type === LabEventTypes.nemesisSchedule)
    .map((s) => ({
      path: s.path,
      task: s.task,
      seed: s.seed,
      stepSeed: s.stepSeed,
      forMs: s.forMs,
      faults: s.picks.map((p) => {
        const done = made.find((m) => m.path === s.path && m.index === p.index && m.seq > s.seq)
        return {
          index: p.index,
          atMs: p.atMs,
          kind: p.kind,
          target: p.target,
          durationMs: p.durationMs,
          time: done?.time ?? null,
          hit: done?.hit ?? null,
          skipped: done?.skipped ?? null,
        }
      }),
    }))
}

function summarize(
  folder: SessionFolder,
  events: readonly LabEvent[],
  state: ReturnType<typeof replay>,
  ok: boolean,
  taskNames: string[],
  model: ReturnType<typeof buildModel>,
  startMs: number,
  endMs: number,
): ReportSummary {
  const file = folder.sessionFile ?? {}
  const zk = record(file.zookeeper)
  const created = events.find((e) => e.type === LabEventTypes.sessionCreated)
  const ready = events.find((e) => e.type === LabEventTypes.zkReady)
  const result = record(file.result)
  const versions = record(file.versions)

  // Strategy per worker: its spawn labels, else its own worker.started.
  const strategyOf = new Map<string, string>()
  for (const e of events) {
    const labelled = e.type === LabEventTypes.processSpawned ? e.labels?.strategy : undefined
    if (e.type === LabEventTypes.processSpawned && typeof labelled === 'string') strategyOf.set(e.name, labelled)
    if (e.type === WorkerEventTypes.started && !strategyOf.has(e.source)) strategyOf.set(e.source, e.strategy)
  }
  const workerNames = [...model.workers.keys()].sort(byWorkerNumber)
  const tasks = taskNames.map((name) => {
    const workers = workerNames.filter((w) => model.workers.get(w)?.task === name)
    return {
      name,
      workers,
      strategies: unique(workers.map((w) => strategyOf.get(w)).filter((s): s is string => !!s)),
      commitIntervalMs: commitIntervalOf(events, workers),
    }
  })
  const java = record(zk.java)
  return {
    name: str(file.name) ?? str(created?.name) ?? basename(folder.dir),
    scenario: str(file.scenario),
    strategies: unique(workerNames.map((w) => strategyOf.get(w)).filter((s): s is string => !!s)),
    zookeeper: {
      version:
        str(record(zk.zookeeper).version) ??
        str(ready?.version) ??
        state.zookeeper.servers.find((s) => s.version)?.version ??
        null,
      mode: str(zk.mode) ?? str(zk.kind) ?? str(ready?.mode) ?? null,
      connectString: str(zk.connectString) ?? state.zookeeper.connectString ?? null,
      tickTimeMs: typeof zk.tickTimeMs === 'number' ? zk.tickTimeMs : null,
      servers: state.zookeeper.servers.map((s) => ({
        id: s.id,
        name: s.name,
        port: s.port ?? null,
        mode: s.mode ?? null,
      })),
      java: str(java.version),
    },
    tasks,
    workerCount: workerNames.length,
    start: new Date(startMs).toISOString(),
    startMs,
    end: new Date(endMs).toISOString(),
    endMs,
    durationMs: endMs - startMs,
    ok,
    run:
      file.result === undefined
        ? null
        : {
            ok: result.ok === true,
            exitCode: typeof result.exitCode === 'number' ? result.exitCode : null,
            error: str(result.error),
          },
    seed: seedOf(events),
    versions: { lab: str(versions.lab), node: str(versions.node), platform: str(versions.platform) },
  }
}

/** The run's seed, as scenario.started recorded it; null for a session without one. */
function seedOf(events: readonly LabEvent[]): number | null {
  const started = events.find((e) => e.type === LabEventTypes.scenarioStarted)
  return started?.type === LabEventTypes.scenarioStarted && typeof started.seed === 'number' ? started.seed : null
}

/** The commit interval the task's first worker was launched with (recorded, or decoded from an older session's command line). */
function commitIntervalOf(events: readonly LabEvent[], workers: readonly string[]): number | null {
  for (const e of events) {
    if (e.type !== LabEventTypes.processSpawned || !workers.includes(e.name)) continue
    const settings = settingsOfSpawned(e)
    if (settings?.program === 'task-worker' || settings?.program === 'external') return settings.commitIntervalMs
  }
  return null
}

function sinkSummary(task: string, records: readonly SinkRecord[], unreadable: number): ReportSink {
  const byId = new Map<number, Array<number | string>>()
  for (const r of records) byId.set(r.id, [...(byId.get(r.id) ?? []), r.worker])
  const last = records.reduce((max, r) => Math.max(max, r.id), 0)
  const missing: number[] = []
  for (let id = 1; id <= last; id++) if (!byId.has(id)) missing.push(id)
  const duplicates = [...byId].filter(([, w]) => w.length > 1).map(([id, workers]) => ({ id, workers }))
  return { task, records: records.length, last, missing, duplicates, unreadable }
}

function record(value: unknown): Record<string, unknown> {
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {}
}

function str(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : null
}

function unique<T>(values: T[]): T[] {
  return [...new Set(values)]
}
