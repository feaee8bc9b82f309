import { AlertsList } from '../alerts/AlertsList'
import { useStore } from '../app/store'
import { QuickStart } from './QuickStart'
import { TasksSection } from './TasksSection'
import { ZooKeeperSection } from './ZooKeeperSection'

export function ClusterPanel() {
  const loaded = useStore((s) => s.loaded)
  return (
    <aside className="cluster-panel" aria-label="Cluster">
      {!loaded ? (
        <p className="empty">Loading the lab's state…</p>
      ) : (
        <>
          <AlertsList />
          <QuickStart />
          <ZooKeeperSection />
          <TasksSection />
        </>
      )}
    </aside>
  )
}
