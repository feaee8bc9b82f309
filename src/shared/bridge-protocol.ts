/**
 * The browser bridge's wire format and limits, shared by `zklab serve` (src/core/bridge) and its
 * clients, the page and Node programs (both through rpc-client.ts): one JSON message per WebSocket text frame.
 */
import type { LabEvent } from './events.js'

export const BRIDGE_PATH = '/api'

export type BridgeRequest = { id: number; method: string; input?: unknown }
export type BridgeMessage =
  | { id: number; ok: true; result: unknown }
  | { id: number; ok: false; error: string; kind?: 'input' | 'lab' }
  | { events: LabEvent[] }

/** The largest call the bridge reads; a bigger frame closes that connection with 1009. */
export const BRIDGE_MAX_CALL_BYTES = 1024 * 1024

/** Close codes the bridge uses (RFC 6455): the page reconnects after each. */
export const BRIDGE_CLOSE = {
  /** The call was larger than BRIDGE_MAX_CALL_BYTES. */
  tooBig: 1009,
  /** The connection fell too far behind the lab's events: reconnect and reload snapshot + recent events. */
  tryAgain: 1013,
} as const
