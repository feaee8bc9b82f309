/**
 * Partitions between the servers of an ensemble: the named shapes a scenario, the CLI and the app
 * ask for, and the cut directions each one means. Pure, so every shell resolves a shape the same way.
 */
import { z } from 'zod'
import type { ZkServerView } from './lab-state.js'
import { pickServer } from './targets.js'

/** A server of the ensemble: `zk-N`, the current leader, or a follower. */
export const ServerTarget = z.union([
  z.enum(['zk-leader', 'zk-follower']),
  z.string().regex(/^zk-\d+$/, 'a server like zk-1, zk-leader or zk-follower'),
])
export type ServerTarget = z.infer<typeof ServerTarget>

/**
 * - `isolate`: `server` hears no other server and no other hears it.
 * - `halves`: a minority (`server` and the servers after it in myid order; `server` drawn at random
 *   when absent) and a majority.
 * - `ring`: each server hears only its two neighbours (5 servers: each still sees a majority, no two
 *   the same one).
 * - `one-way`: what `from` sends to `to` (a server, or `others`) is lost; the other way flows.
 */
export const ServerPartitionShape = z.enum(['isolate', 'halves', 'ring', 'one-way'])
export type ServerPartitionShape = z.infer<typeof ServerPartitionShape>

export const ServerPartitionSpec = z
  .object({
    shape: ServerPartitionShape,
    server: ServerTarget.optional(),
    from: ServerTarget.optional(),
    to: z.union([z.literal('others'), ServerTarget]).optional(),
  })
  .strict()
  .superRefine((spec, ctx) => {
    if (spec.shape === 'isolate' && !spec.server)
      ctx.addIssue({
        code: 'custom',
        path: ['server'],
        message: 'isolate needs the server to cut off (zk-N, zk-leader)',
      })
    if (spec.shape === 'one-way' && (!spec.from || !spec.to))
      ctx.addIssue({
        code: 'custom',
        path: [spec.from ? 'to' : 'from'],
        message: 'one-way needs from (the server whose messages are lost) and to (a server, or others)',
      })
  })
export type ServerPartitionSpec = z.infer<typeof ServerPartitionSpec>

/** One lost direction between two servers, by myid. */
export interface CutDirection {
  from: number
  to: number
}

/** A shape resolved against the ensemble as it is now. */
export interface ResolvedServerPartition {
  cuts: CutDirection[]
  /** In words, with the servers it hit: `zk-2 (leader) cut off from zk-1, zk-3`. */
  description: string
}

/**
 * The directions a shape cuts, for the servers the lab runs now (the leader and followers as `srvr`
 * last reported them). Throws with what is wrong when the shape does not fit the ensemble.
 */
export function resolveServerPartition(
  spec: ServerPartitionSpec,
  servers: ZkServerView[],
  random: () => number = Math.random,
): ResolvedServerPartition {
  const ids = servers.map((s) => s.id).sort((a, b) => a - b)
  if (ids.length < 3)
    throw new Error('Partitions between servers need an ensemble (3 or 5 servers); this lab runs one server.')
  const state = { zookeeper: { servers } }
  const pick = (target: ServerTarget): ZkServerView => {
    const server = pickServer(state as Parameters<typeof pickServer>[0], target)
    if (!server) throw new Error(`No server is ${target} right now (${describeModes(servers)}).`)
    return server
  }
  const both = (group: number[], rest: number[]): CutDirection[] =>
    group.flatMap((a) =>
      rest.flatMap((b) => [
        { from: a, to: b },
        { from: b, to: a },
      ]),
    )
  const label = (s: ZkServerView) => (s.mode === 'leader' || s.mode === 'follower' ? `${s.name} (${s.mode})` : s.name)
  const names = (list: number[]) => list.map((id) => `zk-${id}`).join(', ')

  switch (spec.shape) {
    case 'isolate': {
      const server = pick(spec.server!)
      const rest = ids.filter((id) => id !== server.id)
      return { cuts: both([server.id], rest), description: `${label(server)} cut off from ${names(rest)}` }
    }
    case 'halves': {
      const minoritySize = ids.length - (Math.floor(ids.length / 2) + 1)
      // Only the first member is chosen (or drawn); the rest follow it in myid order, so a seeded
      // draw of one server replays the same split.
      const first = spec.server ? pick(spec.server).id : ids[Math.floor(random() * ids.length)]
      const at = ids.indexOf(first)
      const minority = Array.from({ length: minoritySize }, (_, k) => ids[(at + k) % ids.length]).sort((a, b) => a - b)
      const majority = ids.filter((id) => !minority.includes(id))
      return {
        cuts: both(minority, majority),
        description: `minority ${names(minority)} split from majority ${names(majority)}`,
      }
    }
    case 'ring': {
      if (ids.length < 5)
        throw new Error(
          `A ring needs 5 servers: with ${ids.length} every server is already its neighbours' neighbour, so nothing would be cut.`,
        )
      const n = ids.length
      const cuts: CutDirection[] = []
      for (let i = 0; i < n; i++) {
        for (let j = i + 1; j < n; j++) {
          const distance = Math.min(j - i, n - (j - i))
          if (distance > 1) cuts.push({ from: ids[i], to: ids[j] }, { from: ids[j], to: ids[i] })
        }
      }
      return { cuts, description: `ring ${names(ids)}: each server hears its two neighbours only` }
    }
    case 'one-way': {
      const from = pick(spec.from!)
      const to = spec.to === 'others' ? ids.filter((id) => id !== from.id) : [pick(spec.to!).id]
      if (to.includes(from.id)) throw new Error(`one-way: from and to are the same server (${from.name}).`)
      return {
        cuts: to.map((id) => ({ from: from.id, to: id })),
        description: `what ${label(from)} sends to ${names(to)} is lost; the other way flows`,
      }
    }
  }
}

function describeModes(servers: ZkServerView[]): string {
  return servers.map((s) => `${s.name}: ${s.state}${s.mode ? ` ${s.mode}` : ''}`).join(', ')
}
