import { existsSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

let cached: string | undefined

/**
 * The lab's install folder (where package.json, src/worker and resources live). Found by walking up
 * from this module, because the same code runs from src/ through tsx and bundled into out/main/.
 */
export function labRoot(): string {
  if (cached) return cached
  let dir = dirname(fileURLToPath(import.meta.url))
  for (;;) {
    const manifest = join(dir, 'package.json')
    if (
      existsSync(manifest) &&
      (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === 'zookeeper-failover-lab'
    ) {
      cached = dir
      return dir
    }
    const parent = dirname(dir)
    if (parent === dir)
      throw new Error(
        "Cannot find the lab's install folder (no package.json named zookeeper-failover-lab above this module).",
      )
    dir = parent
  }
}
