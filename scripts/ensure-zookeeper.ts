/**
 * Makes sure this machine can run the lab's ZooKeeper (Java + a ZooKeeper distribution) and, with
 * --with-chromium, the browser tests (Debian's /usr/bin/chromium) and the report tests' PDF check
 * (poppler's pdftoppm) and, with --with-peers, the peer strategies' toolchains (Go and go-zookeeper,
 * python3-kazoo, a JDK and Curator) and, with --with-faketime, libfaketime (Debian's `faketime`), which
 * runs a worker with its clock skewed and which the clock-skew test needs, and, with --with-mariadb,
 * Debian's mariadb-server (mariadbd, mariadb-install-db, mariadb-binlog), the binlog workload's source;
 * its system service is never started (the lab runs private servers only). Idempotent: when everything is
 * there it prints one line and exits 0 without touching apt. Otherwise, on Debian/Ubuntu as root (or
 * with password-less sudo) it installs the missing packages with apt-get; elsewhere it names what is
 * missing and the command that installs it, and exits 1 (0 with --keep-going: `npm start` and
 * `npm run serve` start the app anyway, and the app shows the same problem with a "Check again").
 *
 *   tsx scripts/ensure-zookeeper.ts [--with-chromium] [--with-peers] [--with-faketime] [--with-mariadb] [--no-install] [--keep-going]
 *
 * The checks live in src/core/setup, which the lab uses too.
 */
import { ensureSetup, messageOf, type SetupCheck } from '../src/core/setup/index.js'

const args = new Set(process.argv.slice(2))
const keepGoing = args.has('--keep-going')
const started = Date.now()
const say = (line: string) => console.error(`ensure-zookeeper: ${line}`)

function summary(c: SetupCheck): string {
  const parts = [
    `Java ${c.java!.version} (${c.java!.path})`,
    `ZooKeeper ${c.zookeeper!.version} (${c.zookeeper!.kind}: ${c.zookeeper!.classpath[0]})`,
  ]
  if (c.chromium) parts.push(`Chromium (${c.chromium})`)
  if (c.peers) parts.push(`peers ${c.peers.join(', ')}`)
  if (c.faketime) parts.push(`libfaketime (${c.faketime})`)
  if (c.mariadb) parts.push(`MariaDB (${c.mariadb})`)
  return `ensure-zookeeper: ok: ${parts.join(', ')} [${Date.now() - started} ms]`
}

async function main(): Promise<number> {
  const result = await ensureSetup({
    chromium: args.has('--with-chromium'),
    peers: args.has('--with-peers'),
    faketime: args.has('--with-faketime'),
    mariadb: args.has('--with-mariadb'),
    mayInstall: !args.has('--no-install'),
    log: say,
  })
  if (result.ok) {
    console.log(summary(result.check))
    return 0
  }
  for (const p of result.check.problems) say(p.message)
  if (result.install) say(`to install: ${result.install}`)
  if (result.reason) say(result.reason)
  if (!keepGoing) return 1
  say('starting the lab anyway: it shows this too, with a "Check again" button.')
  return 0
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    say(messageOf(err))
    process.exit(keepGoing ? 0 : 1)
  },
)
