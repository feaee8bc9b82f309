export {}

declare global {
  interface Window {
    labInfo?: { versions: { electron: string; chrome: string; node: string } }
  }
}
