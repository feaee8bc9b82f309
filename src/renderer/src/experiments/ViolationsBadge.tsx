import { useStore } from '../app/store.js'
import { badgeText } from './checker-model.js'

/** The checker's verdict so far, in the header: live violations, then the final word. Opens the verdicts. */
export function ViolationsBadge() {
  const hasSession = useStore((s) => s.session !== undefined)
  const live = useStore((s) => s.violations.length)
  const verdicts = useStore((s) => s.verdicts)
  const setTab = useStore((s) => s.setMainTab)
  if (!hasSession) return null
  const badge = badgeText(live, verdicts)
  return (
    <button
      type="button"
      className={`pill pill-button checker-badge checker-${badge.tone}`}
      data-testid="violations-badge"
      aria-label={`${badge.text}: show the verdicts`}
      title={
        verdicts
          ? 'Final verdicts, graded from the sinks when the session closed'
          : 'Violations the checker found live so far'
      }
      onClick={() => setTab('verdicts')}
    >
      <span className="dot" aria-hidden="true" />
      {badge.text}
    </button>
  )
}
