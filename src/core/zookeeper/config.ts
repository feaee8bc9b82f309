import { join } from 'node:path'
import type { ZooKeeperInstallation } from './distribution.js'

/**
 * What the lab writes into each server's folder (zoo.cfg, logging config, myid) and the JVM command
 * line that runs it. Pure functions, so they are unit-tested without starting Java.
 */

export type ZooKeeperLogLevel = 'DEBUG' | 'INFO' | 'WARN' | 'ERROR'

export interface ZooCfgInput {
  dataDir: string
  clientPort: number
  /** ZooKeeper's time unit in ms. The lab's default 500 lets sessions time out after 1 s (2 ticks). */
  tickTime: number
  /** Upper bound a client may ask for; ZooKeeper's default (20 ticks) would silently cap a lab's 30 s session. */
  maxSessionTimeoutMs?: number
  /** Off by default in the lab: it simulates process crashes, not power loss, and fsync on a busy CI disk stalls the quorum. */
  forceSync?: boolean
  /** Ensemble members; absent for a standalone server. */
  peers?: { id: number; quorumPort: number; electionPort: number }[]
  /** Ticks a follower may take to connect and sync to a leader. */
  initLimit?: number
  /** Ticks a follower may lag before the leader drops it (and a paused leader is noticed). */
  syncLimit?: number
  /** Anything else, written last so it wins. */
  extra?: Record<string, string | number | boolean>
}

export function renderZooCfg(input: ZooCfgInput): string {
  const lines: [string, string | number | boolean][] = [
    ['tickTime', input.tickTime],
    ['dataDir', input.dataDir],
    ['clientPort', input.clientPort],
    // Loopback only: a lab must not expose an unauthenticated ZooKeeper to the network.
    ['clientPortAddress', '127.0.0.1'],
    ['minSessionTimeout', 2 * input.tickTime],
    ['maxSessionTimeout', Math.max(input.maxSessionTimeoutMs ?? 60_000, 2 * input.tickTime)],
    // The admin server is Jetty on 8080 by default: a port clash and a slower start for nothing the lab uses.
    ['admin.enableServer', false],
    // Health and metrics come from the four-letter words.
    ['4lw.commands.whitelist', '*'],
    ['forceSync', input.forceSync === true ? 'yes' : 'no'],
    // Transaction logs are preallocated in 64 MB steps by default; 4 MB keeps session folders small.
    ['preAllocSize', 4096],
    // Every lab client (workers, observer, monitor, proxies) comes from 127.0.0.1; the default 60 per address could run out.
    ['maxClientCnxns', 0],
  ]
  if (input.peers && input.peers.length > 0) {
    lines.push(['initLimit', input.initLimit ?? 20], ['syncLimit', input.syncLimit ?? 10])
    for (const peer of input.peers) {
      lines.push([`server.${peer.id}`, `127.0.0.1:${peer.quorumPort}:${peer.electionPort}`])
    }
  }
  for (const [key, value] of Object.entries(input.extra ?? {})) lines.push([key, value])
  return `# Written by ZooKeeper Failover Lab; rewritten on every start.\n${lines.map(([k, v]) => `${k}=${v}`).join('\n')}\n`
}

/** log4j 1.2 (Debian's package, ZooKeeper before 3.8): everything to stdout, which the supervisor keeps. */
export function renderLog4jProperties(level: ZooKeeperLogLevel = 'INFO'): string {
  return [
    `log4j.rootLogger=${level}, CONSOLE`,
    'log4j.appender.CONSOLE=org.apache.log4j.ConsoleAppender',
    'log4j.appender.CONSOLE.Target=System.out',
    'log4j.appender.CONSOLE.layout=org.apache.log4j.PatternLayout',
    'log4j.appender.CONSOLE.layout.ConversionPattern=%d{ISO8601} %-5p [%t] %c{1} - %m%n',
    '',
  ].join('\n')
}

/** logback (Apache's tarballs from 3.8 on). */
export function renderLogbackXml(level: ZooKeeperLogLevel = 'INFO'): string {
  return `<configuration>
  <appender name="CONSOLE" class="ch.qos.logback.core.ConsoleAppender">
    <target>System.out</target>
    <encoder><pattern>%d{ISO8601} %-5p [%t] %logger{0} - %m%n</pattern></encoder>
  </appender>
  <root level="${level}"><appender-ref ref="CONSOLE"/></root>
</configuration>
`
}

export const STANDALONE_MAIN = 'org.apache.zookeeper.server.ZooKeeperServerMain'
export const QUORUM_MAIN = 'org.apache.zookeeper.server.quorum.QuorumPeerMain'

export interface JvmOptions {
  heapMb?: number
  /**
   * The servers' tickTime: the election's longest wait between notification rounds keeps ZooKeeper's
   * ratio to it (60 s at its default tick of 2000 ms), so an election after a long quorum loss does not
   * back off for a minute on the lab's shorter ticks.
   */
  tickTimeMs?: number
  /** Replaces the lab's light-JVM flags (not the heap, logging or classpath). */
  jvmFlags?: string[]
}

/**
 * A lab runs up to five servers on a small machine, so each JVM is kept light: a small heap, the
 * serial collector (no GC threads per core) and the C1 compiler only (starts faster; ZooKeeper's
 * load here never needs C2).
 */
export const DEFAULT_JVM_FLAGS = [
  '-XX:+UseSerialGC',
  '-XX:TieredStopAtLevel=1',
  '-XX:-UsePerfData',
  '-Djava.net.preferIPv4Stack=true',
]

/** ZooKeeper's default longest wait between election notifications (60 000 ms) in its default ticks (2000 ms). */
export const NOTIFICATION_INTERVAL_TICKS = 30

/** The `java` arguments for one server whose config and logging files are in `serverDir`. */
export function javaArgs(
  installation: ZooKeeperInstallation,
  serverDir: string,
  mainClass: string,
  opts: JvmOptions = {},
): string[] {
  // The server folder comes first on the classpath, the way zkEnv.sh puts the conf folder first.
  const classpath = [serverDir, ...installation.zookeeper.classpath].join(process.platform === 'win32' ? ';' : ':')
  return [
    `-Xmx${opts.heapMb ?? 256}m`,
    ...(opts.jvmFlags ?? DEFAULT_JVM_FLAGS),
    '-Dzookeeper.admin.enableServer=false',
    ...(opts.tickTimeMs !== undefined
      ? [`-Dzookeeper.fastleader.maxNotificationInterval=${NOTIFICATION_INTERVAL_TICKS * opts.tickTimeMs}`]
      : []),
    `-Dzookeeper.log.dir=${serverDir}`,
    `-Dlog4j.configuration=file:${join(serverDir, 'log4j.properties')}`,
    `-Dlogback.configurationFile=${join(serverDir, 'logback.xml')}`,
    '-Dorg.slf4j.simpleLogger.logFile=System.out',
    '-cp',
    classpath,
    mainClass,
    join(serverDir, 'zoo.cfg'),
  ]
}
