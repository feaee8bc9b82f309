import { useEffect, useState } from 'react'
import type { SessionSummary } from '../../../shared/api.js'
import { formatDateTime, formatDuration } from '../app/format.js'
import { useStore } from '../app/store.js'
import { errorText } from '../lab/actions.js'
import { ComparePanel } from './ComparePanel.js'
import {
  chooseSessionsFolder,
  compareSelected,
  deleteSession,
  exportSessionReport,
  refreshLibrary,
  renameSession,
  replaySession,
} from './library-actions.js'
import { MAX_COMPARE, REPORT_FORMATS } from './library-slice.js'
import { VerdictTag, verdictOf } from './VerdictTag.js'

/**
 * Past sessions: the sessions folder and what is in it, each session's outcome at a glance, and the
 * ways into one (replay it read-only, export its report, compare it with others).
 */
export function LibraryPanel() {
  const view = useStore((s) => s.libraryView)
  useLibraryList()
  return (
    <div className="pane library-pane">
      <SessionsFolder />
      <div className="pane-body">{view === 'compare' ? <ComparePanel /> : <SessionList />}</div>
    </div>
  )
}

/** Lists the folder when the view opens, and again when the live session begins or ends. */
function useLibraryList(): void {
  const connected = useStore((s) => s.connection === 'open')
  // While replaying, the session in the store is the replayed one: its scrubbing is no reason to list.
  const liveKey = useStore((s) => (s.replay ? 'replay' : `${s.session?.dir ?? ''}:${s.sessionPhase}`))
  useEffect(() => {
    if (connected) void refreshLibrary()
  }, [connected, liveKey])
}

/**
 * The folder the library lists. Only the desktop app changes it, through its own folder dialog; in
 * browser mode a page may not choose folders, so the folder is the one `zklab serve` was started with.
 */
function SessionsFolder() {
  const dir = useStore((s) => s.sessionsDir)
  const shell = useStore((s) => s.shell)
  const loading = useStore((s) => s.libraryLoading)
  const [error, setError] = useState<string>()
  const [busy, setBusy] = useState(false)
  const choose = async () => {
    setBusy(true)
    setError(undefined)
    try {
      await chooseSessionsFolder()
    } catch (err) {
      setError(errorText(err))
    } finally {
      setBusy(false)
    }
  }
  return (
    <div className="toolbar library-toolbar">
      <span className="label">sessions folder</span>
      <span className="mono truncate" data-testid="sessions-dir" title={dir}>
        {dir ?? '…'}
      </span>
      {shell === 'electron' ? (
        <button
          type="button"
          className="btn btn-small"
          disabled={busy}
          title="Where new sessions go and which the library lists; choosing a session folder replays it"
          onClick={() => void choose()}
        >
          {busy ? 'Choosing…' : 'Choose folder…'}
        </button>
      ) : (
        shell === 'browser' && (
          <span className="muted small" data-testid="sessions-dir-hint">
            chosen when the lab starts: <span className="mono">zklab serve --sessions-dir &lt;dir&gt;</span>
          </span>
        )
      )}
      {error && (
        <span className="field-error small" role="alert">
          {error}
        </span>
      )}
      <span className="spacer" />
      <button
        type="button"
        className="btn btn-small btn-ghost"
        disabled={loading}
        onClick={() => void refreshLibrary()}
      >
        {loading ? 'Listing…' : '↻ Refresh'}
      </button>
    </div>
  )
}

function SessionList() {
  const sessions = useStore((s) => s.sessions)
  const error = useStore((s) => s.libraryError)
  const selection = useStore((s) => s.compareSelection)
  const formats = useStore((s) => s.exportFormats)
  const toggleFormat = useStore((s) => s.toggleExportFormat)
  return (
    <>
      <section className="card" aria-labelledby="library-title">
        <header className="card-head library-head">
          <h2 className="card-title" id="library-title">
            Sessions
          </h2>
          {sessions && <span className="count">{sessions.length}</span>}
          <span className="muted small">newest first</span>
          <span className="spacer" />
          <span className="small muted" id="formats-label">
            report as
          </span>
          <div className="chips" role="group" aria-labelledby="formats-label">
            {REPORT_FORMATS.map((f) => (
              <button
                key={f}
                type="button"
                className="chip mono"
                aria-pressed={formats.has(f)}
                onClick={() => toggleFormat(f)}
              >
                {f}
              </button>
            ))}
          </div>
          <button
            type="button"
            className="btn btn-small btn-primary"
            disabled={selection.length < 2}
            title={selection.length < 2 ? `Tick two to ${MAX_COMPARE} sessions to compare them` : undefined}
            onClick={() => void compareSelected()}
          >
            Compare{selection.length ? ` (${selection.length})` : ''}
          </button>
        </header>
        {error ? (
          <p className="field-error" role="alert">
            {error}
          </p>
        ) : !sessions ? (
          <p className="empty small">Listing the sessions folder…</p>
        ) : sessions.length === 0 ? (
          <p className="empty small">
            No sessions in this folder yet. Every session the lab opens (by hand or by a scenario) lands here.
          </p>
        ) : (
          <div className="table-scroll">
            <table className="table library-table" aria-label="Sessions">
              <thead>
                <tr>
                  <th scope="col">
                    <span className="sr-only">compare</span>
                  </th>
                  <th scope="col">name</th>
                  <th scope="col">created</th>
                  <th scope="col">scenario</th>
                  <th scope="col">strategy</th>
                  <th scope="col" className="num">
                    duration
                  </th>
                  <th scope="col">verdict</th>
                  <th scope="col">
                    <span className="sr-only">actions</span>
                  </th>
                </tr>
              </thead>
              {sessions.map((s) => (
                <SessionRow key={s.dir} summary={s} />
              ))}
            </table>
          </div>
        )}
      </section>
    </>
  )
}

type RowMode = 'view' | 'rename' | 'delete'

function SessionRow({ summary }: { summary: SessionSummary }) {
  const { dir, name } = summary
  const folder = dir.split(/[\\/]/).pop() ?? dir
  const who = name === folder ? name : `${name} (${folder})`
  const selected = useStore((s) => s.compareSelection.includes(dir))
  const full = useStore((s) => s.compareSelection.length >= MAX_COMPARE)
  const toggle = useStore((s) => s.toggleCompare)
  const replayed = useStore((s) => s.replay?.dir === dir)
  const opening = useStore((s) => s.replayOpening === dir)
  const open = useStore((s) => {
    const liveDir = s.replay ? s.replay.liveDir : s.session?.dir
    const liveOpen = s.replay ? s.replay.liveOpen : s.session !== undefined && s.sessionPhase !== 'closed'
    return liveOpen && liveDir === dir
  })
  const exported = useStore((s) => s.exports[dir])
  const [mode, setMode] = useState<RowMode>('view')
  const [draft, setDraft] = useState(name)
  const [error, setError] = useState<string>()
  const [busy, setBusy] = useState(false)
  const act = async (call: () => Promise<void>, after: RowMode = 'view') => {
    setBusy(true)
    setError(undefined)
    try {
      await call()
      setMode(after)
    } catch (err) {
      setError(errorText(err))
    } finally {
      setBusy(false)
    }
  }
  const deleteBlocked = open
    ? 'This is the lab’s open session: close it before deleting it'
    : replayed
      ? 'This session is being replayed: go back to live first'
      : undefined
  const created = Date.parse(summary.createdAt)
  return (
    <tbody className={`session-group ${replayed ? 'is-replayed' : ''}`}>
      <tr
        data-session-dir={dir}
        data-verdict={verdictOf(summary)}
        data-cut-off={!summary.closedCleanly && !open}
        className="session-row"
      >
        <td className="check-cell">
          <input
            type="checkbox"
            checked={selected}
            disabled={!selected && full}
            aria-label={`Select ${who} to compare`}
            onChange={() => toggle(dir)}
          />
        </td>
        <td className="name-cell">
          {mode === 'rename' ? (
            <form
              className="inline-form"
              onSubmit={(e) => {
                e.preventDefault()
                if (draft.trim()) void act(() => renameSession(dir, draft.trim()))
              }}
            >
              <input
                className="input mono input-narrow"
                aria-label={`New name for ${who}`}
                value={draft}
                maxLength={80}
                autoFocus
                onChange={(e) => setDraft(e.target.value)}
                onKeyDown={(e) => e.key === 'Escape' && setMode('view')}
              />
              <button type="submit" className="btn btn-small btn-primary" disabled={busy || !draft.trim()}>
                Save
              </button>
              <button type="button" className="btn btn-small btn-ghost" onClick={() => setMode('view')}>
                Cancel
              </button>
            </form>
          ) : (
            <>
              <span className="strong">{name}</span>
              {name !== folder && <span className="mono small muted folder-name">{folder}</span>}
            </>
          )}
        </td>
        <td className="mono created-cell">
          {Number.isFinite(created) ? (
            <>
              <span className="muted">{formatDateTime(created).slice(0, 10)}</span>{' '}
              {formatDateTime(created).slice(11, 19)}
            </>
          ) : (
            summary.createdAt
          )}
        </td>
        <td className="mono">{summary.scenario ?? <span className="muted">by hand</span>}</td>
        <td className="mono">{summary.strategies.join(', ') || '—'}</td>
        <td className="num mono">{summary.durationMs !== undefined ? formatDuration(summary.durationMs) : '—'}</td>
        <td>
          <span className="verdict-cell">
            <VerdictTag summary={summary} open={open} />
          </span>
        </td>
        <td className="row-actions-cell">
          <div className="row-actions">
            <button
              type="button"
              className="btn btn-small btn-primary"
              aria-label={`Replay ${who}`}
              disabled={opening}
              title="Show this session read-only in the lab's panels, with a scrubber"
              onClick={() => void replaySession(dir)}
            >
              {opening ? 'Reading…' : replayed ? 'Replaying' : 'Replay'}
            </button>
            <button
              type="button"
              className="btn btn-small"
              aria-label={`Export report of ${who}`}
              disabled={exported?.busy}
              title="Write report.html / .json / .pdf into the session folder"
              onClick={() => void exportSessionReport(dir)}
            >
              {exported?.busy ? 'Exporting…' : 'Export'}
            </button>
            <button
              type="button"
              className="btn btn-small btn-icon"
              aria-label={`Rename ${who}`}
              title="Rename"
              onClick={() => {
                setDraft(name)
                setError(undefined)
                setMode('rename')
              }}
            >
              ✎
            </button>
            <button
              type="button"
              className="btn btn-small btn-icon btn-danger-ghost"
              aria-label={`Delete ${who}`}
              disabled={deleteBlocked !== undefined}
              title={deleteBlocked ?? 'Delete this session folder from disk (asks first)'}
              onClick={() => {
                setError(undefined)
                setMode('delete')
              }}
            >
              ✕
            </button>
          </div>
        </td>
      </tr>
      {mode === 'delete' && (
        <tr className="session-sub">
          <td />
          <td colSpan={7}>
            <div className="confirm-delete" role="group" aria-label={`Confirm deleting ${who}`}>
              <span>
                Delete <strong>{name}</strong>? The folder <span className="mono">{dir}</span> and everything in it
                (journal, logs, ZooKeeper data, reports) is removed from disk.
              </span>
              <span className="spacer" />
              <button
                type="button"
                className="btn btn-small btn-danger"
                disabled={busy}
                onClick={() => void act(() => deleteSession(dir))}
              >
                {busy ? 'Deleting…' : 'Delete for good'}
              </button>
              <button type="button" className="btn btn-small btn-ghost" onClick={() => setMode('view')}>
                Cancel
              </button>
            </div>
          </td>
        </tr>
      )}
      {error && (
        <tr className="session-sub">
          <td />
          <td colSpan={7}>
            <p className="field-error small" role="alert">
              {error}
            </p>
          </td>
        </tr>
      )}
      {exported && !exported.busy && (
        <tr className="session-sub">
          <td />
          <td colSpan={7}>
            {exported.error ? (
              <p className="field-error small" role="alert">
                Export failed: {exported.error}
              </p>
            ) : (
              <ul className="export-paths mono small" aria-label={`Report files of ${who}`} data-testid="export-paths">
                {REPORT_FORMATS.filter((f) => exported.paths?.[f]).map((f) => (
                  <li key={f}>
                    <span className="tag tag-ok">{f}</span> <span className="path">{exported.paths![f]}</span>
                  </li>
                ))}
              </ul>
            )}
          </td>
        </tr>
      )}
    </tbody>
  )
}
