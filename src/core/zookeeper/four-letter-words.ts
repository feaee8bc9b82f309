import { connect } from 'node:net'

/**
 * ZooKeeper's four-letter words over plain TCP: health (`ruok`), state (`srvr`, `stat`), metrics
 * (`mntr`) and config (`conf`). The server answers and closes the connection; no client library.
 */

export type FourLetterWord =
  'ruok' | 'srvr' | 'stat' | 'mntr' | 'conf' | 'envi' | 'isro' | 'cons' | 'wchc' | 'wchp' | 'wchs'

export type ZooKeeperMode = 'standalone' | 'leader' | 'follower' | 'observer' | 'read-only'

/** What a server prints instead of its state while it has no quorum or is still loading its data. */
export const NOT_SERVING = 'This ZooKeeper instance is not currently serving requests'

export interface FourLetterOptions {
  host?: string
  /** For the whole exchange: connect, send, read to the server's close. */
  timeoutMs?: number
}

export class FourLetterWordError extends Error {
  override readonly name = 'FourLetterWordError'
  constructor(
    message: string,
    /** `ECONNREFUSED`, `ETIMEDOUT` (no answer in time, e.g. a paused server), `NOT_WHITELISTED`, … */
    readonly code: string,
  ) {
    super(message)
  }
}

/** Sends one four-letter word and returns the server's whole answer. */
export function sendFourLetterWord(port: number, word: FourLetterWord, opts: FourLetterOptions = {}): Promise<string> {
  const host = opts.host ?? '127.0.0.1'
  const timeoutMs = opts.timeoutMs ?? 3000
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let settled = false
    const socket = connect({ host, port })
    const finish = (err: Error | undefined) => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      socket.destroy()
      if (err) {
        reject(err)
        return
      }
      const text = Buffer.concat(chunks).toString('utf8')
      if (/is not executed because it is not in the whitelist/.test(text)) {
        reject(
          new FourLetterWordError(
            `${host}:${port} does not allow '${word}' (4lw.commands.whitelist): ${text.trim()}`,
            'NOT_WHITELISTED',
          ),
        )
        return
      }
      resolve(text)
    }
    // One timer for the whole exchange: a SIGSTOPped server accepts the connection (the kernel does) but never answers.
    const timer = setTimeout(
      () =>
        finish(new FourLetterWordError(`${host}:${port} did not answer '${word}' within ${timeoutMs} ms`, 'ETIMEDOUT')),
      timeoutMs,
    )
    socket.on('connect', () => socket.write(word))
    socket.on('data', (chunk) => chunks.push(chunk))
    socket.on('end', () => finish(undefined))
    socket.on('close', () => finish(undefined))
    socket.on('error', (err: NodeJS.ErrnoException) => {
      // A reset after the answer arrived still leaves a complete answer.
      if (err.code === 'ECONNRESET' && chunks.length > 0) return finish(undefined)
      finish(new FourLetterWordError(`'${word}' to ${host}:${port} failed: ${err.message}`, err.code ?? 'EIO'))
    })
  })
}

/** `imok` when the server process runs; it says nothing about whether it serves requests. */
export async function ruok(port: number, opts?: FourLetterOptions): Promise<boolean> {
  return (await sendFourLetterWord(port, 'ruok', opts)).trim() === 'imok'
}

export async function srvr(port: number, opts?: FourLetterOptions): Promise<SrvrResult> {
  return parseSrvr(await sendFourLetterWord(port, 'srvr', opts))
}

export async function stat(port: number, opts?: FourLetterOptions): Promise<StatResult> {
  return parseStat(await sendFourLetterWord(port, 'stat', opts))
}

export async function mntr(port: number, opts?: FourLetterOptions): Promise<MntrResult> {
  return parseMntr(await sendFourLetterWord(port, 'mntr', opts))
}

export async function conf(port: number, opts?: FourLetterOptions): Promise<Record<string, string>> {
  return parseConf(await sendFourLetterWord(port, 'conf', opts))
}

// ------------------------------------------------------------------------------------------- parsers

export interface ServerState {
  serving: true
  /** `3.8.0-${mvngit.commit.id}, built on 2024-12-29 17:54 UTC` as the server prints it. */
  version: string
  latency: { min: number; avg: number; max: number }
  received: number
  sent: number
  connections: number
  outstanding: number
  /** Hex as printed, `0x100000002`. */
  zxid: string
  mode: ZooKeeperMode
  nodeCount: number
  /** Leaders only: `Proposal sizes last/min/max`. */
  proposalSizes?: { last: number; min: number; max: number }
}

export interface NotServing {
  serving: false
  /** The server's answer, for logs. */
  raw: string
}

export type SrvrResult = ServerState | NotServing

export type StatResult = (ServerState & { clients: string[] }) | NotServing

/** Parses `srvr`; a server that runs but does not serve (no quorum yet, loading) gives `serving: false`. */
export function parseSrvr(text: string): SrvrResult {
  if (text.includes(NOT_SERVING)) return { serving: false, raw: text.trim() }
  const fields = new Map<string, string>()
  for (const line of text.split(/\r?\n/)) {
    const colon = line.indexOf(':')
    if (colon > 0) fields.set(line.slice(0, colon).trim(), line.slice(colon + 1).trim())
  }
  const mode = fields.get('Mode')
  if (!mode || !fields.has('Zookeeper version')) {
    throw new FourLetterWordError(`Unrecognised srvr answer: ${JSON.stringify(text.slice(0, 200))}`, 'EPARSE')
  }
  const [min, avg, max] = (fields.get('Latency min/avg/max') ?? '0/0/0').split('/').map(Number)
  const state: ServerState = {
    serving: true,
    // "3.8.0-<git id>, built on <date>": the release is what a reader wants; the rest is build noise.
    version: fields.get('Zookeeper version')!.split(/[-,\s]/)[0],
    latency: { min: min ?? 0, avg: avg ?? 0, max: max ?? 0 },
    received: toInt(fields.get('Received')),
    sent: toInt(fields.get('Sent')),
    connections: toInt(fields.get('Connections')),
    outstanding: toInt(fields.get('Outstanding')),
    zxid: fields.get('Zxid') ?? '0x0',
    mode: mode as ZooKeeperMode,
    nodeCount: toInt(fields.get('Node count')),
  }
  const proposals = fields.get('Proposal sizes last/min/max')
  if (proposals) {
    const [last, pmin, pmax] = proposals.split('/').map(Number)
    state.proposalSizes = { last: last ?? -1, min: pmin ?? -1, max: pmax ?? -1 }
  }
  return state
}

/** `stat` is `srvr` plus one line per client connection between `Clients:` and the blank line. */
export function parseStat(text: string): StatResult {
  const base = parseSrvr(text)
  if (!base.serving) return base
  const clients: string[] = []
  const lines = text.split(/\r?\n/)
  const start = lines.findIndex((l) => l.trim() === 'Clients:')
  if (start >= 0) {
    for (const line of lines.slice(start + 1)) {
      if (line.trim() === '') break
      clients.push(line.trim())
    }
  }
  return { ...base, clients }
}

export type MntrResult = { serving: true; values: Record<string, string | number> } | NotServing

/** `key<TAB>value` lines; numeric values become numbers, the rest (version, state) stay strings. */
export function parseMntr(text: string): MntrResult {
  if (text.includes(NOT_SERVING)) return { serving: false, raw: text.trim() }
  const values: Record<string, string | number> = {}
  for (const line of text.split(/\r?\n/)) {
    const tab = line.indexOf('\t')
    if (tab <= 0) continue
    const key = line.slice(0, tab)
    const raw = line.slice(tab + 1).trim()
    const num = raw === '' ? Number.NaN : Number(raw)
    values[key] = Number.isFinite(num) ? num : raw
  }
  if (Object.keys(values).length === 0) {
    throw new FourLetterWordError(`Unrecognised mntr answer: ${JSON.stringify(text.slice(0, 200))}`, 'EPARSE')
  }
  return { serving: true, values }
}

/** `conf`: `key=value` lines. Lets the lab check that the server on a port is the one it started (its dataDir). */
export function parseConf(text: string): Record<string, string> {
  const result: Record<string, string> = {}
  for (const line of text.split(/\r?\n/)) {
    const eq = line.indexOf('=')
    if (eq > 0) result[line.slice(0, eq).trim()] = line.slice(eq + 1).trim()
  }
  return result
}

function toInt(value: string | undefined): number {
  const n = Number.parseInt(value ?? '', 10)
  return Number.isNaN(n) ? 0 : n
}
