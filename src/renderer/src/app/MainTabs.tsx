import type { KeyboardEvent } from 'react'
import { useStore } from './store.js'
import type { MainTab } from './ui-slice.js'
import { TreePanel } from '../tree/TreePanel.js'
import { WatchesPanel } from '../watches/WatchesPanel.js'
import { LogsPanel } from '../logs/LogsPanel.js'
import { TimelinePanel } from '../timeline/TimelinePanel.js'
import { ExperimentsPanel } from '../experiments/ExperimentsPanel.js'
import { VerdictsPanel } from '../experiments/VerdictsPanel.js'
import { LibraryPanel } from '../library/LibraryPanel.js'

const TABS: Array<{ id: MainTab; label: string }> = [
  { id: 'tree', label: 'Znode tree' },
  { id: 'watches', label: 'Watches' },
  { id: 'logs', label: 'Logs' },
  { id: 'timeline', label: 'Leadership timeline' },
  { id: 'experiments', label: 'Experiments' },
  { id: 'verdicts', label: 'Verdicts' },
  { id: 'library', label: 'Library' },
]

export function MainTabs() {
  const tab = useStore((s) => s.mainTab)
  const setTab = useStore((s) => s.setMainTab)
  const running = useStore((s) => s.scenario?.running === true)
  const violations = useStore((s) => s.violations.length)
  const failed = useStore((s) => s.verdicts?.verdicts.filter((v) => !v.ok).length ?? 0)
  const onKey = (e: KeyboardEvent) => {
    const i = TABS.findIndex((t) => t.id === tab)
    if (e.key === 'ArrowRight') setTab(TABS[(i + 1) % TABS.length].id)
    if (e.key === 'ArrowLeft') setTab(TABS[(i + TABS.length - 1) % TABS.length].id)
  }
  return (
    <main className="views">
      <div className="tabbar" role="tablist" aria-label="Views" onKeyDown={onKey}>
        {TABS.map((t) => (
          <button
            key={t.id}
            type="button"
            role="tab"
            id={`tab-${t.id}`}
            aria-selected={tab === t.id}
            aria-controls={`panel-${t.id}`}
            tabIndex={tab === t.id ? 0 : -1}
            className="tab"
            onClick={() => setTab(t.id)}
          >
            {t.label}
            {t.id === 'experiments' && running && (
              <span className="tab-dot" aria-hidden="true" title="A scenario is running" />
            )}
            {t.id === 'verdicts' && (violations > 0 || failed > 0) && (
              <span className="tab-count" aria-hidden="true">
                {violations || failed}
              </span>
            )}
          </button>
        ))}
      </div>
      <section className="view" role="tabpanel" id={`panel-${tab}`} aria-labelledby={`tab-${tab}`}>
        {tab === 'tree' && <TreePanel />}
        {tab === 'watches' && <WatchesPanel />}
        {tab === 'logs' && <LogsPanel />}
        {tab === 'timeline' && <TimelinePanel />}
        {tab === 'experiments' && <ExperimentsPanel />}
        {tab === 'verdicts' && <VerdictsPanel />}
        {tab === 'library' && <LibraryPanel />}
      </section>
    </main>
  )
}
