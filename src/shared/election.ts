/**
 * A task's election as the lab reads it, whatever the program: where it is held (relative to the
 * task's node) and how its children are ordered. The primary is the owner of the first child. One
 * definition for the live roles (external-roles), the checker's model and the report's sessions.
 */
import { DEFAULT_ELECTION_PATH, type ElectionSettings } from './worker-launch/index.js'

/** Where a task's election is held and how its children are ordered. */
export interface Election {
  /** Relative to the task's node. */
  path: string
  /** The child's order key, or undefined for a child that takes no part in the election. */
  key: (name: string) => number | string | undefined
}

const SEQUENCE_SUFFIX = /(\d{10})$/

/**
 * The election of a task's workers: their `election` settings (defaults: `instance`, the sequence
 * suffix). A custom order's first group orders the children, numerically when it is all digits.
 */
export function electionOf(settings: Partial<ElectionSettings> | undefined): Election {
  const order = settings?.order ? new RegExp(settings.order) : SEQUENCE_SUFFIX
  return {
    path: settings?.path ?? DEFAULT_ELECTION_PATH,
    key: (name) => {
      const group = order.exec(name)?.[1]
      if (group === undefined) return undefined
      return /^\d+$/.test(group) ? Number(group) : group
    },
  }
}

/** Children in election order (the primary's first); ties by name. */
export function electionOrder(election: Election, names: Iterable<string>): string[] {
  const keyed = [...names].flatMap((name) => {
    const key = election.key(name)
    return key === undefined ? [] : [{ name, key }]
  })
  return keyed
    .sort((a, b) => compareKeys(a.key, b.key) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .map((k) => k.name)
}

function compareKeys(a: number | string, b: number | string): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b
  const sa = String(a)
  const sb = String(b)
  return sa < sb ? -1 : sa > sb ? 1 : 0
}
