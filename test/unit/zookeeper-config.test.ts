/** What the lab writes for a server (zoo.cfg, JVM command line), ports, /proc decoding, connect strings. */
import { createServer } from 'node:net'
import { describe, expect, it } from 'vitest'
import {
  DEFAULT_JVM_FLAGS,
  javaArgs,
  renderLog4jProperties,
  renderZooCfg,
  STANDALONE_MAIN,
} from '../../src/core/zookeeper/config.js'
import type { ZooKeeperInstallation } from '../../src/core/zookeeper/distribution.js'
import { ZooKeeperPortInUseError } from '../../src/core/zookeeper/errors.js'
import { parseConnectString } from '../../src/core/zookeeper/external.js'
import { assertPortFree, findFreePorts, isPortFree } from '../../src/core/zookeeper/ports.js'
import { decodeAddress } from '../../src/core/zookeeper/proc-net.js'

const cfgLines = (text: string) =>
  Object.fromEntries(
    text
      .split('\n')
      .filter((l) => l.includes('='))
      .map((l) => l.split(/=(.*)/s).slice(0, 2) as [string, string]),
  )

describe('renderZooCfg', () => {
  it('binds a standalone server to loopback with short ticks and every four-letter word', () => {
    const cfg = cfgLines(renderZooCfg({ dataDir: '/s/zookeeper/zk-1/data', clientPort: 21000, tickTime: 500 }))
    expect(cfg).toMatchObject({
      tickTime: '500',
      dataDir: '/s/zookeeper/zk-1/data',
      clientPort: '21000',
      clientPortAddress: '127.0.0.1',
      minSessionTimeout: '1000',
      maxSessionTimeout: '60000',
      'admin.enableServer': 'false',
      '4lw.commands.whitelist': '*',
      forceSync: 'no',
    })
    expect(cfg['server.1']).toBeUndefined()
  })

  it('lists every peer on loopback for an ensemble, extra lines last', () => {
    const text = renderZooCfg({
      dataDir: '/d',
      clientPort: 1,
      tickTime: 200,
      peers: [
        { id: 1, quorumPort: 11, electionPort: 12 },
        { id: 2, quorumPort: 21, electionPort: 22 },
        { id: 3, quorumPort: 31, electionPort: 32 },
      ],
      extra: { syncLimit: 3 },
    })
    const cfg = cfgLines(text)
    expect(cfg['server.2']).toBe('127.0.0.1:21:22')
    expect(cfg.initLimit).toBe('20')
    expect(text.trimEnd().endsWith('syncLimit=3')).toBe(true)
  })

  it('sends log4j output to stdout', () => {
    expect(renderLog4jProperties('WARN')).toContain('log4j.rootLogger=WARN, CONSOLE')
    expect(renderLog4jProperties()).toContain('Target=System.out')
  })
})

describe('javaArgs', () => {
  const installation: ZooKeeperInstallation = {
    java: { path: '/usr/bin/java', version: '17.0.15', major: 17 },
    zookeeper: {
      kind: 'debian',
      layout: 'debian',
      home: '/usr/share/java',
      classpath: ['/usr/share/java/zookeeper.jar', '/usr/share/java/log4j-1.2.jar'],
      version: '3.8.0',
      logging: 'log4j',
    },
  }

  it('keeps the JVM light and puts the server folder first on the classpath', () => {
    const args = javaArgs(installation, '/s/zk-1', STANDALONE_MAIN)
    expect(args.slice(0, 1 + DEFAULT_JVM_FLAGS.length)).toEqual(['-Xmx256m', ...DEFAULT_JVM_FLAGS])
    expect(DEFAULT_JVM_FLAGS).toEqual(expect.arrayContaining(['-XX:+UseSerialGC', '-XX:TieredStopAtLevel=1']))
    expect(args).toContain('-Dzookeeper.admin.enableServer=false')
    expect(args).toContain('-Dlog4j.configuration=file:/s/zk-1/log4j.properties')
    expect(args[args.indexOf('-cp') + 1]).toBe('/s/zk-1:/usr/share/java/zookeeper.jar:/usr/share/java/log4j-1.2.jar')
    expect(args.slice(-2)).toEqual([STANDALONE_MAIN, '/s/zk-1/zoo.cfg'])
  })

  it('takes another heap and flags', () => {
    const args = javaArgs(installation, '/s', STANDALONE_MAIN, { heapMb: 64, jvmFlags: ['-Xint'] })
    expect(args.slice(0, 2)).toEqual(['-Xmx64m', '-Xint'])
  })
})

describe('ports', () => {
  it('finds distinct free loopback ports', async () => {
    const ports = await findFreePorts(9)
    expect(new Set(ports).size).toBe(9)
    for (const p of ports) expect(await isPortFree(p)).toBe(true)
  })

  it('names a taken port, its holder and the fix', async () => {
    const server = createServer()
    const port = await new Promise<number>((resolve) =>
      server.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port)),
    )
    try {
      const err = await assertPortFree(port, 'client port of zk-1').catch((e: unknown) => e)
      expect(err).toBeInstanceOf(ZooKeeperPortInUseError)
      expect((err as ZooKeeperPortInUseError).port).toBe(port)
      expect((err as Error).message).toMatch(
        new RegExp(`^Port ${port} on 127\\.0\\.0\\.1 \\(client port of zk-1\\) is already in use`),
      )
      if (process.platform === 'linux') expect((err as Error).message).toContain(`pid ${process.pid}`)
    } finally {
      server.close()
    }
  })
})

describe('decodeAddress (/proc/net/tcp)', () => {
  it.each([
    ['0100007F', '127.0.0.1'],
    ['00000000', '0.0.0.0'],
    ['00000000000000000000000000000000', '::'],
    ['00000000000000000000000001000000', '::1'],
    ['0000000000000000FFFF00000100007F', '::ffff:127.0.0.1'],
  ])('%s → %s', (hex, address) => {
    expect(decodeAddress(hex)).toBe(address)
  })
})

describe('parseConnectString', () => {
  it('reads hosts, default port, IPv6 and chroot', () => {
    expect(parseConnectString('a:1,b,[::1]:3/lab')).toEqual({
      servers: [
        { host: 'a', port: 1 },
        { host: 'b', port: 2181 },
        { host: '::1', port: 3 },
      ],
      chroot: '/lab',
    })
    expect(() => parseConnectString(' ')).toThrow(/names no server/)
  })
})
