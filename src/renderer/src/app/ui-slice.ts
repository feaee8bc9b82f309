import type { Slice } from './store.js'

export type Theme = 'light' | 'dark'
export type MainTab = 'tree' | 'watches' | 'logs' | 'timeline' | 'experiments' | 'verdicts' | 'library'

export interface UiSlice {
  theme: Theme
  mainTab: MainTab
  /** The command line typed for external workers (task cards and scenario runs share it). */
  externalCommand: string
  setTheme(theme: Theme): void
  setMainTab(tab: MainTab): void
  setExternalCommand(text: string): void
}

export const createUiSlice: Slice<UiSlice> = (set) => ({
  theme: 'light',
  mainTab: 'tree',
  externalCommand: '',
  setTheme: (theme) => set({ theme }),
  setMainTab: (mainTab) => set({ mainTab }),
  setExternalCommand: (externalCommand) => set({ externalCommand }),
})
