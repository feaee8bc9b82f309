/** Conversion of the zookeeper addon's Stat object to the lab's ZnodeStat shape. */
import type { ZnodeStat } from '../../shared/events.js'

/** What the addon hands back: zxids as numbers, times as Date, ephemeralOwner as a hex string. */
export interface RawStat {
  czxid: number
  mzxid: number
  pzxid: number
  ctime: Date | number
  mtime: Date | number
  version: number
  cversion: number
  ephemeralOwner: string
  dataLength: number
  numChildren: number
}

const millis = (t: Date | number): number => (t instanceof Date ? t.getTime() : Number(t))

/**
 * Zxids as "0x…" hex, the way ZooKeeper's own tools print them; session ids stay bare hex ('0' = none),
 * as the addon gives them. The addon hands zxids over as doubles, exact while the epoch is below 2^21.
 */
export const zxidHex = (zxid: number): string => '0x' + Math.trunc(zxid).toString(16)

export function toZnodeStat(stat: RawStat): ZnodeStat {
  return {
    czxid: zxidHex(stat.czxid),
    mzxid: zxidHex(stat.mzxid),
    pzxid: zxidHex(stat.pzxid),
    ctime: millis(stat.ctime),
    mtime: millis(stat.mtime),
    version: stat.version,
    cversion: stat.cversion,
    ephemeralOwner: String(stat.ephemeralOwner),
    dataLength: stat.dataLength,
    numChildren: stat.numChildren,
  }
}
