/**
 * The Electron IPC wiring (src/main/ipc.ts) with a fake ipcMain and fake webContents: the subject is
 * the wiring (one handler per method, sender check, validation, forwarding), not Electron itself.
 */
import { EventEmitter } from 'node:events'
import type { IpcMainInvokeEvent } from 'electron'
import { describe, expect, it, vi } from 'vitest'
import { forwardLabEvents, registerLabIpc } from '../../src/main/ipc.js'
import { SenderCheck } from '../../src/main/sender-check.js'
import { EventBatcher } from '../../src/core/journal/event-batcher.js'
import {
  IPC_EVENTS_CHANNEL,
  LAB_METHOD_NAMES,
  LabMethods,
  ipcChannel,
  parseLabCall,
  type LabCalls,
  type LabMethod,
} from '../../src/shared/api.js'
import type { LabEvent } from '../../src/shared/events.js'

const APP_URL = 'zklab://app/index.html'

type Handler = (event: IpcMainInvokeEvent, arg?: unknown) => Promise<unknown>

/** Behaves like ipcMain for handle/removeHandler, including refusing a second handler on a channel. */
function fakeIpcMain() {
  const handlers = new Map<string, Handler>()
  return {
    handlers,
    handle(channel: string, listener: Handler) {
      if (handlers.has(channel)) throw new Error(`Attempted to register a second handler for '${channel}'`)
      handlers.set(channel, listener)
    },
    removeHandler(channel: string) {
      handlers.delete(channel)
    },
  }
}

/** A lab whose every method records its argument and answers `result:<method>`. */
function fakeLab() {
  const lab = Object.fromEntries(
    LAB_METHOD_NAMES.map((m) => [m, vi.fn(async () => `result:${m}`)]),
  ) as unknown as LabCalls & Record<LabMethod, ReturnType<typeof vi.fn>>
  return lab
}

function event(senderId: number, url: string, parent: unknown = null): IpcMainInvokeEvent {
  return { sender: { id: senderId }, senderFrame: { url, parent } } as unknown as IpcMainInvokeEvent
}

function setUp(options: { consent?: boolean } = {}) {
  const ipcMain = fakeIpcMain()
  const lab = fakeLab()
  const senders = new SenderCheck({ rendererDir: '/opt/zklab/out/renderer' })
  const window = Object.assign(new EventEmitter(), { id: 1 })
  senders.trust(window)
  // The user's answer in the native dialog; every question asked is recorded.
  const confirmProgram = vi.fn(async (_request: { program: string; message: string }) => options.consent ?? false)
  const dispose = registerLabIpc({ ipcMain, lab, isTrustedSender: senders.isTrusted, confirmProgram })
  const invoke = (method: LabMethod, arg?: unknown, from = event(1, APP_URL)) => {
    const handler = ipcMain.handlers.get(ipcChannel(method))
    if (!handler) throw new Error(`no handler for ${method}`)
    return handler(from, arg)
  }
  return { ipcMain, lab, invoke, dispose, window, confirmProgram }
}

function labEvent(seq: number): LabEvent {
  return { seq, time: 1000 + seq, source: 'lab', type: 'session.closing' }
}

describe('registerLabIpc', () => {
  it('registers exactly one handler per Lab method, on lab:<method>, and removes them all', () => {
    const { ipcMain, dispose } = setUp()
    expect([...ipcMain.handlers.keys()].sort()).toEqual(LAB_METHOD_NAMES.map((m) => `lab:${m}`).sort())
    // The names list the preload uses and the schema table the handlers validate with are the same set.
    expect([...LAB_METHOD_NAMES].sort()).toEqual(Object.keys(LabMethods).sort())
    dispose()
    expect(ipcMain.handlers.size).toBe(0)
  })

  it.each([
    ['another webContents', event(2, APP_URL)],
    ['a page of another origin in the app window', event(1, 'https://evil.example/')],
    ['another local file in the app window', event(1, 'file:///tmp/evil.html')],
    ['a subframe of the app page', event(1, APP_URL, { url: APP_URL })],
    ['a frame that is gone', { sender: { id: 1 }, senderFrame: null } as unknown as IpcMainInvokeEvent],
  ])('refuses a call from %s without reaching the lab', async (_label, from) => {
    const { lab, invoke } = setUp()
    await expect(invoke('publishTask', { task: 'task01' }, from)).rejects.toThrow(/Refused lab:publishTask/)
    await expect(invoke('snapshot', undefined, from)).rejects.toThrow(/Refused lab:snapshot/)
    expect(lab.publishTask).not.toHaveBeenCalled()
    expect(lab.snapshot).not.toHaveBeenCalled()
  })

  it('stops trusting a window once it is destroyed', async () => {
    const { lab, invoke, window } = setUp()
    await expect(invoke('snapshot')).resolves.toBe('result:snapshot')
    window.emit('destroyed')
    await expect(invoke('snapshot')).rejects.toThrow(/Refused/)
    expect(lab.snapshot).toHaveBeenCalledTimes(1)
  })

  it.each<[LabMethod, unknown, RegExp]>([
    ['publishTask', { task: 'a/b' }, /publishTask: task: .*must not contain "\/"/],
    ['addWorkers', { task: 't', count: 0 }, /addWorkers: count: /],
    ['processAction', { name: 'x', action: 'explode' }, /processAction: action: /],
    ['zooKeeperAction', { server: 0, action: 'kill' }, /server: /],
    ['createSession', { name: 'x', evil: true }, /createSession: .*evil/],
    ['removeWorker', 'worker-1', /removeWorker: argument: /],
    ['snapshot', { anything: 1 }, /snapshot: argument: /],
  ])('rejects %s(%j) with a message naming the field, without reaching the lab', async (method, arg, message) => {
    const { lab, invoke } = setUp()
    const rejection = invoke(method, arg)
    await expect(rejection).rejects.toThrow(message)
    // A plain Error: only the message crosses to the renderer.
    await expect(rejection).rejects.toSatisfy((error: Error) => error.constructor === Error && error.name === 'Error')
    expect(lab[method]).not.toHaveBeenCalled()
  })

  it('passes the parsed argument to the lab and returns its result', async () => {
    const { lab, invoke } = setUp()
    lab.addWorkers.mockResolvedValueOnce(['worker-task01-1', 'worker-task01-2'])
    await expect(invoke('addWorkers', { task: 'task01', count: 2 })).resolves.toEqual([
      'worker-task01-1',
      'worker-task01-2',
    ])
    expect(lab.addWorkers).toHaveBeenCalledTimes(1)
    expect(lab.addWorkers).toHaveBeenCalledWith(parseLabCall('addWorkers', { task: 'task01', count: 2 }).input)

    // Defaults are filled in by the schema before the lab sees the call.
    await invoke('recentEvents', { afterSeq: 5 })
    expect(lab.recentEvents).toHaveBeenCalledWith({ afterSeq: 5, limit: 10_000 })

    await expect(invoke('snapshot')).resolves.toBe('result:snapshot')
    expect(lab.snapshot).toHaveBeenCalledWith(undefined)
  })

  it('calls the lab with the lab as `this`', async () => {
    const { invoke, lab } = setUp()
    await invoke('closeSession')
    expect(lab.closeSession.mock.contexts).toHaveLength(1)
    expect(lab.closeSession.mock.contexts[0]).toBe(lab)
  })

  it("turns the lab's own failures into plain Errors with its message", async () => {
    const { lab, invoke } = setUp()
    class SessionError extends Error {
      override name = 'SessionError'
    }
    lab.deleteTask.mockRejectedValueOnce(new SessionError('No session is open; create one first.'))
    const rejection = invoke('deleteTask', { task: 'task01' })
    await expect(rejection).rejects.toThrow('No session is open; create one first.')
    await expect(rejection).rejects.toSatisfy((error: Error) => error.constructor === Error)
  })
})

describe('calls that need more than a valid argument', () => {
  it.each<[LabMethod, unknown]>([
    ['setSessionsDir', { dir: '/tmp' }],
    ['createSession', { name: 'x', dir: '/etc/zklab' }],
    ['createSession', { sessionsDir: '/tmp/elsewhere' }],
  ])('refuses %s(%j): folders are chosen in the main process, not by the page', async (method, arg) => {
    const { lab, invoke, confirmProgram } = setUp({ consent: true })
    await expect(invoke(method, arg)).rejects.toThrow(/not by a page/)
    expect(lab[method]).not.toHaveBeenCalled()
    expect(confirmProgram).not.toHaveBeenCalled()
  })

  it('lets the page ask for the folder dialog and create a session in the chosen folder', async () => {
    const { lab, invoke } = setUp()
    await expect(invoke('chooseSessionsFolder')).resolves.toBe('result:chooseSessionsFolder')
    await expect(invoke('createSession', { name: 'x' })).resolves.toBe('result:createSession')
    expect(lab.createSession).toHaveBeenCalledWith({ name: 'x' })
  })

  const external = { task: 'task01', count: 1, external: { command: '/bin/sh', args: ['-c', 'touch /tmp/owned'] } }

  it('asks before running a program the page names, and runs nothing when the user declines', async () => {
    const { lab, invoke, confirmProgram } = setUp({ consent: false })
    await expect(invoke('addWorkers', external)).rejects.toThrow(
      /would run "\/bin\/sh -c touch \/tmp\/owned".*declined in the app's dialog/,
    )
    expect(confirmProgram).toHaveBeenCalledTimes(1)
    expect(confirmProgram.mock.calls[0][0].program).toBe('/bin/sh -c touch /tmp/owned')
    expect(lab.addWorkers).not.toHaveBeenCalled()
    await expect(invoke('startZooKeeper', { home: '/opt/other-zookeeper' })).rejects.toThrow(/declined/)
    expect(confirmProgram.mock.calls[1][0].program).toContain('/opt/other-zookeeper')
    expect(lab.startZooKeeper).not.toHaveBeenCalled()
  })

  it('runs it once the user said Run, and asks nothing for the lab’s own workers', async () => {
    const { lab, invoke, confirmProgram } = setUp({ consent: true })
    await expect(invoke('addWorkers', external)).resolves.toBe('result:addWorkers')
    expect(lab.addWorkers).toHaveBeenCalledTimes(1)
    await invoke('addWorkers', { task: 'task01', count: 2 })
    await invoke('startZooKeeper')
    expect(confirmProgram).toHaveBeenCalledTimes(1)
  })
})

/** A webContents stand-in: an emitter with send/isDestroyed, destroyed on demand. */
function fakeContents() {
  const emitter = new EventEmitter()
  let destroyed = false
  const send = vi.fn()
  return Object.assign(emitter, {
    send,
    isDestroyed: () => destroyed,
    destroy() {
      destroyed = true
      emitter.emit('destroyed')
    },
    markDestroyedSilently() {
      destroyed = true
    },
  })
}

describe('forwardLabEvents', () => {
  it('sends every batch on the events channel until the window is destroyed', () => {
    const batcher = new EventBatcher(1_000_000)
    const contents = fakeContents()
    forwardLabEvents({ subscribe: (l) => batcher.subscribe(l) }, contents)

    batcher.push(labEvent(1))
    batcher.push(labEvent(2))
    batcher.flush()
    expect(contents.send).toHaveBeenCalledTimes(1)
    expect(contents.send).toHaveBeenCalledWith(IPC_EVENTS_CHANNEL, [labEvent(1), labEvent(2)])

    contents.destroy()
    batcher.push(labEvent(3))
    batcher.flush()
    expect(contents.send).toHaveBeenCalledTimes(1)
    // The subscription itself is gone, not just muted.
    expect((batcher as unknown as { listeners: Set<unknown> }).listeners.size).toBe(0)
  })

  it('sends nothing to a webContents that is already destroyed', () => {
    const batcher = new EventBatcher(1_000_000)
    const contents = fakeContents()
    forwardLabEvents({ subscribe: (l) => batcher.subscribe(l) }, contents)
    contents.markDestroyedSilently()
    batcher.push(labEvent(1))
    batcher.flush()
    expect(contents.send).not.toHaveBeenCalled()
  })

  it('can be stopped early, and then forgets the window', () => {
    const batcher = new EventBatcher(1_000_000)
    const contents = fakeContents()
    const stop = forwardLabEvents({ subscribe: (l) => batcher.subscribe(l) }, contents)
    stop()
    batcher.push(labEvent(1))
    batcher.flush()
    expect(contents.send).not.toHaveBeenCalled()
    expect(contents.listenerCount('destroyed')).toBe(0)
  })
})
