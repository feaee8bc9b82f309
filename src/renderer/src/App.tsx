import { useEffect } from 'react'
import { Header } from './app/Header.js'
import { MainTabs } from './app/MainTabs.js'
import { startClock } from './app/clock.js'
import { useThemeSync } from './app/theme.js'
import { ClusterPanel } from './cluster/ClusterPanel.js'
import { ReplayBar } from './library/ReplayBar.js'
import { Toasts } from './alerts/Toasts.js'
import { startLabConnection } from './lab/connection.js'

export function App() {
  useThemeSync()
  useEffect(() => startLabConnection(), [])
  useEffect(() => startClock(), [])
  return (
    <div className="app">
      <Header />
      <ReplayBar />
      <div className="workspace">
        <ClusterPanel />
        <MainTabs />
      </div>
      <Toasts />
    </div>
  )
}
