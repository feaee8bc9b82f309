import { readFile, readdir, readlink } from 'node:fs/promises'

/**
 * Linux-only views of listening TCP sockets, from /proc (no `ss`/`lsof` needed): which addresses a
 * process listens on (to prove ZooKeeper is bound to loopback only) and who holds a taken port (to
 * name it in the error). Elsewhere these return empty answers.
 */

export interface ListeningSocket {
  address: string
  port: number
  inode: string
}

/** Every listening TCP socket on the machine (IPv4 and IPv6). */
export async function listeningTcpSockets(): Promise<ListeningSocket[]> {
  const result: ListeningSocket[] = []
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text: string
    try {
      text = await readFile(file, 'utf8')
    } catch {
      continue
    }
    for (const line of text.split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/)
      // cols: sl local_address rem_address st … uid timeout inode
      if (cols.length < 10 || cols[3] !== '0A') continue // 0A = LISTEN
      const [addrHex, portHex] = cols[1].split(':')
      result.push({ address: decodeAddress(addrHex), port: Number.parseInt(portHex, 16), inode: cols[9] })
    }
  }
  return result
}

/** The sockets a process listens on: its fds that are sockets, matched to the listening table. */
export async function listeningSocketsOf(pid: number): Promise<ListeningSocket[]> {
  const inodes = await socketInodesOf(pid)
  return (await listeningTcpSockets()).filter((s) => inodes.has(s.inode))
}

/** Best effort: the processes (pid and command line) that listen on a port, for error messages. */
export async function processesListeningOn(port: number): Promise<{ pid: number; command: string }[]> {
  const inodes = new Set((await listeningTcpSockets()).filter((s) => s.port === port).map((s) => s.inode))
  if (inodes.size === 0) return []
  const found: { pid: number; command: string }[] = []
  let pids: string[]
  try {
    pids = (await readdir('/proc')).filter((d) => /^\d+$/.test(d))
  } catch {
    return []
  }
  for (const pid of pids) {
    const mine = await socketInodesOf(Number(pid))
    if ([...mine].some((inode) => inodes.has(inode))) {
      found.push({ pid: Number(pid), command: await commandLineOf(Number(pid)) })
    }
  }
  return found
}

export async function commandLineOf(pid: number): Promise<string> {
  try {
    return (await readFile(`/proc/${pid}/cmdline`, 'utf8')).split('\0').filter(Boolean).join(' ')
  } catch {
    return ''
  }
}

async function socketInodesOf(pid: number): Promise<Set<string>> {
  const inodes = new Set<string>()
  let fds: string[]
  try {
    fds = await readdir(`/proc/${pid}/fd`)
  } catch {
    return inodes // gone, or another user's
  }
  await Promise.all(
    fds.map(async (fd) => {
      try {
        const m = /^socket:\[(\d+)\]$/.exec(await readlink(`/proc/${pid}/fd/${fd}`))
        if (m) inodes.add(m[1])
      } catch {
        // closed meanwhile
      }
    }),
  )
  return inodes
}

/** /proc/net/tcp prints addresses as host-order 32-bit words in hex: 0100007F is 127.0.0.1. */
export function decodeAddress(hex: string): string {
  if (hex.length === 8) {
    const bytes = Buffer.from(hex, 'hex').reverse()
    return [...bytes].join('.')
  }
  const words: Buffer[] = []
  for (let i = 0; i < 32; i += 8) words.push(Buffer.from(hex.slice(i, i + 8), 'hex').reverse())
  const bytes = Buffer.concat(words)
  // IPv4-mapped (::ffff:a.b.c.d) reads better as the IPv4 address it stands for.
  if (bytes.subarray(0, 10).every((b) => b === 0) && bytes[10] === 0xff && bytes[11] === 0xff) {
    return `::ffff:${[...bytes.subarray(12)].join('.')}`
  }
  const groups: string[] = []
  for (let i = 0; i < 16; i += 2) groups.push(bytes.readUInt16BE(i).toString(16))
  return compressIpv6(groups)
}

function compressIpv6(groups: string[]): string {
  // Longest run of zero groups becomes '::'.
  let bestStart = -1
  let bestLen = 0
  for (let i = 0; i < groups.length;) {
    if (groups[i] !== '0') {
      i++
      continue
    }
    let j = i
    while (j < groups.length && groups[j] === '0') j++
    if (j - i > bestLen) {
      bestStart = i
      bestLen = j - i
    }
    i = j
  }
  if (bestLen < 2) return groups.join(':')
  return `${groups.slice(0, bestStart).join(':')}::${groups.slice(bestStart + bestLen).join(':')}`
}
