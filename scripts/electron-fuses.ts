/**
 * The fuses of a packaged lab app: switches compiled into Electron's binary that no command line or
 * environment variable can turn back on. Off: running the binary as plain Node (ELECTRON_RUN_AS_NODE),
 * NODE_OPTIONS, and --inspect/--remote-debugging style arguments, so nobody can turn the app into a
 * Node runtime with the app's permissions or attach a debugger to it. The lab runs its own workers on
 * a separate Node (src/core/workers/programs.ts), so it needs none of them. file:// gets no extra
 * privileges either: the page comes from the app's own scheme (src/main/app-protocol.ts).
 *
 *   npm run fuses -- <path of the packaged app's Electron binary>
 *
 * The asar fuses stay as they are: the lab is not packaged into an asar archive.
 */
import { resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { flipFuses, FuseV1Options, FuseVersion, type FuseV1Config } from '@electron/fuses'

export const LAB_FUSES = {
  version: FuseVersion.V1,
  [FuseV1Options.RunAsNode]: false,
  [FuseV1Options.EnableNodeOptionsEnvironmentVariable]: false,
  [FuseV1Options.EnableNodeCliInspectArguments]: false,
  [FuseV1Options.EnableCookieEncryption]: true,
  [FuseV1Options.GrantFileProtocolExtraPrivileges]: false,
} as const satisfies FuseV1Config

/** Writes the lab's fuses into one Electron binary (macOS: the .app; it is re-signed ad hoc). */
export async function applyLabFuses(electronBinary: string): Promise<void> {
  await flipFuses(electronBinary, { ...LAB_FUSES, resetAdHocDarwinSignature: process.platform === 'darwin' })
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const binary = process.argv[2]
  if (!binary) {
    console.error('Usage: npm run fuses -- <path of the packaged app’s Electron binary>')
    process.exit(2)
  }
  applyLabFuses(resolve(binary)).then(
    () => console.log(`Fuses set on ${resolve(binary)}: RunAsNode, NODE_OPTIONS and inspect arguments are off.`),
    (err: unknown) => {
      console.error(
        `Could not set the fuses on ${resolve(binary)}: ${err instanceof Error ? err.message : String(err)}`,
      )
      process.exit(1)
    },
  )
}
