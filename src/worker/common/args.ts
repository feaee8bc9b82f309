/**
 * Command-line flags for the child programs: `--name value` or `--name=value`, validated with zod.
 * Schema keys are camelCase and map to kebab-case flags (workerId ↔ --worker-id), so every error can
 * name the flag the user typed.
 */
import { z } from 'zod'
import { taskNameProblem } from '../../shared/task-name.js'
import { DEFAULT_ROOT } from './paths.js'

export class ArgError extends Error {
  constructor(
    readonly flag: string,
    message: string,
  ) {
    super(`${flag}: ${message}`)
    this.name = 'ArgError'
  }
}

export const flagName = (key: string): string => '--' + key.replace(/[A-Z]/g, (c) => '-' + c.toLowerCase())

type Shape = Record<string, z.ZodType>

/** Splits argv into raw string values keyed by schema key; rejects unknown, repeated and valueless flags. */
export function tokenize(argv: readonly string[], shape: Shape): Record<string, string> {
  const byFlag = new Map(Object.keys(shape).map((key) => [flagName(key), key]))
  const raw: Record<string, string> = {}
  for (let i = 0; i < argv.length; i++) {
    const token = argv[i]!
    if (!token.startsWith('--') || token === '--') {
      throw new ArgError(token, 'unexpected argument (every option is a --flag value pair)')
    }
    const eq = token.indexOf('=')
    const flag = eq === -1 ? token : token.slice(0, eq)
    const key = byFlag.get(flag)
    if (key === undefined) {
      const known = [...byFlag.keys()].join(', ')
      throw new ArgError(flag, `unknown flag (known: ${known})`)
    }
    let value: string | undefined
    if (eq !== -1) {
      value = token.slice(eq + 1)
    } else {
      value = argv[i + 1]
      if (value === undefined || value.startsWith('--')) throw new ArgError(flag, 'needs a value')
      i++
    }
    if (key in raw) throw new ArgError(flag, 'given more than once')
    raw[key] = value
  }
  return raw
}

export function parseFlags<S extends Shape>(argv: readonly string[], shape: S): z.output<z.ZodObject<S>> {
  const raw = tokenize(argv, shape)
  const result = z.object(shape).safeParse(raw)
  if (result.success) return result.data
  const issue = result.error.issues[0]!
  const key = String(issue.path[0] ?? '')
  const flag = flagName(key)
  if (raw[key] === undefined) throw new ArgError(flag, 'is required')
  throw new ArgError(flag, `${issue.message} (got ${JSON.stringify(raw[key])})`)
}

/** parseFlags for a program's entry point: a bad argument prints one line to stderr and exits 2. */
export function parseFlagsOrExit<S extends Shape>(
  program: string,
  argv: readonly string[],
  shape: S,
): z.output<z.ZodObject<S>> {
  try {
    return parseFlags(argv, shape)
  } catch (err) {
    if (err instanceof ArgError) {
      process.stderr.write(`${program}: error: ${err.message}\n`)
      process.exit(2)
    }
    throw err
  }
}

// Flag schemas. Inputs are strings; outputs are typed values.

export const intFlag = (opts: { min: number; max?: number }) =>
  z
    .string()
    .trim()
    .regex(/^-?\d+$/, 'must be a whole number')
    .transform(Number)
    .pipe(
      z
        .number()
        .int()
        .min(opts.min, `must be at least ${opts.min}`)
        .max(opts.max ?? Number.MAX_SAFE_INTEGER, `must be at most ${opts.max ?? Number.MAX_SAFE_INTEGER}`),
    )

/** host:port[,host:port...][/chroot], as the ZooKeeper C client accepts it. */
export const connectFlag = () =>
  z
    .string()
    .trim()
    .regex(
      /^[^\s,/:]+:\d{1,5}(,[^\s,/:]+:\d{1,5})*(\/[^\s]*)?$/,
      'must be a ZooKeeper connect string like 127.0.0.1:2181[,host:port...]',
    )

/** An absolute znode path that is not "/" itself and has no empty segment. */
export const rootFlag = () =>
  z
    .string()
    .regex(/^(\/[^/\u0000-\u001f]+)+$/, 'must be an absolute znode path like /customBackUp (no trailing "/")')
    .default(DEFAULT_ROOT)

/** Like rootFlag, but "/" (the whole tree) is allowed too. */
export const znodePathFlag = () =>
  z
    .string()
    .regex(/^(\/|(\/[^/\u0000-\u001f]+)+)$/, 'must be an absolute znode path like / or /customBackUp (no trailing "/")')
    .default(DEFAULT_ROOT)

export const taskNameFlag = () =>
  z.string().superRefine((name, ctx) => {
    const problem = taskNameProblem(name)
    if (problem !== null) ctx.addIssue({ code: 'custom', message: problem })
  })

/** Common ZooKeeper flags of every program. */
export const zkFlags = {
  connect: connectFlag(),
  root: rootFlag(),
  /** How long to wait for the first session before giving up. */
  connectTimeout: intFlag({ min: 100 }).default(15000),
}
