/**
 * Network faults as the journal records them and people read them: the fields of each kind, and a
 * short label ("loss 20 % ↑", "partition ↓") for reports, the timeline and the app.
 */
import type { NetworkFault, NetworkFaultInput } from './api.js'
import type { NetworkFaultApplied } from './events/lab-events.js'

/** Network faults that can cost a primary its role (all but heal): drawn and counted as faults. */
export const HARMFUL_NETWORK_FAULTS: readonly NetworkFault[] = [
  'partition',
  'slow',
  'reset',
  'loss',
  'bandwidth',
  'slicer',
  'slow-close',
]

/** The parameters each kind of fault keeps (direction, toxicity and seed go with every lasting one). */
const FIELDS: Record<NetworkFault, Array<keyof NetworkFaultApplied>> = {
  partition: [],
  heal: [],
  reset: [],
  slow: ['latencyMs', 'jitterMs'],
  loss: ['probability'],
  bandwidth: ['bytesPerSecond'],
  slicer: ['sliceBytes', 'sliceDelayMs'],
  'slow-close': ['delayMs'],
}

/** What the journal keeps of a fault: its kind's own fields, with defaults filled in; `both` and a toxicity of 1 are left out. */
export function networkFaultRecord(input: NetworkFaultInput): NetworkFaultApplied {
  const { name, fault } = input
  const record: NetworkFaultApplied = { name, fault }
  if (fault === 'heal' || fault === 'reset') return record
  const filled: Partial<NetworkFaultApplied> = {
    ...input,
    ...(fault === 'slow' ? { jitterMs: input.jitterMs ?? 0 } : {}),
    ...(fault === 'slicer' ? { sliceDelayMs: input.sliceDelayMs ?? 0 } : {}),
  }
  for (const key of FIELDS[fault]) if (filled[key] !== undefined) Object.assign(record, { [key]: filled[key] })
  if (input.direction && input.direction !== 'both') record.direction = input.direction
  if (input.toxicity !== undefined && input.toxicity < 1) record.toxicity = input.toxicity
  if (input.seed !== undefined) record.seed = input.seed
  return record
}

const ARROW = { upstream: ' ↑', downstream: ' ↓', both: '' } as const

/** A short label: the kind, its numbers, ↑ for worker → ZooKeeper only, ↓ for ZooKeeper → worker only. */
export function describeNetworkFault(e: Omit<NetworkFaultApplied, 'name'>): string {
  const parts: string[] = [e.fault]
  if (e.fault === 'slow') parts.push(`+${e.latencyMs ?? '?'}${e.jitterMs ? `±${e.jitterMs}` : ''} ms`)
  if (e.fault === 'loss') parts.push(`${percent(e.probability)}`)
  if (e.fault === 'bandwidth') parts.push(rate(e.bytesPerSecond))
  if (e.fault === 'slicer') parts.push(`${e.sliceBytes ?? '?'} B / ${e.sliceDelayMs ?? 0} ms`)
  if (e.fault === 'slow-close') parts.push(`${e.delayMs ?? '?'} ms`)
  const toxicity = e.toxicity !== undefined && e.toxicity < 1 ? ` (${percent(e.toxicity)} of connections)` : ''
  return `${parts.join(' ')}${ARROW[e.direction ?? 'both']}${toxicity}`
}

function percent(p: number | undefined): string {
  return p === undefined ? '?' : `${Math.round(p * 1000) / 10} %`
}

function rate(bytesPerSecond: number | undefined): string {
  if (bytesPerSecond === undefined) return '?'
  if (bytesPerSecond >= 1_000_000) return `${Math.round(bytesPerSecond / 100_000) / 10} MB/s`
  if (bytesPerSecond >= 1000) return `${Math.round(bytesPerSecond / 100) / 10} kB/s`
  return `${bytesPerSecond} B/s`
}
