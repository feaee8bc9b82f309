import { describe, expect, it } from 'vitest'
import { BRIDGE_CLOSE, type BridgeRequest } from '../../src/shared/bridge-protocol.js'
import type { LabEvent } from '../../src/shared/events.js'
import { RpcClient, type RpcSocket } from '../../src/shared/rpc-client.js'

/** A socket driven by the test: what the client sent, and the lab's side of the conversation. */
class ScriptedSocket implements RpcSocket {
  readyState = 0
  readonly sent: BridgeRequest[] = []
  private readonly listeners = new Map<string, Array<(event: never) => void>>()

  send(frame: string): void {
    this.sent.push(JSON.parse(frame) as BridgeRequest)
  }
  addEventListener(type: string, listener: (event: never) => void): void {
    this.listeners.set(type, [...(this.listeners.get(type) ?? []), listener])
  }
  private emit(type: string, event: unknown): void {
    for (const l of this.listeners.get(type) ?? []) (l as (event: unknown) => void)(event)
  }
  open(): void {
    this.readyState = 1
    this.emit('open', {})
  }
  reply(message: unknown): void {
    this.emit('message', { data: JSON.stringify(message) })
  }
  closeWith(code: number, reason = ''): void {
    this.readyState = 3
    this.emit('close', { code, reason })
  }
}

const lost = (reason: string | undefined) => `lost${reason ? `: ${reason}` : ''}`

describe('the bridge RPC client', () => {
  it('matches replies to calls in any order, turns refusals into errors and hands event batches on', async () => {
    const socket = new ScriptedSocket()
    const rpc = new RpcClient({ whileClosed: 'fail', lostMessage: lost })
    rpc.attach(socket)
    socket.open()
    const batches: LabEvent[][] = []
    rpc.onEvents((batch) => batches.push(batch))
    const lab = rpc.methods()
    const snapshot = lab.snapshot()
    const publish = lab.publishTask({ task: 'task01' })
    expect(socket.sent.map((c) => c.method)).toEqual(['snapshot', 'publishTask'])
    const [first, second] = socket.sent
    socket.reply({ id: second.id, ok: false, error: 'task: already exists' })
    socket.reply('a JSON string, not a message')
    socket.reply(null)
    socket.reply({ events: [{ seq: 1, time: 1, source: 'lab', type: 'lab.started' }] })
    socket.reply({ id: first.id, ok: true, result: { lastSeq: 7 } })
    await expect(publish).rejects.toThrow('task: already exists')
    await expect(snapshot).resolves.toEqual({ lastSeq: 7 })
    expect(batches).toHaveLength(1)
  })

  it('fails what is pending when the connection closes, with the bridge’s reason for its own close codes', async () => {
    const socket = new ScriptedSocket()
    const rpc = new RpcClient({ whileClosed: 'fail', lostMessage: lost })
    rpc.attach(socket)
    socket.open()
    const call = rpc.call('snapshot')
    socket.closeWith(BRIDGE_CLOSE.tryAgain, 'fell behind')
    await expect(call).rejects.toThrow('lost: fell behind')
    await expect(rpc.call('snapshot')).rejects.toThrow('The connection to the lab is closed.')

    const other = new ScriptedSocket()
    rpc.attach(other)
    other.open()
    const next = rpc.call('snapshot')
    other.closeWith(1006, 'abnormal')
    await expect(next).rejects.toThrow(/^lost$/)
  })

  it('queues calls until a socket opens when asked to, and refuses an oversized call alone', async () => {
    const rpc = new RpcClient({ whileClosed: 'queue', lostMessage: lost, maxCallBytes: 100 })
    const socket = new ScriptedSocket()
    rpc.attach(socket)
    const waiting = rpc.call('snapshot')
    await expect(rpc.call('publishTask', { task: 'x'.repeat(200) })).rejects.toThrow(
      /publishTask: the call is larger than the lab accepts/,
    )
    expect(socket.sent).toHaveLength(0)
    socket.open()
    expect(socket.sent.map((c) => c.method)).toEqual(['snapshot'])
    socket.reply({ id: socket.sent[0].id, ok: true, result: 'ok' })
    await expect(waiting).resolves.toBe('ok')
  })
})
