import { open } from 'node:fs/promises'
import { inflateRawSync } from 'node:zlib'

/**
 * Reads META-INF/MANIFEST.MF out of a jar without a `jar`/`unzip` binary. Debian's zookeeper.jar
 * lists its dependencies in the manifest's Class-Path, and the JVM silently skips entries that do
 * not exist, so the lab reads that list itself to say which jar is missing before Java fails oddly.
 */
export async function readJarManifest(jarPath: string): Promise<Record<string, string>> {
  const handle = await open(jarPath, 'r')
  try {
    const { size } = await handle.stat()
    // The end-of-central-directory record sits in the last 22 bytes plus an optional comment (< 64 KiB).
    const tailSize = Math.min(size, 22 + 0xffff)
    const tail = Buffer.alloc(tailSize)
    await handle.read(tail, 0, tailSize, size - tailSize)
    let eocd = -1
    for (let i = tailSize - 22; i >= 0; i--) {
      if (tail.readUInt32LE(i) === 0x06054b50) {
        eocd = i
        break
      }
    }
    if (eocd < 0) throw new Error(`${jarPath} is not a jar (no zip directory found)`)
    const entries = tail.readUInt16LE(eocd + 10)
    const cdSize = tail.readUInt32LE(eocd + 12)
    const cdOffset = tail.readUInt32LE(eocd + 16)
    const cd = Buffer.alloc(cdSize)
    await handle.read(cd, 0, cdSize, cdOffset)

    let p = 0
    for (let n = 0; n < entries && p + 46 <= cd.length; n++) {
      if (cd.readUInt32LE(p) !== 0x02014b50) break
      const method = cd.readUInt16LE(p + 10)
      const compressedSize = cd.readUInt32LE(p + 20)
      const nameLen = cd.readUInt16LE(p + 28)
      const extraLen = cd.readUInt16LE(p + 30)
      const commentLen = cd.readUInt16LE(p + 32)
      const localOffset = cd.readUInt32LE(p + 42)
      const name = cd.toString('utf8', p + 46, p + 46 + nameLen)
      p += 46 + nameLen + extraLen + commentLen
      if (name.toUpperCase() !== 'META-INF/MANIFEST.MF') continue

      const local = Buffer.alloc(30)
      await handle.read(local, 0, 30, localOffset)
      const dataStart = localOffset + 30 + local.readUInt16LE(26) + local.readUInt16LE(28)
      const data = Buffer.alloc(compressedSize)
      await handle.read(data, 0, compressedSize, dataStart)
      const text = method === 0 ? data.toString('utf8') : inflateRawSync(data).toString('utf8')
      return parseManifest(text)
    }
    return {}
  } finally {
    await handle.close()
  }
}

/** Manifest syntax: `Key: value`, continuation lines start with one space. */
export function parseManifest(text: string): Record<string, string> {
  const result: Record<string, string> = {}
  let key: string | undefined
  for (const line of text.split(/\r?\n/)) {
    if (line.startsWith(' ') && key) {
      result[key] += line.slice(1)
    } else {
      const colon = line.indexOf(':')
      if (colon <= 0) {
        key = undefined
        continue
      }
      key = line.slice(0, colon)
      result[key] = line.slice(colon + 1).trimStart()
    }
  }
  return result
}
