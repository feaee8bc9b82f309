/**
 * A task's leadership as a mutex: each worker acquires it when it becomes primary and releases it when
 * it stops being one, as the journal tells it (the workers' own `worker.role`, or for external programs
 * the roles the lab derived from the election, `external.role`).
 * - acquire: invoked when the worker entered the election (`worker.registered`), `ok` when it became primary;
 *   the recipe's `worker.resumed` after a `worker.suspended` acquires again.
 * - release: `ok` when it stepped down (a role other than primary) or suspended its work; on exit,
 *   `ok` at its `worker.exiting` when it closed its session (its node went with it), else invoked there
 *   and `info` at the exit (the node lives until the session expires), as when it dies without a word.
 * A pause is not a release: a paused primary still believes it leads, which is what split brain is.
 */
import { isEvent, LabEventTypes, WorkerEventTypes, type LabEvent } from '../../shared/events.js'
import type { Operation } from './operations.js'
import { taskWorkers } from './task-workers.js'

type State =
  { kind: 'idle'; registeredAt?: number } | { kind: 'held' } | { kind: 'suspended' } | { kind: 'exiting'; at: number }

export function mutexOperations(events: readonly LabEvent[], task: string): Operation[] {
  const workers = taskWorkers(events, task)
  const ops: Operation[] = []
  const states = new Map<string, State>()
  const op = (
    actor: string,
    f: 'acquire' | 'release',
    invokedAt: number,
    completedAt: number,
    outcome: Operation['outcome'],
  ) => ops.push({ actor, actorId: workers.get(actor)?.id, f, invokedAt, completedAt, outcome })

  for (const e of events) {
    const fromWorker = workers.has(e.source) ? e.source : undefined
    const aboutWorker = e.source === 'lab' && 'name' in e && workers.has(e.name) ? e.name : undefined
    const actor = fromWorker ?? aboutWorker
    if (!actor) continue
    const state: State = states.get(actor) ?? { kind: 'idle' }
    const holding = state.kind === 'held' || state.kind === 'exiting'
    const set = (s: State) => states.set(actor, s)
    let role: string | undefined
    if (fromWorker && isEvent(e, WorkerEventTypes.role)) role = e.role
    if (aboutWorker && isEvent(e, LabEventTypes.externalRole)) role = e.role

    if (fromWorker && isEvent(e, WorkerEventTypes.registered)) {
      if (state.kind === 'idle') set({ kind: 'idle', registeredAt: e.time })
    } else if (role === 'primary') {
      if (state.kind === 'idle') {
        op(actor, 'acquire', state.registeredAt ?? e.time, e.time, 'ok')
        set({ kind: 'held' })
      }
    } else if (role !== undefined) {
      if (holding) op(actor, 'release', e.time, e.time, 'ok')
      if (holding || state.kind === 'suspended') set({ kind: 'idle' })
    } else if (fromWorker && isEvent(e, WorkerEventTypes.suspended)) {
      if (state.kind === 'held') {
        op(actor, 'release', e.time, e.time, 'ok')
        set({ kind: 'suspended' })
      }
    } else if (fromWorker && isEvent(e, WorkerEventTypes.resumed)) {
      if (state.kind === 'suspended') {
        op(actor, 'acquire', e.time, e.time, 'ok')
        set({ kind: 'held' })
      }
    } else if (fromWorker && isEvent(e, WorkerEventTypes.exiting)) {
      // A closed session took its node with it: released. Otherwise the node lives until the session expires.
      if (state.kind === 'held' && e.sessionClosed) {
        op(actor, 'release', e.time, e.time, 'ok')
        set({ kind: 'idle' })
      } else if (state.kind === 'held') set({ kind: 'exiting', at: e.time })
    } else if (aboutWorker && isEvent(e, LabEventTypes.processExited, LabEventTypes.processSpawned)) {
      // A respawn without an exit on record: the previous incarnation's fate is unknown.
      if (state.kind === 'exiting') op(actor, 'release', state.at, e.time, 'info')
      else if (state.kind === 'held') op(actor, 'release', e.time, e.time, 'info')
      set({ kind: 'idle' })
    }
  }
  return ops
}
