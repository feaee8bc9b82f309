import { existsSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'

/**
 * Electron's binary, if it is installed. The electron package downloads it on first use, which
 * fails without network access; looking for the file first lets the lab say so in one line and
 * fall back to browser mode instead of hanging on a download.
 */
export function findElectronBinary(): { path: string } | { missing: string } {
  let packageDir: string
  try {
    packageDir = dirname(createRequire(import.meta.url).resolve('electron/package.json'))
  } catch {
    return { missing: 'the electron package is not installed (npm install)' }
  }
  const pathFile = join(packageDir, 'path.txt')
  if (!existsSync(pathFile)) return { missing: `it was never downloaded (${pathFile} does not exist)` }
  const dist = process.env.ELECTRON_OVERRIDE_DIST_PATH ?? join(packageDir, 'dist')
  const binary = join(dist, readFileSync(pathFile, 'utf8').trim())
  return existsSync(binary) ? { path: binary } : { missing: `${binary} does not exist` }
}
