/**
 * The lab's JSON files as a test reads them: session.json, report.json, a journal, a sink. The type
 * argument is the test's claim about the shape; the assertions that follow are what check it.
 */
import { readFileSync } from 'node:fs'

export function readJsonFile<T>(path: string | URL): T {
  return JSON.parse(readFileSync(path, 'utf8')) as T
}

/** A JSON-lines file (events.jsonl, a sink): one value a line; the empty line after the last is skipped. */
export function readJsonLines<T>(path: string): T[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as T)
}
