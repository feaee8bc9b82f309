/**
 * A worker's link condition, after Toxiproxy's model: a set of toxics, each on one stream (up is
 * worker → ZooKeeper, down is ZooKeeper → worker) and each affecting a given connection with its
 * toxicity's probability. A fault adds a toxic (replacing one of the same kind on the same stream);
 * heal clears them all.
 */
import type { FaultDirection, NetworkFaultInput } from '../../shared/api.js'

export type Stream = 'up' | 'down'

export type Toxic =
  /** A blackhole: the stream's bytes are held back, and no new connection gets through. */
  | { kind: 'partition' }
  | { kind: 'latency'; latencyMs: number; jitterMs: number }
  /** Each chunk is, with this probability, held for a retransmission timeout (see TcpProxy). */
  | { kind: 'loss'; probability: number }
  | { kind: 'bandwidth'; bytesPerSecond: number }
  | { kind: 'slicer'; sliceBytes: number; sliceDelayMs: number }
  /** When one side closes, the other is closed this much later. */
  | { kind: 'slow-close'; delayMs: number }

export type ToxicKind = Toxic['kind']

/** A toxic in force on a proxy; `id` is new each time one is put in force, so connections decide afresh. */
export type ActiveToxic = Toxic & { stream: Stream; toxicity: number; id: number }

/** What a link is suffering now; no toxics is a healthy link. */
export interface NetworkCondition {
  toxics: ActiveToxic[]
}

/** A fault as the network thread receives it: the API's input without the worker's name. */
export type NetworkFaultSpec = Omit<NetworkFaultInput, 'name'>

/** The streams a direction names. */
export function streamsOf(direction: FaultDirection = 'both'): Stream[] {
  return direction === 'upstream' ? ['up'] : direction === 'downstream' ? ['down'] : ['up', 'down']
}

/** The toxic a fault puts in force, or undefined for heal and reset (actions, not conditions). */
export function toxicOf(spec: NetworkFaultSpec): Toxic | undefined {
  switch (spec.fault) {
    case 'partition':
      return { kind: 'partition' }
    case 'slow':
      return { kind: 'latency', latencyMs: spec.latencyMs ?? 0, jitterMs: spec.jitterMs ?? 0 }
    case 'loss':
      return { kind: 'loss', probability: spec.probability ?? 0 }
    case 'bandwidth':
      return { kind: 'bandwidth', bytesPerSecond: spec.bytesPerSecond ?? 1 }
    case 'slicer':
      return { kind: 'slicer', sliceBytes: spec.sliceBytes ?? 1, sliceDelayMs: spec.sliceDelayMs ?? 0 }
    case 'slow-close':
      return { kind: 'slow-close', delayMs: spec.delayMs ?? 0 }
    default:
      return undefined
  }
}

/**
 * mulberry32, a small well-known 32-bit generator: enough for loss and toxicity draws, and the same
 * seed gives the same draws, so a seeded fault replays.
 */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** A seed for the i-th proxy of a network, so each server's link draws its own sequence. */
export function proxySeed(seed: number, index: number): number {
  return (seed + Math.imul(index, 0x9e3779b9)) >>> 0
}
