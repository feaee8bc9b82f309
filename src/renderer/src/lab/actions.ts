import { useCallback, useState } from 'react'
import { useStore } from '../app/store.js'

/** Error text without the transport's prefix, as a user should read it. */
export function errorText(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).replace(/^Error: /, '')
}

/**
 * Runs a lab call for a button: tracks whether it is in flight and shows a failure as an error toast
 * (unless the caller shows it inline).
 */
export function useLabAction<A extends unknown[]>(
  title: string,
  call: (...args: A) => Promise<unknown>,
  options: { toast?: boolean } = {},
): { run: (...args: A) => Promise<boolean>; busy: boolean; error?: string; clearError(): void } {
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string>()
  const toast = options.toast ?? true
  const run = useCallback(
    async (...args: A) => {
      setBusy(true)
      setError(undefined)
      try {
        await call(...args)
        return true
      } catch (err) {
        const message = errorText(err)
        setError(message)
        if (toast) useStore.getState().pushToast({ kind: 'error', title, message, time: Date.now() })
        return false
      } finally {
        setBusy(false)
      }
    },
    [call, title, toast],
  )
  return { run, busy, error, clearError: useCallback(() => setError(undefined), []) }
}
