import { useEffect } from 'react'
import { useStore } from '../app/store.js'
import type { Toast } from './alerts-slice.js'

const TOAST_MS = { alert: 6000, cleared: 5000, error: 9000 } as const

export function Toasts() {
  const toasts = useStore((s) => s.toasts)
  return (
    <div className="toasts" aria-live="polite" aria-label="Notifications">
      {toasts.map((t) => (
        <ToastItem key={t.id} toast={t} />
      ))}
    </div>
  )
}

function ToastItem({ toast }: { toast: Toast }) {
  const dismiss = useStore((s) => s.dismissToast)
  useEffect(() => {
    const timer = setTimeout(() => dismiss(toast.id), TOAST_MS[toast.kind])
    return () => clearTimeout(timer)
  }, [toast.id, toast.kind, dismiss])
  return (
    <div className={`toast toast-${toast.kind}`} role={toast.kind === 'cleared' ? 'status' : 'alert'}>
      <div className="toast-body">
        <strong>{toast.title}</strong>
        <span>{toast.message}</span>
      </div>
      <button
        type="button"
        className="btn btn-ghost btn-small"
        aria-label="Dismiss notification"
        onClick={() => dismiss(toast.id)}
      >
        ✕
      </button>
    </div>
  )
}
