import { StrictMode } from 'react'
import { createRoot } from 'react-dom/client'
import { App } from './App.js'
import { useStore } from './app/store.js'
import { initialTheme } from './app/theme.js'
import { savedExternalCommand } from './external/ExternalCommandField.js'
import './styles/base.css'

// Set before the first paint, so a dark-mode user never sees a light flash.
const theme = initialTheme()
document.documentElement.dataset.theme = theme
useStore.getState().setTheme(theme)
useStore.getState().setExternalCommand(savedExternalCommand())

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
)
