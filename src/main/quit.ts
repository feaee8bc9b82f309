/** What quitting needs from Electron's app. */
export interface QuitApp {
  on(event: 'will-quit', listener: (event: { preventDefault(): void }) => void): unknown
  quit(): void
}

/** What quitting needs from the lab. */
export interface DisposableLab {
  dispose(): Promise<void>
  killAllNow(): void
}

/**
 * Holds the app's exit until the lab has closed its session, so no ZooKeeper server or worker outlives
 * the app. `will-quit` comes after every window has closed, so no renderer is still calling the lab.
 * The first `will-quit` is prevented, the lab disposed, then the app quits for real; a dispose that
 * hangs or fails is cut short by killing every child at once. (Electron turns SIGINT and SIGTERM into
 * app.quit(), so they take this path too; SIGKILL is covered by the reaper, which ends every child's process group.)
 */
export function disposeLabOnQuit(
  app: QuitApp,
  lab: DisposableLab,
  options: { timeoutMs?: number; log?: (message: string) => void } = {},
): void {
  const { timeoutMs = 15_000, log = console.error } = options
  let state: 'running' | 'disposing' | 'done' = 'running'
  app.on('will-quit', (event) => {
    if (state === 'done') return
    event.preventDefault()
    if (state === 'disposing') return
    state = 'disposing'
    let timer: NodeJS.Timeout | undefined
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`the lab did not close within ${timeoutMs} ms`)), timeoutMs)
    })
    void Promise.race([lab.dispose(), timeout])
      .catch((error: unknown) => {
        log(`Closing the lab failed (${error instanceof Error ? error.message : String(error)}); ending its processes.`)
        lab.killAllNow()
      })
      .finally(() => {
        clearTimeout(timer)
        state = 'done'
        app.quit()
      })
  })
}
