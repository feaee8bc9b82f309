/**
 * What a caller from outside the lab's own process (the app's page over Electron IPC, a page or a
 * program over the browser bridge) may ask for. The Lab API runs programs by design, so the shells
 * decide, with this one rule set, which calls need more than a validated argument:
 *
 * - `host-only`: where the lab writes or which folders it reads is chosen by whoever started it (a CLI
 *   flag, a native dialog in the main process), never by a page;
 * - `runs-program`: the call would run a program the caller chose (an external worker's command line, a
 *   ZooKeeper distribution's classpath, a Docker container). Electron asks its user in a native dialog;
 *   browser mode refuses unless `zklab serve --allow-external` was given.
 *
 * Input is the call's argument after `parseLabCall` validated it.
 */
import type { LabMethod } from './lab-methods.js'

export type RemoteGate =
  | { kind: 'host-only'; message: string }
  | {
      kind: 'runs-program'
      message: string
      /** What the program would be, for a confirmation dialog. */ program: string
    }

type Fields = Record<string, unknown> | undefined

export function remoteCallGate(method: LabMethod, input: unknown): RemoteGate | undefined {
  const fields = (input && typeof input === 'object' ? input : undefined) as Fields
  switch (method) {
    case 'setSessionsDir':
      return {
        kind: 'host-only',
        message:
          'The sessions folder is chosen where the lab was started (zklab serve --sessions-dir, or the app’s folder dialog), not by a page.',
      }
    case 'createSession':
      if (fields?.dir !== undefined || fields?.sessionsDir !== undefined) {
        return {
          kind: 'host-only',
          message:
            'A session’s folder is chosen by the lab (under its sessions folder), not by a page: leave out dir and sessionsDir.',
        }
      }
      return undefined
    case 'addWorkers':
    case 'runScenario': {
      // A peer strategy (seed-go, kazoo, curator) is not gated: its program and command line are the
      // lab's own, built from the lab's sources with the toolchains the set-up installed, exactly as
      // the lab's worker is; the page chooses only which of them, as it chooses seed or recipe.
      const external = fields?.external as { command?: unknown; args?: unknown } | undefined
      if (!external) return undefined
      const args = Array.isArray(external.args) ? external.args.map(String) : []
      const program = [String(external.command), ...args].join(' ')
      return { kind: 'runs-program', program, message: `This would run ${JSON.stringify(program)} as a worker.` }
    }
    case 'startZooKeeper':
      if (typeof fields?.home === 'string') {
        return {
          kind: 'runs-program',
          program: `java from ${fields.home}`,
          message: `This would run the ZooKeeper found in ${JSON.stringify(fields.home)}.`,
        }
      }
      if (fields?.mode === 'docker') {
        return {
          kind: 'runs-program',
          program: 'docker run zookeeper',
          message: 'This would start ZooKeeper containers through the Docker engine.',
        }
      }
      return undefined
    default:
      return undefined
  }
}
