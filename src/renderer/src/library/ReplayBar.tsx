import type { CSSProperties, KeyboardEvent } from 'react'
import { formatDateTime, formatDuration } from '../app/format.js'
import { useStore } from '../app/store.js'
import { sinceStart } from '../experiments/checker-model.js'
import { closeReplay, jumpToMarker, replayIndex, requestScrub, scrubTo } from './replay.js'
import type { ReplayMarker } from './replay-index.js'
import { VerdictTag } from './VerdictTag.js'

const FAULT_GLYPH: Record<string, string> = { kill: '▼', stop: '◆', pause: '■', partition: '✂', slow: '≈', reset: '↯' }

/**
 * Above every panel while a past session is replayed: what is shown, that it is read-only, the way
 * back to live, and the scrubber that sets the moment every panel shows.
 */
export function ReplayBar() {
  const replay = useStore((s) => s.replay)
  const opening = useStore((s) => s.replayOpening)
  const missed = useStore((s) => s.liveMissed)
  if (!replay) {
    if (!opening) return null
    return (
      <section className="replay-bar" aria-label="Replay">
        <div className="replay-banner">
          <span className="replay-badge" aria-hidden="true">
            ▶
          </span>
          <strong role="status">Reading {opening}…</strong>
        </div>
      </section>
    )
  }
  const { summary } = replay
  return (
    <section className="replay-bar" aria-label="Replay" data-testid="replay-bar">
      <div className="replay-banner">
        <span className="replay-badge" aria-hidden="true">
          ▶
        </span>
        <strong role="status" data-testid="replay-banner">
          Replaying {replay.name} — read-only
        </strong>
        <span className="mono small muted truncate" title={replay.dir}>
          {replay.dir}
        </span>
        {summary.scenario && <span className="tag mono">{summary.scenario}</span>}
        {summary.strategies.length > 0 && <span className="tag mono">{summary.strategies.join(', ')}</span>}
        <VerdictTag summary={summary} />
        {replay.problems.length > 0 && (
          <span className="tag tag-warn" title={replay.problems.map((p) => `line ${p.line}: ${p.message}`).join('\n')}>
            {replay.problems.length} unreadable journal line{replay.problems.length === 1 ? '' : 's'} skipped
          </span>
        )}
        <span className="spacer" />
        {missed > 0 && (
          <span
            className="small muted"
            title="Live events are not applied during a replay; Back to live loads the lab's current state"
          >
            the live lab moved on ({missed.toLocaleString('en')} events)
          </span>
        )}
        <button type="button" className="btn btn-small btn-primary" onClick={closeReplay}>
          ⇥ Back to live
        </button>
      </div>
      <Scrubber />
    </section>
  )
}

function Scrubber() {
  const replay = useStore((s) => s.replay)!
  const { startTime, endTime, position, total, time, markers } = replay
  const span = Math.max(1, endTime - startTime)
  const index = replayIndex()
  const last = position > 0 ? index?.events[position - 1] : undefined
  const at = (t: number) => sinceStart(t, startTime)
  const onKey = (e: KeyboardEvent) => {
    // Milliseconds are too fine for arrow keys: they step by event, pages by marker.
    const moves: Record<string, () => void> = {
      ArrowLeft: () => scrubTo(position - 1),
      ArrowDown: () => scrubTo(position - 1),
      ArrowRight: () => scrubTo(position + 1),
      ArrowUp: () => scrubTo(position + 1),
      PageUp: () => jumpToMarker(-1),
      PageDown: () => jumpToMarker(1),
      Home: () => scrubTo(0),
      End: () => scrubTo(total),
    }
    const move = moves[e.key]
    if (!move) return
    e.preventDefault()
    move()
  }
  return (
    <div className="scrubber">
      <div className="scrub-buttons" role="group" aria-label="Replay controls">
        <button
          type="button"
          className="btn btn-small btn-icon"
          aria-label="Jump to start"
          title="Jump to start (Home)"
          disabled={position === 0}
          onClick={() => scrubTo(0)}
        >
          ⇤
        </button>
        <button
          type="button"
          className="btn btn-small btn-icon"
          aria-label="Previous fault or failover"
          title="Previous fault or failover (Page Up)"
          onClick={() => jumpToMarker(-1)}
        >
          «
        </button>
        <button
          type="button"
          className="btn btn-small btn-icon"
          aria-label="Step back one event"
          title="Step back one event (←)"
          disabled={position === 0}
          onClick={() => scrubTo(position - 1)}
        >
          ‹
        </button>
        <button
          type="button"
          className="btn btn-small btn-icon"
          aria-label="Step forward one event"
          title="Step forward one event (→)"
          disabled={position === total}
          onClick={() => scrubTo(position + 1)}
        >
          ›
        </button>
        <button
          type="button"
          className="btn btn-small btn-icon"
          aria-label="Next fault or failover"
          title="Next fault or failover (Page Down)"
          onClick={() => jumpToMarker(1)}
        >
          »
        </button>
        <button
          type="button"
          className="btn btn-small btn-icon"
          aria-label="Jump to end"
          title="Jump to end (End)"
          disabled={position === total}
          onClick={() => scrubTo(total)}
        >
          ⇥
        </button>
      </div>
      <span className="scrub-end mono small muted" aria-hidden="true">
        +0 s
      </span>
      <div className="scrub-track">
        {/* Faults above the track, what came of them (failovers, violations) below it. */}
        <div className="scrub-markers scrub-faults">
          {markers.map(
            (m, i) =>
              m.kind === 'fault' && (
                <Marker
                  key={i}
                  marker={m}
                  left={((m.time - startTime) / span) * 100}
                  label={`${markerText(m)} at ${at(m.time)}`}
                />
              ),
          )}
        </div>
        <input
          type="range"
          className="scrub-range"
          aria-label="Replay position"
          aria-valuetext={`${at(time)}, event ${position.toLocaleString('en')} of ${total.toLocaleString('en')}`}
          min={0}
          max={span}
          step={1}
          value={Math.min(span, Math.max(0, time - startTime))}
          style={{ '--played': `${(Math.min(span, Math.max(0, time - startTime)) / span) * 100}%` } as CSSProperties}
          onChange={(e) => index && requestScrub(index.countAt(startTime + Number(e.target.value)))}
          onKeyDown={onKey}
        />
        <div className="scrub-markers scrub-outcomes">
          {markers.map(
            (m, i) =>
              m.kind !== 'fault' && (
                <Marker
                  key={i}
                  marker={m}
                  left={((m.time - startTime) / span) * 100}
                  label={`${markerText(m)} at ${at(m.time)}`}
                />
              ),
          )}
        </div>
      </div>
      <span className="scrub-end mono small muted" aria-hidden="true">
        +{formatDuration(span)}
      </span>
      <div className="scrub-readout" data-testid="replay-position" data-position={position} data-seq={last?.seq ?? 0}>
        <div>
          <span className="mono strong" data-testid="replay-time">
            {at(time)}
          </span>{' '}
          <span className="mono small muted">{formatDateTime(time)}</span>
        </div>
        <div className="mono small truncate" title={last ? `#${last.seq} ${last.type} from ${last.source}` : undefined}>
          <span className="muted">
            event {position.toLocaleString('en')}/{total.toLocaleString('en')}
          </span>{' '}
          {last ? (
            <>
              {last.type} <span className="muted">· {last.source}</span>
            </>
          ) : (
            <span className="muted">before the first event</span>
          )}
        </div>
      </div>
    </div>
  )
}

function markerText(m: ReplayMarker): string {
  if (m.kind === 'failover') return `failover ${m.subject}`
  if (m.kind === 'violation') return `violation ${m.action} (${m.subject})`
  return `${m.detail ?? m.action} ${m.subject}`
}

function Marker({ marker, left, label }: { marker: ReplayMarker; left: number; label: string }) {
  const glyph =
    marker.kind === 'failover'
      ? '▲'
      : marker.kind === 'violation'
        ? '!'
        : marker.harmful
          ? (FAULT_GLYPH[marker.action] ?? '▼')
          : '●'
  const tone = marker.kind === 'failover' ? 'ok' : marker.kind === 'violation' || marker.harmful ? 'bad' : 'muted'
  return (
    <button
      type="button"
      tabIndex={-1}
      className={`scrub-marker marker-${marker.kind} tone-${tone}`}
      style={{ left: `${left}%` }}
      aria-label={label}
      title={label}
      data-kind={marker.kind}
      onClick={() => scrubTo(marker.count)}
    >
      {glyph}
    </button>
  )
}
