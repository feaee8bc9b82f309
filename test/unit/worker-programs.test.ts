/** Which runtime a lab program starts on: the built bundle while it is fresh, else the source via tsx. */
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { programEntry } from '../../src/core/workers/programs.js'

describe('programEntry', () => {
  let root: string
  const at = (file: string, seconds: number) => utimesSync(join(root, file), seconds, seconds)
  const put = (file: string, seconds: number) => {
    mkdirSync(join(root, file, '..'), { recursive: true })
    writeFileSync(join(root, file), '')
    at(file, seconds)
  }

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'zklab-programs-'))
    put('src/worker/monitor.ts', 1000)
    put('src/shared/events.ts', 1000)
  })
  afterEach(() => rmSync(root, { recursive: true, force: true }))

  const built = (seconds: number, inputs: string[] = ['src/shared/events.ts', 'src/worker/monitor.ts']) => {
    put('out/worker/monitor.mjs', seconds)
    writeFileSync(join(root, 'out/worker/inputs.json'), JSON.stringify({ monitor: inputs }))
  }

  it('runs the source through tsx when nothing is built', () => {
    const args = programEntry(root, 'monitor')
    expect(args[0]).toBe('--import')
    expect(args[1]).toMatch(/tsx/)
    expect(args[2]).toBe(join(root, 'src/worker/monitor.ts'))
  })

  it('runs the bundle on plain Node while every source it was made from is older', () => {
    built(2000)
    expect(programEntry(root, 'monitor')).toEqual(['--enable-source-maps', join(root, 'out/worker/monitor.mjs')])
  })

  it('goes back to the source when one of its inputs changed after the build, or is gone', () => {
    built(2000)
    at('src/shared/events.ts', 3000)
    expect(programEntry(root, 'monitor')[0]).toBe('--import')
    built(4000, ['src/shared/events.ts', 'src/worker/monitor.ts', 'src/worker/gone.ts'])
    expect(programEntry(root, 'monitor')[0]).toBe('--import')
  })

  it('does not trust a bundle without its list of inputs', () => {
    put('out/worker/monitor.mjs', 2000)
    expect(programEntry(root, 'monitor')[0]).toBe('--import')
  })

  it('names a program that is missing altogether', () => {
    expect(() => programEntry(root, 'observer')).toThrow(
      /observer program is missing at .*src\/worker\/observer\.ts; reinstall the lab/,
    )
  })
})
