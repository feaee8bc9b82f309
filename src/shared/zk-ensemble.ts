/**
 * An ensemble's quorum and the links cut between its servers, now and over a session: what the app's
 * ZooKeeper section, the timeline and the report say about the ensemble. Pure: no Node, no DOM.
 */
import { LabEventTypes, type LabEvent } from './events.js'

/** Modes in which a server answers clients: it is part of a quorum (or alone, standalone). */
const SERVING_MODES = new Set(['leader', 'follower', 'standalone'])

export function isServingMode(mode: string | undefined): boolean {
  return mode !== undefined && SERVING_MODES.has(mode)
}

/** How many servers of an ensemble of `size` make a quorum. */
export function majorityOf(size: number): number {
  return Math.floor(size / 2) + 1
}

/** One lost direction between two servers, by name (`zk-1`), as `zk.links` records it. */
export interface ServerCut {
  from: string
  to: string
}

/**
 * The cuts in words, one line per pair of servers: `zk-2 ✕ zk-1 (both ways)` when neither hears the
 * other, `zk-3 → zk-1 lost (one way)` when only what zk-3 sends is lost. Pairs in the order first cut.
 */
export function summarizeCuts(cuts: readonly ServerCut[]): string[] {
  const lost = new Set(cuts.map((c) => `${c.from}>${c.to}`))
  const seen = new Set<string>()
  const lines: string[] = []
  for (const c of cuts) {
    const pair = [c.from, c.to].sort().join('|')
    if (seen.has(pair)) continue
    seen.add(pair)
    lines.push(lost.has(`${c.to}>${c.from}`) ? `${c.from} ✕ ${c.to} (both ways)` : `${c.from} → ${c.to} lost (one way)`)
  }
  return lines
}

/** A time the links between servers were cut: from a `zk.links` with cuts until the next one. */
export interface LinkCutBand {
  start: number
  /** Open while the cut lasts. */
  end?: number
  /** The shape in words, as the lab recorded it. */
  description: string
  cuts: ServerCut[]
}

/** Something that happened to the ensemble as a whole, drawn as a marker on the timeline. */
export interface EnsembleMark {
  time: number
  kind: 'leader' | 'quorum-lost' | 'quorum-regained'
  /** `leader zk-2 (epoch 3)`, `quorum lost (1/3 serving)`. */
  label: string
  server?: string
  epoch?: number
}

/**
 * Follows the journal one event at a time and derives the ensemble's link cuts, its leaders and when it
 * lost or regained its quorum: a server serves while its latest mode (zk.ready, zk.mode) is leader,
 * follower or standalone and it is neither paused nor ended; the ensemble is every server the lab
 * started. Quorum changes are judged for ensembles only (3 servers or more), and not once the session
 * closes (its teardown stops every server on purpose).
 */
export class EnsembleTimeline {
  readonly bands: LinkCutBand[] = []
  readonly marks: EnsembleMark[] = []
  private readonly modes = new Map<string, string | undefined>()
  private readonly paused = new Set<string>()
  private quorum?: boolean
  private closing = false

  /** Applies one event; returns whether bands or marks changed. */
  apply(e: LabEvent): boolean {
    switch (e.type) {
      case LabEventTypes.sessionClosing:
        this.closing = true
        return false
      case LabEventTypes.zkStarting:
      case LabEventTypes.zkStopped:
      case LabEventTypes.zkFailed:
        this.modes.set(e.name, undefined)
        this.paused.delete(e.name)
        return this.judgeQuorum(e.time)
      case LabEventTypes.zkReady:
      case LabEventTypes.zkMode: {
        this.modes.set(e.name, e.mode)
        const epoch = 'epoch' in e ? e.epoch : undefined
        let changed = false
        if (e.mode === 'leader' && !this.closing) {
          this.marks.push({
            time: e.time,
            kind: 'leader',
            label: `leader ${e.name}${epoch !== undefined ? ` (epoch ${epoch})` : ''}`,
            server: e.name,
            ...(epoch !== undefined ? { epoch } : {}),
          })
          changed = true
        }
        return this.judgeQuorum(e.time) || changed
      }
      case LabEventTypes.processAction:
        if (!this.modes.has(e.name) || (e.action !== 'pause' && e.action !== 'resume')) return false
        if (e.action === 'pause') this.paused.add(e.name)
        else this.paused.delete(e.name)
        return this.judgeQuorum(e.time)
      case LabEventTypes.zkLinks: {
        const open = this.bands.at(-1)
        let changed = false
        if (open && open.end === undefined) {
          open.end = e.time
          changed = true
        }
        if (e.cuts.length > 0) {
          this.bands.push({ start: e.time, description: e.description, cuts: e.cuts.map((c) => ({ ...c })) })
          changed = true
        }
        return changed
      }
      default:
        return false
    }
  }

  applyAll(events: Iterable<LabEvent>): this {
    for (const e of events) this.apply(e)
    return this
  }

  private judgeQuorum(time: number): boolean {
    const size = this.modes.size
    if (size < 3 || this.closing) return false
    const serving = [...this.modes].filter(([name, mode]) => isServingMode(mode) && !this.paused.has(name)).length
    const now = serving >= majorityOf(size)
    const before = this.quorum
    // The first quorum of a session is the ensemble forming, not a recovery.
    if (before === undefined && !now) return false
    this.quorum = now
    if (before === undefined || before === now) return false
    this.marks.push({
      time,
      kind: now ? 'quorum-regained' : 'quorum-lost',
      label: `quorum ${now ? 'regained' : 'lost'} (${serving}/${size} serving)`,
    })
    return true
  }
}
