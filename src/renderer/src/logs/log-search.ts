/** Search over log lines: plain text or a regular expression, case-insensitive unless asked. */
export interface SearchSpec {
  query: string
  regex: boolean
  caseSensitive?: boolean
}

export type Matcher =
  | { kind: 'none' }
  | { kind: 'invalid'; error: string }
  | { kind: 'ok'; test(text: string): boolean; ranges(text: string): Array<[number, number]> }

const MAX_RANGES = 50

export function compileSearch(spec: SearchSpec): Matcher {
  if (spec.query === '') return { kind: 'none' }
  const flags = spec.caseSensitive ? 'g' : 'gi'
  let re: RegExp
  try {
    re = new RegExp(spec.regex ? spec.query : escapeRegExp(spec.query), flags)
  } catch (err) {
    return { kind: 'invalid', error: (err as Error).message.replace(/^Invalid regular expression: /, '') }
  }
  const tester = new RegExp(re.source, flags.replace('g', ''))
  return {
    kind: 'ok',
    test: (text) => tester.test(text),
    ranges(text) {
      const out: Array<[number, number]> = []
      re.lastIndex = 0
      for (let m = re.exec(text); m && out.length < MAX_RANGES; m = re.exec(text)) {
        // An empty match (e.g. /a*/) would loop forever and highlight nothing.
        if (m[0].length === 0) {
          re.lastIndex++
          continue
        }
        out.push([m.index, m.index + m[0].length])
      }
      return out
    },
  }
}

export function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}

/** Splits text into plain and matched pieces for rendering with <mark>. */
export function splitByRanges(text: string, ranges: Array<[number, number]>): Array<{ text: string; match: boolean }> {
  const pieces: Array<{ text: string; match: boolean }> = []
  let at = 0
  for (const [start, end] of ranges) {
    if (start > at) pieces.push({ text: text.slice(at, start), match: false })
    pieces.push({ text: text.slice(start, end), match: true })
    at = end
  }
  if (at < text.length) pieces.push({ text: text.slice(at), match: false })
  return pieces
}
