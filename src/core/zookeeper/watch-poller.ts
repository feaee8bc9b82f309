/**
 * Polls every server the lab runs for its watches (`wchc`, `wchs`) and connections (`cons`) once a
 * second, skipping a round while the last one runs, and records the graph and the sessions when they
 * change (`zookeeper.watches`, `zookeeper.sessions`). A server that does not answer (stopped, paused,
 * not serving) is left out of that round.
 */
import type { ZooKeeperSessions, ZooKeeperWatches } from '../../shared/events.js'
import type { LabState } from '../../shared/lab-state.js'
import { sendFourLetterWord } from './four-letter-words.js'
import type { ServerInfo } from './provider.js'
import { buildWatchGraph, type ServerWatchPoll } from './watch-graph.js'
import { parseCons, parseWchc, parseWchs } from './watch-words.js'

export const WATCH_POLL_INTERVAL_MS = 1000
/** Shorter than the interval: a paused server must not hold up the next round for long. */
const ANSWER_TIMEOUT_MS = 800

export interface WatchPollerHooks {
  servers(): ServerInfo[]
  state(): Pick<LabState, 'workers' | 'tree'>
  onWatches(graph: ZooKeeperWatches): void
  onSessions(sessions: ZooKeeperSessions): void
}

export class WatchPoller {
  private timer?: NodeJS.Timeout
  private busy = false
  private stopped = false
  private lastWatches = ''
  private lastSessions = ''

  constructor(private readonly hooks: WatchPollerHooks) {}

  start(): void {
    this.timer = setInterval(() => void this.round(), WATCH_POLL_INTERVAL_MS)
    this.timer.unref()
  }

  stop(): void {
    this.stopped = true
    clearInterval(this.timer)
  }

  /** One poll of every server; a round asked for while another runs is skipped. */
  async round(): Promise<void> {
    if (this.busy) return
    this.busy = true
    try {
      const servers = this.hooks.servers().filter((s) => s.state === 'running' || s.state === 'unknown')
      const polls = (await Promise.all(servers.map((s) => pollServer(s)))).filter((p) => p !== undefined)
      if (this.stopped) return // stopped while asking: the session is closing
      const { watches, sessions } = buildWatchGraph(polls, this.hooks.state())
      const watchKey = JSON.stringify(watches)
      if (watchKey !== this.lastWatches) {
        this.lastWatches = watchKey
        this.hooks.onWatches(watches)
      }
      // Queues and last operations change with every request: a new snapshot only when the connections do.
      const sessionKey = JSON.stringify(sessions.connections.map(({ outstanding: _queued, lastOp: _op, ...c }) => c))
      if (sessionKey !== this.lastSessions) {
        this.lastSessions = sessionKey
        this.hooks.onSessions(sessions)
      }
    } finally {
      this.busy = false
    }
  }
}

async function pollServer(server: ServerInfo): Promise<ServerWatchPoll | undefined> {
  const ask = (word: 'wchc' | 'wchs' | 'cons') =>
    sendFourLetterWord(server.clientPort, word, { host: server.host, timeoutMs: ANSWER_TIMEOUT_MS })
  try {
    const [wchc, wchs, cons] = await Promise.all([ask('wchc'), ask('wchs'), ask('cons')])
    return { server: server.name, watches: parseWchc(wchc), totals: parseWchs(wchs), connections: parseCons(cons) }
  } catch {
    return undefined
  }
}
