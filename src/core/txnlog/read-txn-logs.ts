/**
 * Every transaction log the lab's ZooKeeper servers wrote for a session, merged into one history in
 * zxid order. The lab owns its servers, so their logs are in the session folder:
 * `zookeeper/<server>/data/version-2/log.*` (and `datalog/` for the Docker image).
 */
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { txnLogDirs } from '../session-folder/index.js'
import { parseTxnLogFile, zxidHex, type Txn } from './txn-log-file.js'

export interface ServerLogs {
  /** The server's folder name: zk-1, docker-1, … */
  server: string
  files: string[]
  txns: number
  firstZxid?: number
  lastZxid?: number
}

export interface TxnLogRead {
  servers: ServerLogs[]
  /** Every transaction any server logged, once each, by zxid. */
  txns: Txn[]
  /** Torn or unreadable records, per file. */
  problems: string[]
  /** zxids missing within an epoch: the history has holes there (and the verdicts say so). */
  gaps: { from: number; to: number }[]
}

/** Reads every log of the session; undefined when there is none (an external ZooKeeper). */
export function readSessionTxnLogs(sessionDir: string): TxnLogRead | undefined {
  const dirs = txnLogDirs(sessionDir)
  const servers: ServerLogs[] = []
  const problems: string[] = []
  const byZxid = new Map<number, Txn>()
  for (const { server, dir } of dirs) {
    const files = readdirSync(dir)
      .filter((f) => /^log\.[0-9a-f]+$/i.test(f))
      // log.<zxid of its first txn>, in hex: numeric order is the order they were written.
      .sort((a, b) => parseInt(a.slice(4), 16) - parseInt(b.slice(4), 16))
    if (files.length === 0) continue
    const entry: ServerLogs = { server, files: files.map((f) => join(dir, f)), txns: 0 }
    for (const file of files) {
      const parsed = parseTxnLogFile(readFileSync(join(dir, file)))
      for (const p of parsed.problems) problems.push(`${server}/${file}: ${p}`)
      for (const txn of parsed.txns) {
        entry.txns++
        entry.firstZxid = Math.min(entry.firstZxid ?? txn.zxid, txn.zxid)
        entry.lastZxid = Math.max(entry.lastZxid ?? txn.zxid, txn.zxid)
        // Members of an ensemble log the same transactions; a zxid names one transaction.
        if (!byZxid.has(txn.zxid)) byZxid.set(txn.zxid, txn)
      }
    }
    servers.push(entry)
  }
  if (servers.length === 0) return undefined
  const txns = [...byZxid.values()].sort((a, b) => a.zxid - b.zxid)
  return { servers, txns, problems, gaps: zxidGaps(txns) }
}

/**
 * Within an epoch (the zxid's high 32 bits) ZooKeeper numbers transactions 1, 2, 3, … without holes,
 * so a missing counter is a transaction no log holds.
 */
export function zxidGaps(txns: readonly Txn[]): { from: number; to: number }[] {
  const gaps: { from: number; to: number }[] = []
  let previous: Txn | undefined
  for (const txn of txns) {
    const epoch = Math.floor(txn.zxid / 2 ** 32)
    const counter = txn.zxid % 2 ** 32
    const sameEpoch = previous && Math.floor(previous.zxid / 2 ** 32) === epoch
    const expected = sameEpoch ? previous!.zxid + 1 : epoch * 2 ** 32 + 1
    if (txn.zxid > expected && (sameEpoch || counter > 1)) gaps.push({ from: expected, to: txn.zxid - 1 })
    previous = txn
  }
  return gaps
}

export function describeGap(gap: { from: number; to: number }): string {
  return gap.from === gap.to ? zxidHex(gap.from) : `${zxidHex(gap.from)}–${zxidHex(gap.to)}`
}
