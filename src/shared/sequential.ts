/**
 * Sequential znodes (`server_2_0000000007`): ZooKeeper appends a 10-digit counter of the parent, so
 * the counter, not the whole name, says which was created first.
 */
export const sequenceOf = (name: string): string => name.slice(-10)

/** Creation order for sequential names (by the counter), name order for the rest and for ties. */
export function bySequence(a: string, b: string): number {
  const sa = /\d{10}$/.test(a) ? sequenceOf(a) : undefined
  const sb = /\d{10}$/.test(b) ? sequenceOf(b) : undefined
  if (sa && sb && sa !== sb) return sa < sb ? -1 : 1
  return a < b ? -1 : a > b ? 1 : 0
}
