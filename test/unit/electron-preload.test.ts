/**
 * The preload (src/preload/index.ts) run against a fake `electron` module, and its bundle built the way
 * `electron-vite build` builds it, to prove a sandboxed renderer can load it.
 */
import { EventEmitter } from 'node:events'
import { describe, expect, it, vi } from 'vitest'
import { IPC_EVENTS_CHANNEL, LAB_METHOD_NAMES } from '../../src/shared/api.js'
import type { LabEvent } from '../../src/shared/events.js'

const fake = vi.hoisted(() => {
  const exposed = new Map<string, unknown>()
  return { exposed }
})

vi.mock('electron', async () => {
  const { EventEmitter: Emitter } = await import('node:events')
  const { vi: mocks } = await import('vitest')
  const ipcRenderer = Object.assign(new Emitter(), { invoke: mocks.fn() })
  return {
    contextBridge: { exposeInMainWorld: (key: string, api: unknown) => fake.exposed.set(key, api) },
    ipcRenderer,
  }
})

const electron = (await import('electron')) as unknown as {
  ipcRenderer: EventEmitter & { invoke: ReturnType<typeof vi.fn> }
}
await import('../../src/preload/index.js')
const lab = fake.exposed.get('lab') as Record<string, (...args: unknown[]) => unknown>

describe('preload', () => {
  it('exposes window.lab (one function per Lab method plus subscribe) and window.labInfo, nothing else', () => {
    expect([...fake.exposed.keys()].sort()).toEqual(['lab', 'labInfo'])
    expect(Object.keys(lab).sort()).toEqual([...LAB_METHOD_NAMES, 'subscribe'].sort())
    for (const value of Object.values(lab)) expect(typeof value).toBe('function')
    expect(fake.exposed.get('labInfo')).toHaveProperty('versions')
  })

  it('calls each method through ipcRenderer.invoke on lab:<method> and returns the answer', async () => {
    const { invoke } = electron.ipcRenderer
    for (const method of LAB_METHOD_NAMES) {
      invoke.mockResolvedValueOnce({ answered: method })
      await expect(lab[method]({ probe: method })).resolves.toEqual({ answered: method })
      expect(invoke).toHaveBeenLastCalledWith(`lab:${method}`, { probe: method })
    }
    invoke.mockResolvedValueOnce({ lastSeq: 0 })
    await lab.snapshot()
    expect(invoke).toHaveBeenLastCalledWith('lab:snapshot', undefined)
  })

  it("hands the renderer the handler's message without Electron's wrapping", async () => {
    electron.ipcRenderer.invoke.mockRejectedValueOnce(
      new Error(
        `Error invoking remote method 'lab:publishTask': Error: Invalid argument for publishTask: task: must not contain "/"`,
      ),
    )
    await expect(lab.publishTask({ task: 'a/b' })).rejects.toThrow(
      /^Invalid argument for publishTask: task: must not contain "\/"$/,
    )
  })

  it('passes only the batch to a subscriber, never the IPC event, and unsubscribes', () => {
    const listener = vi.fn()
    const unsubscribe = lab.subscribe(listener) as () => void
    const batch = [{ seq: 1, time: 1, source: 'lab', type: 'session.created' }] as LabEvent[]
    const ipcEvent = { sender: electron.ipcRenderer, ports: [] }
    electron.ipcRenderer.emit(IPC_EVENTS_CHANNEL, ipcEvent, batch)
    expect(listener).toHaveBeenCalledTimes(1)
    expect(listener.mock.calls[0]).toEqual([batch])

    unsubscribe()
    expect(electron.ipcRenderer.listenerCount(IPC_EVENTS_CHANNEL)).toBe(0)
    electron.ipcRenderer.emit(IPC_EVENTS_CHANNEL, ipcEvent, batch)
    expect(listener).toHaveBeenCalledTimes(1)
  })

  it('refuses a subscriber that is not a function', () => {
    expect(() => lab.subscribe('not a function')).toThrow(TypeError)
    expect(electron.ipcRenderer.listenerCount(IPC_EVENTS_CHANNEL)).toBe(0)
  })
})

describe('preload bundle', () => {
  it("requires nothing but 'electron' when built by electron-vite (a sandboxed preload can load nothing else)", async () => {
    const { loadConfigFromFile, PreloadConfigFactory } = await import('electron-vite')
    const { build, mergeConfig } = await import('vite')
    const { config } = await loadConfigFromFile({ command: 'build', mode: 'production' }, 'electron.vite.config.ts')
    // The project's own preload settings and electron-vite's own preload plugins, written to memory only.
    const viteConfig = await new PreloadConfigFactory(config.preload ?? {}, {}, {}).build()
    const result = await build(
      mergeConfig(viteConfig, { configFile: false, logLevel: 'silent', build: { write: false } }),
    )
    const chunks = (Array.isArray(result) ? result : [result])
      .flatMap((r) => ('output' in r ? r.output : []))
      .filter((o) => o.type === 'chunk')
    expect(chunks.map((c) => c.fileName)).toEqual(['index.cjs'])
    const code = chunks[0].code
    expect([...code.matchAll(/require\(\s*["']([^"']+)["']\s*\)/g)].map((m) => m[1])).toEqual(['electron'])
    expect(code).not.toMatch(/\bimport\s*\(|^\s*import\s/m)
    expect(code).toContain('exposeInMainWorld("lab"')
  })
})
