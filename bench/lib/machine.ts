/** The machine a run was on, so numbers are never read without it. */
import { spawnSync } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { cpus, release, totalmem } from 'node:os'

export interface Machine {
  cpuModel: string
  cores: number
  memoryGb: number
  kernel: string
  os: string
  virtualized: boolean
  node: string
  java?: string
  chromium?: string
}

export function describeMachine(): Machine {
  const cpu = cpus()
  const osRelease = existsSync('/etc/os-release') ? readFileSync('/etc/os-release', 'utf8') : ''
  const pretty = /^PRETTY_NAME="?([^"\n]+)"?/m.exec(osRelease)?.[1] ?? process.platform
  const debian = existsSync('/etc/debian_version') ? ` (${readFileSync('/etc/debian_version', 'utf8').trim()})` : ''
  return {
    cpuModel: cpu[0]?.model ?? '?',
    cores: cpu.length,
    memoryGb: Math.round((totalmem() / 1024 ** 3) * 10) / 10,
    kernel: release(),
    os: pretty + debian,
    virtualized: /\bhypervisor\b/.test(readFileSync('/proc/cpuinfo', 'utf8')),
    node: process.version,
    java: run('java', ['-version'])?.split('\n')[0],
    chromium: run(process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', ['--version']),
  }
}

function run(cmd: string, args: string[]): string | undefined {
  // java -version answers on stderr.
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 10_000 })
  if (r.error || r.status !== 0) return undefined
  return r.stdout.trim() || r.stderr.trim() || undefined
}

export function machineLine(m: Machine, zkVersion?: string): string {
  return `${m.cpuModel}, ${m.cores} cores${m.virtualized ? ' (VM)' : ''}, ${m.memoryGb} GB, ${m.os}, Linux ${m.kernel}; Node ${m.node}; ${m.java ?? 'java ?'}; ${zkVersion ? `ZooKeeper ${zkVersion}; ` : ''}${m.chromium ?? 'Chromium ?'}`
}
