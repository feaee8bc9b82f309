/**
 * The packaged app's fuses (scripts/electron-fuses.ts). Electron's binary cannot be downloaded on every
 * machine, so the set itself is checked here, and applying it is checked against a file that holds a
 * fuse wire of the same layout Electron's binary has.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { FuseV1Options, FuseVersion, getCurrentFuseWire } from '@electron/fuses'
import { describe, expect, it } from 'vitest'
import { applyLabFuses, LAB_FUSES } from '../../scripts/electron-fuses.js'

// The sentinel Electron puts before its fuse wire, then the wire's version, length and one byte per fuse.
const SENTINEL = 'dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX'
const FUSE_ON = 0x31
const FUSE_OFF = 0x30

describe('the packaged app’s fuses', () => {
  it('turn off running as Node, NODE_OPTIONS and inspect arguments', () => {
    expect(LAB_FUSES.version).toBe(FuseVersion.V1)
    expect(LAB_FUSES[FuseV1Options.RunAsNode]).toBe(false)
    expect(LAB_FUSES[FuseV1Options.EnableNodeOptionsEnvironmentVariable]).toBe(false)
    expect(LAB_FUSES[FuseV1Options.EnableNodeCliInspectArguments]).toBe(false)
    expect(LAB_FUSES[FuseV1Options.GrantFileProtocolExtraPrivileges]).toBe(false)
  })

  it('are written into a binary’s fuse wire', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'zklab-fuses-'))
    try {
      const binary = join(dir, 'electron')
      const fuses = Buffer.alloc(8, FUSE_ON)
      writeFileSync(
        binary,
        Buffer.concat([
          Buffer.from('\0binary\0'),
          Buffer.from(SENTINEL),
          Buffer.from([1, fuses.length]),
          fuses,
          Buffer.from('\0rest'),
        ]),
      )
      await applyLabFuses(binary)
      const wire = await getCurrentFuseWire(binary)
      for (const fuse of [
        FuseV1Options.RunAsNode,
        FuseV1Options.EnableNodeOptionsEnvironmentVariable,
        FuseV1Options.EnableNodeCliInspectArguments,
      ]) {
        expect(wire[fuse], FuseV1Options[fuse]).toBe(FUSE_OFF)
      }
      expect(wire[FuseV1Options.EnableCookieEncryption]).toBe(FUSE_ON)
      expect(readFileSync(binary).subarray(-5).toString()).toBe('\0rest')
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
