/**
 * The flag machinery of the worker-launch codec: `--name value` or `--name=value`, each flag one
 * field of a typed settings object, validated with zod. Every error names the flag as typed.
 */
import { z } from 'zod'
import { taskNameProblem } from '../task-name.js'

export class ArgError extends Error {
  constructor(
    readonly flag: string,
    message: string,
  ) {
    super(`${flag}: ${message}`)
    this.name = 'ArgError'
  }
}

/** One setting on the command line: its flag and the schema that turns the flag's text into the value. */
export interface Field<S extends z.ZodType = z.ZodType> {
  flag: `--${string}`
  schema: S
}
export type Fields = Record<string, Field>

/** The typed settings a set of fields decodes to. */
export type SettingsOf<F extends Fields> = { [K in keyof F]: z.output<F[K]['schema']> }

/** Fields a launch may leave out: those with a default or optional. */
type OmittableKeys<F extends Fields> = {
  [K in keyof F]: undefined extends z.input<F[K]['schema']> ? K : never
}[keyof F]
/** What a launcher gives: every required setting, typed; the rest take their default. */
export type InputOf<F extends Fields> = { [K in Exclude<keyof F, OmittableKeys<F>>]: SettingsOf<F>[K] } & {
  [K in OmittableKeys<F>]?: SettingsOf<F>[K]
}

/** Splits argv into raw string values keyed by field; rejects unknown, repeated and valueless flags. */
export function tokenize(argv: readonly string[], fields: Fields): Record<string, string> {
  const byFlag = new Map<string, string>(Object.entries(fields).map(([key, field]) => [field.flag, key]))
  const raw: Record<string, string> = {}
  for (let i = 0; i < argv.length; i++) {
    const token = argv[i]
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

/** argv → typed settings; the first problem is thrown as an ArgError naming its flag. */
export function decodeFlags<F extends Fields>(argv: readonly string[], fields: F): SettingsOf<F> {
  const raw = tokenize(argv, fields)
  const shape = Object.fromEntries(Object.entries(fields).map(([key, field]) => [key, field.schema]))
  const result = z.object(shape).safeParse(raw)
  if (result.success) return result.data as SettingsOf<F>
  const issue = result.error.issues[0]
  const key = String(issue.path[0] ?? '')
  const flag = fields[key]?.flag ?? key
  if (raw[key] === undefined) throw new ArgError(flag, 'is required')
  throw new ArgError(flag, `${issue.message} (got ${JSON.stringify(raw[key])})`)
}

/** Typed settings → argv, in the fields' order; a setting left out is left to the program's default. */
export function encodeFlags<F extends Fields>(input: Partial<SettingsOf<F>>, fields: F): string[] {
  const argv: string[] = []
  for (const [key, field] of Object.entries(fields)) {
    const value = input[key as keyof F]
    if (value !== undefined) argv.push(field.flag, String(value))
  }
  return argv
}

// Flag schemas. Inputs are the flags' text; outputs are typed values.

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
  // eslint-disable-next-line no-control-regex -- a znode name may not hold a control character: this rejects them
  z.string().regex(/^(\/[^/\u0000-\u001f]+)+$/, 'must be an absolute znode path like /customBackUp (no trailing "/")')

/** Like rootFlag, but "/" (the whole tree) is allowed too. */
export const znodePathFlag = () =>
  z
    .string()
    // eslint-disable-next-line no-control-regex -- a znode name may not hold a control character: this rejects them
    .regex(/^(\/|(\/[^/\u0000-\u001f]+)+)$/, 'must be an absolute znode path like / or /customBackUp (no trailing "/")')

export const taskNameFlag = () =>
  z.string().superRefine((name, ctx) => {
    const problem = taskNameProblem(name)
    if (problem !== null) ctx.addIssue({ code: 'custom', message: problem })
  })
