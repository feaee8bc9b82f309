/** The bench's command line: `npm run bench -- [--quick] [--external "<command>"] [--only a,b] [--reps N] [--out file] [--keep]`. */
import type { ExternalWorker } from '../../src/shared/api.js'

export const SECTIONS = ['failover', 'herd', 'logs', 'scale'] as const
export type Section = (typeof SECTIONS)[number]

export interface BenchArgs {
  quick: boolean
  external?: ExternalWorker
  externalText?: string
  only: Section[]
  reps?: number
  /** Lines per second per worker for the log pipeline, instead of the defaults. */
  logRates?: number[]
  out: string
  keep: boolean
}

export const USAGE = `usage: npm run bench -- [options]
  --quick               a short run (< 5 min): 3 repetitions per failover cell, 3 and 10 standbys, one log rate, 10 and 20 workers
  --external "<cmd>"    also run the failover faults against this worker command; placeholders {connect} {task}
                        {taskPath} {workerId} {sessionTimeoutMs} {commitIntervalMs} {sink} {root} are filled in
  --only <list>         some of: ${SECTIONS.join(',')}
  --reps <n>            repetitions per failover cell (default 20, or 3 with --quick)
  --log-rates <list>    lines per second per worker for the log pipeline (default 100,1000,2000,4000, or 100 with --quick)
  --out <file>          where the results go (default bench/results.json)
  --keep                keep the session folders (default: removed at the end)`

export function parseArgs(argv: string[]): BenchArgs {
  const args: BenchArgs = { quick: false, only: [...SECTIONS], out: 'bench/results.json', keep: false }
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]
    const value = () => {
      const v = argv[++i]
      if (v === undefined) throw new Error(`${a} needs a value\n${USAGE}`)
      return v
    }
    if (a === '--quick') args.quick = true
    else if (a === '--keep') args.keep = true
    else if (a === '--external') {
      args.externalText = value()
      const [command, ...rest] = splitWords(args.externalText)
      if (!command) throw new Error('--external needs a command')
      args.external = { command, args: rest, env: {} }
    } else if (a === '--only') {
      const list = value().split(',').map((s) => s.trim())
      const bad = list.filter((s) => !(SECTIONS as readonly string[]).includes(s))
      if (bad.length) throw new Error(`--only: unknown ${bad.join(', ')} (choose from ${SECTIONS.join(', ')})`)
      args.only = list as Section[]
    } else if (a === '--reps') {
      args.reps = Number(value())
      if (!Number.isInteger(args.reps) || args.reps < 1) throw new Error('--reps: a positive integer')
    } else if (a === '--log-rates') {
      args.logRates = value().split(',').map(Number)
      if (args.logRates.some((r) => !Number.isInteger(r) || r < 1)) throw new Error('--log-rates: positive integers, comma-separated')
    } else if (a === '--out') args.out = value()
    else if (a === '--help' || a === '-h') {
      console.log(USAGE)
      process.exit(0)
    } else throw new Error(`unknown option ${a}\n${USAGE}`)
  }
  return args
}

/** Shell-like words: whitespace separates, single or double quotes group, backslash escapes. No expansion. */
export function splitWords(text: string): string[] {
  const words: string[] = []
  let word = ''
  let inWord = false
  let quote: '"' | "'" | undefined
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]
    if (quote) {
      if (ch === quote) quote = undefined
      else if (ch === '\\' && quote === '"' && i + 1 < text.length) word += text[++i]
      else word += ch
    } else if (ch === '"' || ch === "'") {
      quote = ch
      inWord = true
    } else if (ch === '\\' && i + 1 < text.length) {
      word += text[++i]
      inWord = true
    } else if (/\s/.test(ch)) {
      if (inWord) words.push(word)
      word = ''
      inWord = false
    } else {
      word += ch
      inWord = true
    }
  }
  if (quote) throw new Error(`unbalanced ${quote} in ${text}`)
  if (inWord) words.push(word)
  return words
}
