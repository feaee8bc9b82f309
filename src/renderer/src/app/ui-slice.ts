import type { Slice } from './store.js'

export type Theme = 'light' | 'dark'
export type MainTab = 'tree' | 'logs' | 'timeline' | 'experiments' | 'verdicts' | 'library'

export interface UiSlice {
  theme: Theme
  mainTab: MainTab
  setTheme(theme: Theme): void
  setMainTab(tab: MainTab): void
}

export const createUiSlice: Slice<UiSlice> = (set) => ({
  theme: 'light',
  mainTab: 'tree',
  setTheme: (theme) => set({ theme }),
  setMainTab: (mainTab) => set({ mainTab }),
})
