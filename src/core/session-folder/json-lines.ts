import { existsSync, readFileSync } from 'node:fs'

/**
 * A file of one JSON value a line, each handed to `take`, which says whether it was what the file
 * should hold. Returns how many lines were not (not JSON, a torn last write, or refused by `take`);
 * blank lines are skipped; a missing file has none.
 */
export function readJsonLines(path: string, take: (value: unknown) => boolean): number {
  if (!existsSync(path)) return 0
  let unreadable = 0
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (!line.trim()) continue
    let value: unknown
    try {
      value = JSON.parse(line)
    } catch {
      unreadable++
      continue
    }
    if (!take(value)) unreadable++
  }
  return unreadable
}
