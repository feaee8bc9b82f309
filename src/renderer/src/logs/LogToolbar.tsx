import { useStore } from '../app/store.js'
import { Menu } from '../ui/Menu.js'
import { logBuffers, MERGED } from './log-store.js'
import { LEVELS } from './logs-slice.js'
import type { Matcher } from './log-search.js'

export function LogToolbar({
  matcher,
  onExport,
  shownCount,
}: {
  matcher: Matcher
  onExport(): void
  shownCount: number
}) {
  const sources = useStore((s) => s.logSources)
  const source = useStore((s) => s.logSource)
  const query = useStore((s) => s.logQuery)
  const regex = useStore((s) => s.logRegex)
  const caseSensitive = useStore((s) => s.logCaseSensitive)
  const levels = useStore((s) => s.logLevels)
  const hidden = useStore((s) => s.logHidden)
  const timestamps = useStore((s) => s.logTimestamps)
  const wrap = useStore((s) => s.logWrap)
  const { setLogSource, setLogQuery, setLogOptions, toggleLogLevel, toggleLogHidden, bumpLogs } = useStore.getState()
  return (
    <div className="log-toolbar">
      <div className="source-tabs" role="tablist" aria-label="Log source">
        {[MERGED, ...sources].map((s) => (
          <button
            key={s}
            type="button"
            role="tab"
            aria-selected={s === source}
            className="source-tab mono"
            onClick={() => setLogSource(s)}
          >
            {s === MERGED ? 'All processes' : s}
          </button>
        ))}
      </div>
      <div className="toolbar">
        <div className={`search ${matcher.kind === 'invalid' ? 'is-invalid' : ''}`}>
          <input
            type="search"
            className="input mono"
            placeholder={regex ? 'regular expression' : 'search'}
            aria-label="Search logs"
            aria-invalid={matcher.kind === 'invalid' || undefined}
            value={query}
            onChange={(e) => setLogQuery(e.target.value)}
          />
          <button
            type="button"
            className="toggle mono"
            aria-pressed={regex}
            aria-label="Regular expression"
            title="Regular expression"
            onClick={() => setLogOptions({ logRegex: !regex })}
          >
            .*
          </button>
          <button
            type="button"
            className="toggle mono"
            aria-pressed={caseSensitive}
            aria-label="Match case"
            title="Match case"
            onClick={() => setLogOptions({ logCaseSensitive: !caseSensitive })}
          >
            Aa
          </button>
        </div>
        {matcher.kind === 'invalid' && (
          <span className="field-error small" role="alert">
            Invalid regex: {matcher.error}
          </span>
        )}
        {matcher.kind === 'ok' && (
          <span className="small muted" aria-live="polite">
            {shownCount.toLocaleString('en')} matching
          </span>
        )}
        <div className="chips" role="group" aria-label="Levels">
          {LEVELS.map((level) => (
            <button
              key={level}
              type="button"
              className={`chip level-chip level-${level}`}
              aria-pressed={levels.has(level)}
              onClick={() => toggleLogLevel(level)}
            >
              {level}
            </button>
          ))}
        </div>
        {source === MERGED && (
          <Menu
            label={`Processes${hidden.size ? ` (${hidden.size} hidden)` : ''}`}
            ariaLabel="Processes shown"
            role="group"
            closeOnClick={false}
          >
            {sources.map((s) => (
              <label key={s} className="check mono small">
                <input type="checkbox" checked={!hidden.has(s)} onChange={() => toggleLogHidden(s)} />
                {s}
              </label>
            ))}
          </Menu>
        )}
        <span className="spacer" />
        <label className="check small">
          <input type="checkbox" checked={timestamps} onChange={() => setLogOptions({ logTimestamps: !timestamps })} />
          Timestamps
        </label>
        <label className="check small">
          <input type="checkbox" checked={wrap} onChange={() => setLogOptions({ logWrap: !wrap })} />
          Wrap
        </label>
        <button
          type="button"
          className="btn btn-small"
          onClick={() => {
            logBuffers.clear(source)
            bumpLogs()
          }}
          title="Clear this view (the session folder keeps every line)"
        >
          Clear
        </button>
        <button
          type="button"
          className="btn btn-small"
          onClick={onExport}
          title="Download the lines shown as a .log file"
        >
          Export
        </button>
      </div>
    </div>
  )
}
