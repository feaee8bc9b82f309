import type { SessionSummary } from '../../../shared/api.js'

/** ok / FAIL / ungraded, and "cut off" for a session the lab never closed. */
export function VerdictTag({ summary, open = false }: { summary: SessionSummary; open?: boolean }) {
  const verdict = verdictOf(summary)
  const notJudged = (summary.unjudged ?? []).filter((v) => v.state === 'not-judged')
  return (
    <>
      <span
        className={`tag ${verdict === 'ok' ? 'tag-ok' : verdict === 'fail' ? 'tag-bad' : verdict === 'unknown' ? 'tag-warn' : 'tag-muted'}`}
        title={
          verdict === 'ungraded'
            ? 'No final verdicts: the session was cut off or is still open'
            : verdict === 'unknown'
              ? `The checker could not judge ${unknownList(summary)}`
              : 'The final verdicts, graded from the sinks when the session closed'
        }
      >
        {verdict === 'ok' ? 'ok' : verdict === 'fail' ? 'FAIL' : verdict === 'unknown' ? 'unknown' : 'ungraded'}
      </span>
      {notJudged.length > 0 && (
        <span
          className="tag tag-muted"
          data-testid="not-judged"
          title={`Not judged: ${notJudged.map((v) => `${v.invariant} (${v.task}): ${v.reason ?? 'no reason recorded'}`).join('; ')}`}
        >
          {notJudged.length} not judged
        </span>
      )}
      {open ? (
        <span className="tag tag-live" title="The lab's current session">
          open
        </span>
      ) : (
        !summary.closedCleanly && (
          <span
            className="tag tag-warn"
            title="The lab stopped without closing this session (killed mid-run); it replays and exports up to its last event"
          >
            cut off
          </span>
        )
      )}
    </>
  )
}

/** `unknown`: not ok only because checks failed to run (none broke). */
export function verdictOf(summary: SessionSummary): 'ok' | 'fail' | 'unknown' | 'ungraded' {
  if (summary.verdictOk === true) return 'ok'
  if (summary.verdictOk === undefined) return 'ungraded'
  const unknown = (summary.unjudged ?? []).filter((v) => v.state === 'unknown').length
  // session.json lists only the unjudged verdicts here; a session is unknown when they alone failed it.
  return unknown > 0 && summary.verdictsBroken === 0 ? 'unknown' : 'fail'
}

function unknownList(summary: SessionSummary): string {
  return (summary.unjudged ?? [])
    .filter((v) => v.state === 'unknown')
    .map((v) => `${v.invariant} (${v.task}): ${v.reason ?? 'no reason recorded'}`)
    .join('; ')
}
