/**
 * The frame of a long-running watcher program (monitor, observer): one Session, its connection
 * events reported, a rebuild on every new session, and a clean exit on SIGTERM/SIGINT or when the lab
 * goes away (session closed first, so nothing lingers in ZooKeeper).
 */
import type { MonitorEventTypes, ObserverEventTypes } from '../../shared/events.js'
import type { Emitter } from './emitter.js'
import { errorFields } from './emitter.js'
import { onParentGone, onStopSignals } from './lifecycle.js'
import { Session } from './session.js'
import type { ZkClient } from './zk.js'

export interface ServiceOptions {
  emit: Emitter['emit']
  /** Event types for connection changes and errors, e.g. 'monitor.connection' / 'monitor.error'. */
  connectionType: typeof MonitorEventTypes.connection | typeof ObserverEventTypes.connection
  errorType: typeof MonitorEventTypes.error | typeof ObserverEventTypes.error
  connect: string
  sessionTimeoutMs: number
  connectTimeoutMs: number
  /** Called for the first session and again after every expiry, with a fresh client to watch on. */
  onSession: (session: Session, client: ZkClient, replaced: boolean) => void
}

export async function runService(options: ServiceOptions): Promise<Session> {
  const { emit } = options
  const session = new Session({ connect: options.connect, sessionTimeoutMs: options.sessionTimeoutMs })
  let leaving = false

  const leave = (code: number) => {
    leaving = true
    session.close()
    process.exit(code)
  }
  const fail = (err: unknown) => {
    emit(options.errorType, errorFields(err), 'error')
    leave(1)
  }
  for (const event of ['uncaughtException', 'unhandledRejection'] as const) process.on(event, fail)
  onStopSignals(() => leave(0))
  onParentGone(() => leave(0))

  session.on('session', (client: ZkClient, sessionId: string, replaced: boolean) => {
    emit(options.connectionType, { state: 'connected', sessionId, replaced })
    options.onSession(session, client, replaced)
  })
  session.on('connected', (client: ZkClient) =>
    emit(options.connectionType, { state: 'connected', sessionId: client.sessionId }),
  )
  session.on('connecting', (client: ZkClient) =>
    emit(options.connectionType, { state: 'connecting', sessionId: client.sessionId }, 'warn'),
  )
  session.on('expired', (client: ZkClient) =>
    emit(options.connectionType, { state: 'expired', sessionId: client.sessionId }, 'warn'),
  )
  session.on('closed', (code: number) => {
    if (leaving) return
    emit(options.connectionType, { state: 'closed', code }, 'error')
    fail(new Error(`ZooKeeper session closed (code ${code})`))
  })

  try {
    await session.start(options.connectTimeoutMs)
  } catch (err) {
    fail(err)
  }
  return session
}
