import { isAppPageUrl, type AppPage } from './app-page.js'

/** What the check needs from an IPC event (Electron's IpcMainInvokeEvent has it). */
export interface IpcSender {
  sender: { id: number }
  senderFrame: { url: string; parent: unknown } | null
}

/** What the check needs from a window's webContents. */
export interface TrustableContents {
  id: number
  once(event: 'destroyed', listener: () => void): unknown
}

/**
 * The one place an IPC sender is judged. A message is trusted only when it comes from one of the app's
 * own windows AND from that window's top frame while it shows the app's own page (the app scheme's
 * origin, or the dev server's); a window that has somehow ended up elsewhere, or a frame inside it,
 * gets nothing.
 */
export class SenderCheck {
  private readonly trusted = new Set<number>()

  constructor(private readonly page: AppPage) {}

  /** Trusts a window's webContents until it is destroyed. */
  trust(contents: TrustableContents): void {
    const id = contents.id
    this.trusted.add(id)
    contents.once('destroyed', () => this.trusted.delete(id))
  }

  readonly isTrusted = (event: IpcSender): boolean => {
    if (!this.trusted.has(event.sender.id)) return false
    let frame: IpcSender['senderFrame']
    try {
      frame = event.senderFrame
    } catch {
      // Electron may refuse to hand out a frame that has navigated away or gone.
      return false
    }
    return frame !== null && frame.parent === null && isAppPageUrl(frame.url, this.page)
  }
}
