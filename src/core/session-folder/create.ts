import { randomBytes } from 'node:crypto'
import { chmodSync, existsSync, lstatSync, mkdirSync, readdirSync, statfsSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { SESSION_SUBFOLDERS } from './paths.js'

/** Below this much free space a session is refused: a journal that fills the disk mid-run is worse. */
const DEFAULT_MIN_FREE_MB = 64
const MIN_FREE_ENV = 'ZKLAB_MIN_FREE_MB'
/** New names tried when a folder of the same name appears first (another lab, the same millisecond). */
const NAME_ATTEMPTS = 20
/** Only the user who runs the lab reads a session: journals and logs hold command lines and data. */
export const PRIVATE_FOLDER = 0o700
export const PRIVATE_FILE = 0o600

/**
 * Creates a session's folder, private (0700), new and empty, with its sub-folders. Without `dir` it
 * is a new folder under `sessionsDir`, named by time (to the millisecond) and a random suffix, made
 * exclusively so two labs started at once never share one. A `dir` that exists is taken only if it
 * is an empty folder: a session never writes into another one's files.
 */
export function createSessionFolder(options: {
  dir?: string
  sessionsDir: string
  name: string
  createdAt: number
}): string {
  const dir = options.dir === undefined ? undefined : resolve(options.dir)
  const parent = dir ? dirname(dir) : resolve(options.sessionsDir)
  checkFreeSpace(parent)
  mkdirSync(parent, { recursive: true, mode: PRIVATE_FOLDER })
  const folder = dir ? claimFolder(dir) : newFolder(parent, options.name, options.createdAt)
  for (const sub of SESSION_SUBFOLDERS) mkdirSync(join(folder, sub), { mode: PRIVATE_FOLDER })
  return folder
}

function newFolder(parent: string, name: string, createdAt: number): string {
  for (let attempt = 0; attempt < NAME_ATTEMPTS; attempt++) {
    const folder = join(parent, `${stamp(createdAt)}-${slug(name)}-${randomBytes(3).toString('hex')}`)
    try {
      mkdirSync(folder, { mode: PRIVATE_FOLDER })
      return folder
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err
    }
  }
  throw new Error(`Could not create a new session folder in ${parent}: ${NAME_ATTEMPTS} names in a row were taken.`)
}

function claimFolder(dir: string): string {
  try {
    mkdirSync(dir, { mode: PRIVATE_FOLDER })
    return dir
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err
  }
  const stat = lstatSync(dir)
  if (stat.isSymbolicLink())
    throw new Error(
      `The session folder ${dir} is a symbolic link; give the path of a new folder (or an empty one) instead.`,
    )
  if (!stat.isDirectory()) throw new Error(`${dir} exists and is not a folder; give the path of a new session folder.`)
  if (readdirSync(dir).length > 0) {
    throw new Error(
      `The session folder ${dir} already exists and is not empty; a session never writes into another one's files. ` +
        'Give a path that does not exist yet (or an empty folder), or leave the folder out for a new one under the sessions directory.',
    )
  }
  chmodSync(dir, PRIVATE_FOLDER)
  return dir
}

/** Refuses a session where the disk is nearly full, naming the folder, what is free and the minimum. */
export function checkFreeSpace(folder: string): void {
  const minMb = minFreeMb()
  let existing = resolve(folder)
  while (!existsSync(existing) && dirname(existing) !== existing) existing = dirname(existing)
  const { bavail, bsize } = statfsSync(existing)
  const freeMb = (Number(bavail) * Number(bsize)) / 2 ** 20
  if (freeMb < minMb) {
    throw new Error(
      `Not enough free space for a session in ${folder}: ${freeMb.toFixed(1)} MiB free, the lab needs at least ${minMb} MiB. ` +
        `Free some space, choose another sessions folder, or set ${MIN_FREE_ENV} to a lower number of MiB.`,
    )
  }
}

function minFreeMb(): number {
  const raw = process.env[MIN_FREE_ENV]
  if (raw === undefined || raw.trim() === '') return DEFAULT_MIN_FREE_MB
  const value = Number(raw)
  if (!Number.isFinite(value) || value < 0) throw new Error(`${MIN_FREE_ENV}=${raw}: give a number of MiB (0 or more).`)
  return value
}

/** UTC time to the millisecond, so folder names sort by when the session was created. */
function stamp(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:]/g, '').replace('T', '-').replace('.', '-').slice(0, 19)
}

function slug(name: string): string {
  return (
    name
      .toLowerCase()
      .replace(/[^a-z0-9._-]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 40) || 'session'
  )
}
