import { useEffect, useLayoutEffect } from 'react'
import { useStore } from './store.js'
import type { Theme } from './ui-slice.js'

const STORAGE_KEY = 'zklab.theme'

/** The user's explicit choice, else the system's preference. */
export function initialTheme(): Theme {
  const saved = localStorage.getItem(STORAGE_KEY)
  if (saved === 'light' || saved === 'dark') return saved
  return matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light'
}

/** Keeps <html data-theme> in step with the store, and follows the system until the user picks one. */
export function useThemeSync(): void {
  const theme = useStore((s) => s.theme)
  // A layout effect: it runs before any panel's passive effect, so charts that read the palette from
  // CSS variables on a theme change read the new one.
  useLayoutEffect(() => {
    document.documentElement.dataset.theme = theme
    document.documentElement.style.colorScheme = theme
  }, [theme])
  useEffect(() => {
    const query = matchMedia('(prefers-color-scheme: dark)')
    const follow = (e: MediaQueryListEvent) => {
      if (!localStorage.getItem(STORAGE_KEY)) useStore.getState().setTheme(e.matches ? 'dark' : 'light')
    }
    query.addEventListener('change', follow)
    return () => query.removeEventListener('change', follow)
  }, [])
}

export function chooseTheme(theme: Theme): void {
  localStorage.setItem(STORAGE_KEY, theme)
  useStore.getState().setTheme(theme)
}
