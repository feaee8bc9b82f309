/**
 * Parsers for srvr, stat, mntr and conf, on answers captured from Debian's ZooKeeper 3.8.0
 * (test/unit/fixtures/zookeeper-4lw/), and the TCP client against a local socket.
 */
import { readFileSync } from 'node:fs'
import { createServer, type Server } from 'node:net'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import {
  FourLetterWordError,
  NOT_SERVING,
  parseConf,
  parseMntr,
  parseSrvr,
  parseStat,
  ruok,
  sendFourLetterWord,
  srvr,
} from '../../src/core/zookeeper/four-letter-words.js'
import { findFreePorts } from '../../src/core/zookeeper/ports.js'

const fixture = (name: string) => readFileSync(join(import.meta.dirname, 'fixtures', 'zookeeper-4lw', name), 'utf8')
const VERSION = '3.8.0-${mvngit.commit.id}, built on 2024-12-29 17:54 UTC'

describe('parseSrvr', () => {
  it('reads a standalone server with traffic', () => {
    expect(parseSrvr(fixture('standalone-srvr.txt'))).toEqual({
      serving: true,
      version: '3.8.0',
      latency: { min: 0, avg: 1.5, max: 6 },
      received: 17,
      sent: 16,
      connections: 1,
      outstanding: 0,
      zxid: '0xb',
      mode: 'standalone',
      nodeCount: 10,
    })
  })

  it('reads a leader, with its proposal sizes', () => {
    const leader = parseSrvr(fixture('leader-srvr.txt'))
    expect(leader).toMatchObject({ serving: true, mode: 'leader', zxid: '0x100000000', nodeCount: 5 })
    expect(leader.serving && leader.proposalSizes).toEqual({ last: -1, min: -1, max: -1 })
  })

  it('reads a follower', () => {
    const follower = parseSrvr(fixture('follower-srvr.txt'))
    expect(follower).toMatchObject({ serving: true, mode: 'follower' })
    expect(follower.serving && follower.proposalSizes).toBeUndefined()
  })

  it('detects a server that runs but does not serve', () => {
    const text = fixture('not-serving-srvr.txt')
    expect(text).toContain(NOT_SERVING)
    expect(parseSrvr(text)).toEqual({ serving: false, raw: NOT_SERVING })
    // ruok still says imok meanwhile: that is why readiness waits for srvr as well.
    expect(fixture('not-serving-ruok.txt')).toBe('imok')
  })

  it('rejects an answer that is not srvr', () => {
    expect(() => parseSrvr('hello')).toThrow(FourLetterWordError)
  })
})

describe('parseStat', () => {
  it('adds the client connections to srvr', () => {
    const stat = parseStat(fixture('follower-stat.txt'))
    expect(stat).toMatchObject({ serving: true, mode: 'follower', received: 5, sent: 4 })
    expect(stat.serving && stat.clients).toEqual(['/127.0.0.1:49918[0](queued=0,recved=1,sent=0)'])
  })

  it('detects not serving', () => {
    expect(parseStat(fixture('not-serving-stat.txt')).serving).toBe(false)
  })
})

describe('parseMntr', () => {
  it('maps every key, numbers as numbers', () => {
    const result = parseMntr(fixture('standalone-mntr.txt'))
    if (!result.serving) throw new Error('expected serving')
    const v = result.values
    expect(v.zk_version).toBe(VERSION)
    expect(v.zk_server_state).toBe('standalone')
    expect(v.zk_znode_count).toBe(10)
    expect(v.zk_avg_latency).toBe(1.5)
    expect(v.zk_global_sessions).toBe(6)
    expect(Object.keys(v).length).toBeGreaterThan(300)
  })

  it('reads a leader', () => {
    const result = parseMntr(fixture('leader-mntr.txt'))
    expect(result.serving && result.values.zk_server_state).toBe('leader')
  })

  it('detects not serving', () => {
    expect(parseMntr(fixture('not-serving-mntr.txt'))).toEqual({ serving: false, raw: NOT_SERVING })
  })
})

describe('parseConf', () => {
  it('reads key=value lines', () => {
    const conf = parseConf(fixture('standalone-conf.txt'))
    expect(conf.tickTime).toBe('500')
    expect(conf.minSessionTimeout).toBe('1000')
    expect(conf.maxSessionTimeout).toBe('60000')
    expect(conf.dataDir).toMatch(/\/zookeeper\/zk-1\/data\/version-2$/)
  })
})

describe('sendFourLetterWord over TCP', () => {
  let server: Server | undefined
  afterEach(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())))

  /** A stand-in socket that answers like ZooKeeper does: writes the answer and closes. */
  const answering = (answer: string | undefined) =>
    new Promise<number>((resolve) => {
      server = createServer((socket) => {
        socket.once('data', () => {
          if (answer !== undefined) socket.end(answer)
        })
        socket.on('error', () => {})
      })
      server.listen(0, '127.0.0.1', () => resolve((server!.address() as { port: number }).port))
    })

  it('returns the whole answer', async () => {
    const port = await answering(fixture('leader-srvr.txt'))
    expect(await srvr(port)).toMatchObject({ serving: true, mode: 'leader' })
  })

  it('reads imok', async () => {
    expect(await ruok(await answering('imok'))).toBe(true)
  })

  it('turns a whitelist refusal into NOT_WHITELISTED', async () => {
    const port = await answering(fixture('not-whitelisted-mntr.txt'))
    await expect(sendFourLetterWord(port, 'mntr')).rejects.toMatchObject({ code: 'NOT_WHITELISTED' })
  })

  it('times out on a server that accepts but never answers (a paused JVM)', async () => {
    const port = await answering(undefined)
    await expect(sendFourLetterWord(port, 'srvr', { timeoutMs: 300 })).rejects.toMatchObject({ code: 'ETIMEDOUT' })
  })

  it('reports a refused connection', async () => {
    const [port] = await findFreePorts(1)
    await expect(ruok(port)).rejects.toMatchObject({ code: 'ECONNREFUSED' })
  })
})
