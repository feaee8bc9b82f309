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
  pushToast(toast: Omit<Toast, 'id'>): number
  dismissToast(id: number): void
}

/** Toasts on screen at once; older ones give way. */
const MAX_TOASTS = 4
let nextToastId = 1

export const createAlertsSlice: Slice<AlertsSlice> = (set) => ({
  toasts: [],
  pushToast: (toast) => {
    const id = nextToastId++
    set((s) => ({ toasts: [...s.toasts, { ...toast, id }].slice(-MAX_TOASTS) }))
    return id
  },
  dismissToast: (id) => set((s) => ({ toasts: s.toasts.filter((t) => t.id !== id) })),
})
