import type { Slice } from '../app/store.js'

export interface Toast {
  id: number
  kind: 'alert' | 'cleared' | 'error'
  title: string
  message: string
  time: number
}

export interface AlertsSlice {
  toasts: Toast[]
  /** The id the next toast gets. */
  nextToastId: number
  pushToast(toast: Omit<Toast, 'id'>): number
  dismissToast(id: number): void
}

/** Toasts on screen at once; older ones give way. */
const MAX_TOASTS = 4

export const createAlertsSlice: Slice<AlertsSlice> = (set, get) => ({
  toasts: [],
  nextToastId: 1,
  pushToast: (toast) => {
    const id = get().nextToastId
    set((s) => ({ nextToastId: id + 1, toasts: [...s.toasts, { ...toast, id }].slice(-MAX_TOASTS) }))
    return id
  },
  dismissToast: (id) => set((s) => ({ toasts: s.toasts.filter((t) => t.id !== id) })),
})
