/**
 * The one place untrusted output becomes typed events: the shapes of what the lab's own child programs
 * print on stdout (src/shared/events/child-events.ts), checked with zod as each line comes in. Every
 * schema keeps fields it does not name, as the line had them; the compiler holds each schema to its
 * payload type, and the map below to the full list of child event types.
 */
import { z } from 'zod'
import type { ChildEventPayloads, ChildEventType, ZnodeStat } from '../../shared/events.js'

const int = z.number().int()
const text = z.string()
const loose = z.looseObject

const childError = loose({ message: text, code: z.union([z.number(), z.string()]).optional() })
const connection = loose({
  state: z.enum(['connecting', 'connected', 'expired', 'closed']),
  sessionId: text.optional(),
  replaced: z.boolean().optional(),
  code: z.number().optional(),
  reason: text.optional(),
})
const publisherTask = loose({ task: text, path: text, sessionId: text })
const monitorTask = loose({ task: text })
const alertKind = z.enum(['status-stopped', 'no-instance', 'commit-stalled'])
const sessionPause = loose({ sessionId: text })
const stat: z.ZodType<ZnodeStat> = loose({
  czxid: text,
  mzxid: text,
  pzxid: text,
  ctime: z.number(),
  mtime: z.number(),
  version: int,
  cversion: int,
  ephemeralOwner: text,
  dataLength: int,
  numChildren: int,
})
const znode = { path: text, stat, data: text, truncated: z.boolean().optional() }

export const childEventSchemas: { [T in ChildEventType]: z.ZodType<ChildEventPayloads[T]> } = {
  'worker.started': loose({ task: text, workerId: int, strategy: text, pid: int }),
  'worker.connected': loose({ sessionId: text, replaced: z.boolean() }),
  'worker.connection': connection,
  'worker.registered': loose({ node: text, path: text }),
  'worker.role': loose({
    role: z.enum(['primary', 'standby']),
    node: text,
    smallest: text.optional(),
    predecessor: text.nullable().optional(),
    reason: text.optional(),
  }),
  'worker.status': loose({ value: z.enum(['1', '0']), version: int, reason: z.literal('last-out').optional() }),
  'worker.work': loose({ id: int, reconciled: z.boolean().optional(), gtid: text.optional(), rows: int.optional() }),
  'worker.commit': loose({ id: int, gtid: text.optional(), version: int, fastForward: z.boolean().optional() }),
  'worker.watch': loose({ path: text, event: z.enum(['created', 'deleted', 'changed', 'child', 'notwatching']) }),
  'worker.error': childError,
  'worker.exiting': loose({
    reason: z.enum(['signal', 'stdin-closed']),
    signal: text.optional(),
    sessionClosed: z.boolean(),
  }),
  'worker.watching': loose({ path: text, predecessor: text }),
  'worker.suspended': sessionPause,
  'worker.resumed': sessionPause,
  'worker.reconciled': loose({
    lastCommit: int,
    sinkLast: int,
    appended: z.array(int),
    fastForwardTo: int.nullable(),
    resumeAfter: text.optional(),
    skip: loose({ gtid: text, index: int }).optional(),
  }),
  'worker.fenced': loose({
    id: int,
    version: int,
    reason: z.enum(['session', 'badversion', 'lease', 'node-deleted', 'expired', 'lost', 'claim']),
    message: text.optional(),
    code: z.union([z.number(), z.string()]).optional(),
  }),
  'worker.stream': loose({
    state: z.enum(['started', 'error', 'stopped']),
    gtid: text,
    message: text.optional(),
    attempt: int.optional(),
    retryInMs: z.number().optional(),
  }),
  'publisher.created': publisherTask,
  'publisher.exists': publisherTask,
  'publisher.deleted': loose({ task: text, path: text, sessionId: text, existed: z.boolean() }),
  'publisher.error': childError,
  'monitor.watching': monitorTask,
  'monitor.status': loose({ task: text, value: text }),
  'monitor.alert': loose({ task: text, kind: alertKind, message: text }),
  'monitor.cleared': loose({ task: text, kind: alertKind, reason: z.literal('task-deleted').optional() }),
  'monitor.unwatched': monitorTask,
  'monitor.connection': connection,
  'monitor.error': childError,
  'znode.created': loose(znode),
  'znode.changed': loose({ ...znode, cause: z.enum(['data', 'children']).optional() }),
  'znode.deleted': loose({ path: text }),
  'observer.synced': loose({ count: int, resync: z.boolean().optional() }),
  'observer.connection': connection,
  'observer.error': childError,
}

const isChildEventType = (type: string): type is ChildEventType => Object.hasOwn(childEventSchemas, type)

/** The payload of a child's event line if `type` is a child event type and `fields` fit it; else undefined. */
export function parseChildPayload(
  type: string,
  fields: unknown,
): { type: ChildEventType; payload: ChildEventPayloads[ChildEventType] } | undefined {
  if (!isChildEventType(type)) return undefined
  const result = childEventSchemas[type].safeParse(fields)
  return result.success ? { type, payload: result.data } : undefined
}
