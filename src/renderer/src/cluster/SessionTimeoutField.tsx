import { useState } from 'react'
import {
  SESSION_TIMEOUT_MAX_MS,
  SESSION_TIMEOUT_MIN_MS,
  expiryWindow,
  grantedSessionTimeouts,
  sessionTimeoutProblem,
} from '../../../shared/session-timeout.js'
import { useStore } from '../app/store.js'

/** A session timeout typed by the user: the number once valid, else why not. */
export interface SessionTimeoutChoice {
  text: string
  setText: (text: string) => void
  /** The timeout to send, when the lab and ZooKeeper would take it. */
  value?: number
  problem?: string
}

/** The value of a session timeout field, judged against the running ZooKeeper's tickTime. */
export function useSessionTimeout(initialMs: number): SessionTimeoutChoice {
  const [text, setText] = useState(String(initialMs))
  const tickTimeMs = useStore((s) => s.zookeeper.tickTimeMs)
  const ms = Number(text)
  const problem =
    text.trim() === '' || !Number.isInteger(ms) || ms < SESSION_TIMEOUT_MIN_MS || ms > SESSION_TIMEOUT_MAX_MS
      ? `session timeout must be a whole number of ms from ${SESSION_TIMEOUT_MIN_MS} to ${SESSION_TIMEOUT_MAX_MS}`
      : tickTimeMs !== undefined
        ? sessionTimeoutProblem(ms, tickTimeMs)
        : undefined
  return { text, setText, ...(problem ? { problem } : { value: ms }) }
}

/** The field, inline with a form's controls. */
export function SessionTimeoutInput({ id, choice }: { id: string; choice: SessionTimeoutChoice }) {
  return (
    <>
      <label className="small muted" htmlFor={id}>
        session timeout
      </label>
      <input
        id={id}
        className={`input input-timeout mono ${choice.problem ? 'input-invalid' : ''}`}
        type="number"
        min={SESSION_TIMEOUT_MIN_MS}
        max={SESSION_TIMEOUT_MAX_MS}
        step={100}
        value={choice.text}
        aria-invalid={choice.problem ? true : undefined}
        aria-describedby={`${id}-help`}
        title="Session timeout in ms"
        onChange={(e) => choice.setText(e.target.value)}
      />
    </>
  )
}

/**
 * Under the form: what ZooKeeper grants with its tickTime, and when a killed primary is noticed
 * (expiry is bucketed by the tick), or why the typed timeout is refused.
 */
export function SessionTimeoutHelp({ id, choice }: { id: string; choice: SessionTimeoutChoice }) {
  const tickTimeMs = useStore((s) => s.zookeeper.tickTimeMs)
  if (choice.problem) {
    return (
      <p className="field-error small" id={`${id}-help`} role="alert">
        {choice.problem}
      </p>
    )
  }
  if (tickTimeMs === undefined || choice.value === undefined) {
    return (
      <p className="hint" id={`${id}-help`}>
        The range ZooKeeper grants shows once the lab has started it (an external ZooKeeper keeps its own tickTime).
      </p>
    )
  }
  const granted = grantedSessionTimeouts(tickTimeMs)
  const window = expiryWindow(choice.value, tickTimeMs)
  return (
    <p className="hint" id={`${id}-help`} data-testid={`${id}-help`}>
      ZooKeeper grants {granted.fromMs}–{granted.toMs} ms (2–20 ticks of {tickTimeMs} ms). A killed primary is noticed{' '}
      {window.fromMs} to {window.toMs} ms after it last reached ZooKeeper.
    </p>
  )
}
