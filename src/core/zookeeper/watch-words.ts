/**
 * Parsers for ZooKeeper's watch and connection four-letter words: `wchc` (session → paths), `wchp`
 * (path → sessions), `wchs` (totals) and `cons` (one line per connection). ZooKeeper 3.8's watch words
 * list data and exists watches only: a child watch (getChildren with a watcher) shows in none of them.
 */
import { FourLetterWordError } from './four-letter-words.js'

/** The lab's form of a session id: hex, lower case, no 0x, no leading zeros (as `client.session` has it). */
export function normalSessionId(raw: string): string {
  return raw
    .trim()
    .toLowerCase()
    .replace(/^0x/, '')
    .replace(/^0+(?=.)/, '')
}

/** `wchc`: a session id line, then one tab-indented path per watch. */
export function parseWchc(text: string): Map<string, string[]> {
  return parseGrouped(text, normalSessionId, (s) => s)
}

/** `wchp`: a path line, then one tab-indented session id per watch on it. */
export function parseWchp(text: string): Map<string, string[]> {
  return parseGrouped(text, (s) => s, normalSessionId)
}

function parseGrouped(
  text: string,
  head: (line: string) => string,
  item: (line: string) => string,
): Map<string, string[]> {
  const groups = new Map<string, string[]>()
  let current: string[] | undefined
  for (const line of text.split(/\r?\n/)) {
    if (line.trim() === '') continue
    if (/^\s/.test(line)) {
      if (!current) throw new FourLetterWordError(`Watch list starts indented: ${JSON.stringify(line)}`, 'EPARSE')
      current.push(item(line.trim()))
    } else {
      current = []
      groups.set(head(line.trim()), current)
    }
  }
  return groups
}

export interface WatchTotals {
  connections: number
  paths: number
  watches: number
}

/** `wchs`: `N connections watching M paths` and `Total watches:W`. */
export function parseWchs(text: string): WatchTotals {
  const head = /(\d+) connections watching (\d+) paths/.exec(text)
  const total = /Total watches:\s*(\d+)/.exec(text)
  if (!head || !total) throw new FourLetterWordError(`Unrecognised wchs answer: ${JSON.stringify(text)}`, 'EPARSE')
  return { connections: Number(head[1]), paths: Number(head[2]), watches: Number(total[1]) }
}

/** One client connection as `cons` lists it; the session fields are absent before its handshake. */
export interface Connection {
  /** host:port as the server sees the client (its proxy, for a lab worker). */
  client: string
  /** Requests queued on the connection, not yet answered. */
  outstanding: number
  received: number
  sent: number
  sessionId?: string
  /** The last operation (`GETC`, `EXIS`, `PING`, …). */
  lastOp?: string
  /** When the session was established on this connection, epoch ms (the server's clock). */
  establishedAt?: number
  timeoutMs?: number
}

/** ` /127.0.0.1:53052[1](queued=0,recved=5,…,sid=0x…,lop=EXIS,est=…,to=4000,…)` per line. */
export function parseCons(text: string): Connection[] {
  const connections: Connection[] = []
  for (const line of text.split(/\r?\n/)) {
    const match = /^\s*\/?(\S+?)\[\d+\]\((.*)\)\s*$/.exec(line)
    if (!match) continue
    const fields = new Map<string, string>()
    for (const pair of match[2].split(',')) {
      const eq = pair.indexOf('=')
      if (eq > 0) fields.set(pair.slice(0, eq), pair.slice(eq + 1))
    }
    const num = (key: string) => (fields.has(key) ? Number(fields.get(key)) : undefined)
    const connection: Connection = {
      client: match[1],
      outstanding: num('queued') ?? 0,
      received: num('recved') ?? 0,
      sent: num('sent') ?? 0,
    }
    const sid = fields.get('sid')
    if (sid) connection.sessionId = normalSessionId(sid)
    if (fields.has('lop')) connection.lastOp = fields.get('lop')
    if (fields.has('est')) connection.establishedAt = num('est')
    if (fields.has('to')) connection.timeoutMs = num('to')
    connections.push(connection)
  }
  return connections
}
