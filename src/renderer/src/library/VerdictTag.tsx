import type { SessionSummary } from '../../../shared/api'

/** ok / FAIL / ungraded, and "cut off" for a session the lab never closed. */
export function VerdictTag({ summary, open = false }: { summary: SessionSummary; open?: boolean }) {
  const verdict = verdictOf(summary)
  return (
    <>
      <span
        className={`tag ${verdict === 'ok' ? 'tag-ok' : verdict === 'fail' ? 'tag-bad' : 'tag-muted'}`}
        title={verdict === 'ungraded' ? 'No final verdicts: the session was cut off or is still open' : 'The final verdicts, graded from the sinks when the session closed'}
      >
        {verdict === 'ok' ? 'ok' : verdict === 'fail' ? 'FAIL' : 'ungraded'}
      </span>
      {open ? (
        <span className="tag tag-live" title="The lab's current session">
          open
        </span>
      ) : (
        !summary.closedCleanly && (
          <span className="tag tag-warn" title="The lab stopped without closing this session (killed mid-run); it replays and exports up to its last event">
            cut off
          </span>
        )
      )}
    </>
  )
}

export function verdictOf(summary: SessionSummary): 'ok' | 'fail' | 'ungraded' {
  return summary.verdictOk === true ? 'ok' : summary.verdictOk === false ? 'fail' : 'ungraded'
}
