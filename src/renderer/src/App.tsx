import { useEffect } from 'react'
import { Header } from './app/Header'
import { MainTabs } from './app/MainTabs'
import { startClock } from './app/clock'
import { useThemeSync } from './app/theme'
import { ClusterPanel } from './cluster/ClusterPanel'
import { ReplayBar } from './library/ReplayBar'
import { Toasts } from './alerts/Toasts'
import { startLabConnection } from './lab/connection'

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
