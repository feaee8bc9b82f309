/** The main process's native dialogs (src/main/dialogs.ts), against a fake `dialog` that records what it was asked. */
import type { BrowserWindow } from 'electron'
import { describe, expect, it, vi } from 'vitest'
import { folderDialog, programConsentDialog } from '../../src/main/dialogs.js'

const win = { id: 1 } as unknown as BrowserWindow

describe('folderDialog', () => {
  it('opens a folder-only dialog on the window and returns the chosen folder', async () => {
    const showOpenDialog = vi.fn(async () => ({ canceled: false, filePaths: ['/home/me/sessions'] }))
    const choose = folderDialog({ showOpenDialog }, () => win)
    await expect(choose()).resolves.toBe('/home/me/sessions')
    const [parent, options] = showOpenDialog.mock.calls[0] as unknown as [BrowserWindow, { properties: string[] }]
    expect(parent).toBe(win)
    expect(options.properties).toEqual(['openDirectory', 'createDirectory'])
  })

  it('returns null when the user cancels', async () => {
    const showOpenDialog = vi.fn(async () => ({ canceled: true, filePaths: [] }))
    await expect(folderDialog({ showOpenDialog }, () => undefined)()).resolves.toBeNull()
  })
})

describe('programConsentDialog', () => {
  const ask = (response: number) => {
    const showMessageBox = vi.fn(async () => ({ response, checkboxChecked: false }))
    const confirm = programConsentDialog({ showMessageBox }, () => win)
    return { confirm, showMessageBox }
  }

  it('shows the program on the window with Run and Cancel, Cancel the default', async () => {
    const { confirm, showMessageBox } = ask(1)
    await expect(
      confirm({ program: '/bin/sh -c rm', message: 'This would run "/bin/sh -c rm" as a worker.' }),
    ).resolves.toBe(false)
    const [parent, options] = showMessageBox.mock.calls[0] as unknown as [BrowserWindow, Record<string, unknown>]
    expect(parent).toBe(win)
    expect(options).toMatchObject({
      buttons: ['Run', 'Cancel'],
      defaultId: 1,
      cancelId: 1,
      message: 'This would run "/bin/sh -c rm" as a worker.',
    })
    expect(options.detail).toContain('/bin/sh -c rm')
  })

  it('says yes only for Run', async () => {
    await expect(ask(0).confirm({ program: 'x', message: 'm' })).resolves.toBe(true)
  })
})
