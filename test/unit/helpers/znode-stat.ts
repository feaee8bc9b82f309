/** A znode's Stat for the unit tests, as the observer reports it; an ephemeral node names its owner session. */
import type { ZnodeStat } from '../../../src/shared/events.js'

export function znodeStat(ephemeralOwner = '0'): ZnodeStat {
  return {
    czxid: '0x1',
    mzxid: '0x1',
    pzxid: '0x1',
    ctime: 0,
    mtime: 0,
    version: 0,
    cversion: 0,
    ephemeralOwner,
    dataLength: 0,
    numChildren: 0,
  }
}
