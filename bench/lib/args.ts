/** The bench's command line: `npm run bench -- [--quick] [--strategies a,b] [--external "<command line>"] [--only a,b] [--reps N] [--faults a,b] [--log-rates a,b] [--out file] [--keep]`. */
import { Strategy, type ExternalWorker } from '../../src/shared/api.js'
import { parseCommandLine } from '../../src/shared/command-line.js'
import { FAULTS, type FaultKind } from '../failover.js'

export const SECTIONS = ['floor', 'failover', 'herd', 'logs', 'scale', 'watches', 'binlog'] as const
export type Section = (typeof SECTIONS)[number]

export interface BenchArgs {
  quick: boolean
  /** The strategies to measure side by side (default: the lab's own, seed and recipe). */
  strategies?: Strategy[]
  external?: ExternalWorker
  externalText?: string
  only: Section[]
  reps?: number
  /** The faults the failover section injects (default: all of them). */
  faults?: FaultKind[]
  /** Lines per second per worker for the log pipeline, instead of the defaults. */
  logRates?: number[]
  out: string
  keep: boolean
}

export const USAGE = `usage: npm run bench -- [options]
  --quick               a short run (< 5 min): 3 repetitions per failover cell, 3 and 10 standbys, one log rate, 10 and 20 workers,
                        a smaller binlog backlog and shorter load windows
  --strategies <list>   the strategies the failover faults are measured with, side by side (default seed,recipe;
                        any of ${Strategy.options.join(',')}); a peer whose toolchain is missing is skipped, saying
                        why; herd and scale measure the lab's own worker only (seed, recipe among those listed)
  --external "<cmd>"    also run the failover faults against this worker command line (NAME=value words before
                        the command are its environment); placeholders {connect} {task} {taskPath} {workerId}
                        {sessionTimeoutMs} {commitIntervalMs} {sink} {root} are filled in
  --only <list>         some of: ${SECTIONS.join(',')}
  --reps <n>            repetitions per failover cell (default 20, or 3 with --quick; the binlog section's
                        failover cells: default 5, or 2 with --quick)
  --faults <list>       the faults the failover section injects: some of ${FAULTS.join(',')} (default all)
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
      try {
        args.external = parseCommandLine(args.externalText)
      } catch (err) {
        throw new Error(`--external: ${(err as Error).message}`, { cause: err })
      }
    } else if (a === '--strategies') {
      const list = value()
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean)
      const bad = list.filter((s) => !Strategy.safeParse(s).success)
      if (bad.length || !list.length)
        throw new Error(
          `--strategies: ${bad.length ? `unknown ${bad.join(', ')}` : 'name at least one'} (choose from ${Strategy.options.join(', ')})`,
        )
      args.strategies = [...new Set(list)] as Strategy[]
    } else if (a === '--only') {
      const list = value()
        .split(',')
        .map((s) => s.trim())
      const bad = list.filter((s) => !(SECTIONS as readonly string[]).includes(s))
      if (bad.length) throw new Error(`--only: unknown ${bad.join(', ')} (choose from ${SECTIONS.join(', ')})`)
      args.only = list as Section[]
    } else if (a === '--reps') {
      args.reps = Number(value())
      if (!Number.isInteger(args.reps) || args.reps < 1) throw new Error('--reps: a positive integer')
    } else if (a === '--faults') {
      const list = value()
        .split(',')
        .map((s) => s.trim())
      const bad = list.filter((s) => !(FAULTS as readonly string[]).includes(s))
      if (bad.length || !list.length)
        throw new Error(
          `--faults: ${bad.length ? `unknown ${bad.join(', ')}` : 'name at least one'} (choose from ${FAULTS.join(', ')})`,
        )
      args.faults = [...new Set(list)] as FaultKind[]
    } else if (a === '--log-rates') {
      args.logRates = value().split(',').map(Number)
      if (args.logRates.some((r) => !Number.isInteger(r) || r < 1))
        throw new Error('--log-rates: positive integers, comma-separated')
    } else if (a === '--out') args.out = value()
    else if (a === '--help' || a === '-h') {
      console.log(USAGE)
      process.exit(0)
    } else throw new Error(`unknown option ${a}\n${USAGE}`)
  }
  return args
}
