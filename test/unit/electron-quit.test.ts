/** The quit sequence (src/main/quit.ts): the app exits only after the lab has closed its processes. */
import { EventEmitter } from 'node:events'
import { describe, expect, it, vi } from 'vitest'
import { disposeLabOnQuit } from '../../src/main/quit.js'

/** Like Electron's app: quit() emits will-quit, and the process exits unless a listener prevents it. */
function fakeApp() {
  const emitter = new EventEmitter()
  const app = Object.assign(emitter, {
    exits: 0,
    quit: vi.fn(() => {
      let prevented = false
      emitter.emit('will-quit', { preventDefault: () => (prevented = true) })
      if (!prevented) app.exits++
    }),
  })
  return app
}

function deferred() {
  let resolve!: () => void
  let reject!: (error: Error) => void
  const promise = new Promise<void>((res, rej) => {
    resolve = res
    reject = rej
  })
  return { promise, resolve, reject }
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 0))

describe('disposeLabOnQuit', () => {
  it('holds the exit until the lab is disposed, then quits once', async () => {
    const app = fakeApp()
    const disposing = deferred()
    const lab = { dispose: vi.fn(() => disposing.promise), killAllNow: vi.fn() }
    disposeLabOnQuit(app, lab)

    app.quit()
    app.quit() // a second request while the lab is closing changes nothing
    expect(app.exits).toBe(0)
    expect(lab.dispose).toHaveBeenCalledTimes(1)

    disposing.resolve()
    await settle()
    expect(app.exits).toBe(1)
    expect(lab.dispose).toHaveBeenCalledTimes(1)
    expect(lab.killAllNow).not.toHaveBeenCalled()
  })

  it('kills every child and still quits when disposing fails', async () => {
    const app = fakeApp()
    const lab = { dispose: vi.fn(async () => Promise.reject(new Error('journal is closed'))), killAllNow: vi.fn() }
    const log = vi.fn()
    disposeLabOnQuit(app, lab, { log })
    app.quit()
    await settle()
    expect(lab.killAllNow).toHaveBeenCalledTimes(1)
    expect(log).toHaveBeenCalledWith(expect.stringContaining('journal is closed'))
    expect(app.exits).toBe(1)
  })

  it('does not wait forever for a lab that hangs', async () => {
    const app = fakeApp()
    const lab = { dispose: vi.fn(() => new Promise<void>(() => {})), killAllNow: vi.fn() }
    const log = vi.fn()
    disposeLabOnQuit(app, lab, { timeoutMs: 20, log })
    app.quit()
    await new Promise((resolve) => setTimeout(resolve, 60))
    expect(lab.killAllNow).toHaveBeenCalledTimes(1)
    expect(log).toHaveBeenCalledWith(expect.stringContaining('did not close within 20 ms'))
    expect(app.exits).toBe(1)
  })
})
