import type { LabBridge } from './lab-bridge.js'

declare global {
  interface Window {
    /** The Lab API, present in Electron only (the preload puts it there); browser mode has none. */
    lab?: LabBridge
    labInfo?: { versions: { electron: string; chrome: string; node: string } }
  }
}
