import { useVirtualizer } from '@tanstack/react-virtual'
import { memo, useEffect, useLayoutEffect, useMemo, useRef } from 'react'
import { useStore } from '../app/store.js'
import { LogToolbar } from './LogToolbar.js'
import { FilteredLog } from './filtered-log.js'
import { formatClock, exportLine, type LogLine } from './log-line.js'
import { compileSearch, splitByRanges, type Matcher } from './log-search.js'
import { logBuffers, MERGED } from './log-store.js'
import { RingBuffer } from './ring-buffer.js'

const ROW_HEIGHT = 20
const EMPTY_RING = new RingBuffer<LogLine>(1)
const NO_SOURCES: ReadonlySet<string> = new Set()

export function LogsPanel() {
  const source = useStore((s) => s.logSource)
  const version = useStore((s) => s.logsVersion)
  const query = useStore((s) => s.logQuery)
  const regex = useStore((s) => s.logRegex)
  const caseSensitive = useStore((s) => s.logCaseSensitive)
  const levels = useStore((s) => s.logLevels)
  const hidden = useStore((s) => s.logHidden)
  const timestamps = useStore((s) => s.logTimestamps)
  const wrap = useStore((s) => s.logWrap)
  const follow = useStore((s) => s.logFollow)
  // A replayed folder may have been copied or moved since its journal was written: point at where it is.
  const sessionDir = useStore((s) => s.replay?.dir ?? s.session?.dir)
  const merged = source === MERGED

  const matcher = useMemo(() => compileSearch({ query, regex, caseSensitive }), [query, regex, caseSensitive])
  // Read on every render (the version moves when lines arrive): a process's ring appears with its first
  // line, and is a new one after the buffers are reset (a new session, a replay scrubbed back).
  const ring = logBuffers.ring(source)
  // A new filter or ring starts a new incremental view; new lines only extend it.
  const view = useMemo(
    () => new FilteredLog(ring ?? EMPTY_RING, { levels, hiddenSources: merged ? hidden : NO_SOURCES, matcher }),
    [ring, levels, hidden, matcher, merged],
  )
  // eslint-disable-next-line react-hooks/exhaustive-deps -- the view grows in place: `version` is what says it has new lines to read
  const lines = useMemo(() => view.refresh(), [view, version])

  const scrollRef = useRef<HTMLDivElement>(null)
  const virtualizer = useVirtualizer({
    count: lines.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    getItemKey: (i) => lines[i].seq,
    overscan: 20,
  })

  useLayoutEffect(() => {
    if (follow && lines.length > 0) virtualizer.scrollToIndex(lines.length - 1, { align: 'end' })
  }, [follow, lines, virtualizer])
  useEffect(() => {
    // Wrapped rows have other heights: measure again.
    virtualizer.measure()
  }, [wrap, timestamps, virtualizer])

  const onScroll = () => {
    const el = scrollRef.current
    if (!el) return
    const atBottom = el.scrollTop + el.clientHeight >= el.scrollHeight - ROW_HEIGHT
    const { logFollow, setLogOptions } = useStore.getState()
    // Scrolling up pauses following; scrolling back to the end resumes it.
    if (logFollow !== atBottom) setLogOptions({ logFollow: atBottom })
  }

  const exportShown = () => {
    const text = lines.map((l) => exportLine(l, timestamps, merged)).join('\n') + '\n'
    const url = URL.createObjectURL(new Blob([text], { type: 'text/plain' }))
    const a = document.createElement('a')
    a.href = url
    a.download = `${merged ? 'all' : source}${query ? '-filtered' : ''}.log`
    document.body.append(a)
    a.click()
    a.remove()
    setTimeout(() => URL.revokeObjectURL(url), 10_000)
  }

  const onDisk = sessionDir ? (merged ? `${sessionDir}/events.jsonl` : `${sessionDir}/logs/${source}.log`) : undefined
  return (
    <div className="pane logs-pane">
      <LogToolbar matcher={matcher} onExport={exportShown} shownCount={lines.length} />
      <div
        ref={scrollRef}
        className={`scroller log-scroller mono ${wrap ? 'is-wrapped' : ''}`}
        onScroll={onScroll}
        role="log"
        aria-label={merged ? 'All processes' : `Log of ${source}`}
        tabIndex={0}
      >
        {lines.length === 0 ? (
          <p className="empty">{ring && ring.length > 0 ? 'No line matches the filter.' : 'No lines yet.'}</p>
        ) : (
          <div
            style={{
              height: virtualizer.getTotalSize(),
              position: 'relative',
              minWidth: '100%',
              width: wrap ? '100%' : 'max-content',
            }}
          >
            {virtualizer.getVirtualItems().map((item) => (
              <LogRow
                key={item.key}
                index={item.index}
                top={item.start}
                line={lines[item.index]}
                matcher={matcher}
                showTime={timestamps}
                showSource={merged}
                measure={wrap ? virtualizer.measureElement : undefined}
              />
            ))}
          </div>
        )}
      </div>
      <footer className="statusbar">
        <span className="mono small" data-testid="log-count">
          {lines.length.toLocaleString('en')} shown
          {ring
            ? ` · ${ring.length.toLocaleString('en')} of last ${ring.capacity.toLocaleString('en')} kept in memory`
            : ''}
          {ring && ring.dropped > 0 ? ` · ${ring.dropped.toLocaleString('en')} older` : ''}
        </span>
        {onDisk && (
          <span className="small muted truncate" title={onDisk}>
            Full log on disk: <span className="mono">{onDisk}</span>
          </span>
        )}
        <span className="spacer" />
        {!follow && (
          <button
            type="button"
            className="btn btn-small btn-primary"
            onClick={() => useStore.getState().setLogOptions({ logFollow: true })}
          >
            ↓ Follow
          </button>
        )}
        {follow && <span className="small muted">following</span>}
      </footer>
    </div>
  )
}

const LogRow = memo(function LogRow({
  line,
  index,
  top,
  matcher,
  showTime,
  showSource,
  measure,
}: {
  line: LogLine
  index: number
  top: number
  matcher: Matcher
  showTime: boolean
  showSource: boolean
  measure?: (el: HTMLElement | null) => void
}) {
  const pieces = matcher.kind === 'ok' ? splitByRanges(line.text, matcher.ranges(line.text)) : undefined
  return (
    <div
      ref={measure}
      data-index={index}
      data-seq={line.seq}
      className={`log-row level-${line.level}`}
      style={{ transform: `translateY(${top}px)`, ...(measure ? {} : { height: ROW_HEIGHT }) }}
    >
      {showTime && <span className="log-time">{formatClock(line.time)}</span>}
      <span className={`log-level`}>{line.level}</span>
      {showSource && (
        <button
          type="button"
          className="log-source"
          title={`Open the log of ${line.source}`}
          onClick={() => useStore.getState().setLogSource(line.source)}
        >
          {line.source}
        </button>
      )}
      <span className="log-text">
        {pieces
          ? pieces.map((p, i) => (p.match ? <mark key={i}>{p.text}</mark> : <span key={i}>{p.text}</span>))
          : line.text}
      </span>
    </div>
  )
})
