/**
 * Every fault the lab fired (process actions and network faults), recovery actions included, in
 * journal order. The lab's own stop-all when it closes a session is teardown, not a fault.
 */
import { LabEventTypes, type LabEvent } from '../../shared/events.js'
import { describeNetworkFault, HARMFUL_NETWORK_FAULTS } from '../../shared/network-faults.js'
import type { FailoverBreakdown } from '../checker/types.js'
import type { ReportFault } from './types.js'

const PROCESS_FAULTS = new Set(['kill', 'stop', 'pause', 'resume', 'restart'])
const RECOVERY = /^(resume|restart|heal|clear|restore)/
/** Faults that last until a recovery action on the same target. */
const LASTING: Record<string, RegExp> = {
  pause: /^resume$/,
  ...Object.fromEntries(HARMFUL_NETWORK_FAULTS.filter((f) => f !== 'reset').map((f) => [f, /^heal$/])),
}

export function collectFaults(
  events: readonly LabEvent[],
  teardownAt: number | undefined,
  failovers: readonly FailoverBreakdown[],
  taskOf: (name: string) => string | null,
): ReportFault[] {
  const hit = new Set(failovers.map((f) => f.faultSeq))
  const faults: ReportFault[] = []
  for (const e of events) {
    if (teardownAt !== undefined && e.time >= teardownAt) break
    let kind: string | undefined
    let target: string | undefined
    let detail: string | undefined
    if (e.type === LabEventTypes.processAction && PROCESS_FAULTS.has(e.action)) {
      kind = e.action
      target = e.name
    } else if (e.type === LabEventTypes.networkFault) {
      kind = e.fault
      target = e.name
      const described = describeNetworkFault(e)
      if (described !== kind) detail = described
    }
    if (!kind || !target) continue
    faults.push({
      index: faults.length + 1,
      seq: e.seq,
      time: e.time,
      kind,
      ...(detail ? { detail } : {}),
      target,
      task: taskOf(target),
      recovery: RECOVERY.test(kind),
      hitPrimary: hit.has(e.seq),
    })
  }
  return faults
}

/** The action that ended a lasting fault (the resume after a pause, the heal after a partition). */
export function recoveryOf(fault: ReportFault, faults: readonly ReportFault[]): ReportFault | undefined {
  const ends = LASTING[fault.kind]
  if (!ends) return undefined
  return faults.find((f) => f.seq > fault.seq && f.target === fault.target && ends.test(f.kind))
}
