import { useMemo } from 'react'
import type { ExternalWorker } from '../../../shared/api.js'
import { parseCommandLine } from '../../../shared/command-line.js'
import { useStore } from '../app/store.js'

const STORAGE_KEY = 'zklab.externalCommand'
const EXAMPLE = './my-worker.sh --zk {connect} --path {taskPath} --id {workerId}'
const PLACEHOLDERS = '{connect} {taskPath} {task} {workerId} {sessionTimeoutMs} {commitIntervalMs} {sink} {root}'

/** The line last typed for external workers: one for the whole app, kept across reloads. */
export function savedExternalCommand(): string {
  try {
    return localStorage.getItem(STORAGE_KEY) ?? ''
  } catch {
    return ''
  }
}

export function saveExternalCommand(text: string): void {
  useStore.getState().setExternalCommand(text)
  try {
    localStorage.setItem(STORAGE_KEY, text)
  } catch {
    // Storage may be off (private window); the line still lives in the store.
  }
}

/** The typed line read the way the lab will run it: the program, or why it cannot be run. */
export function useExternalCommand(): { text: string; external?: ExternalWorker; error?: string } {
  const text = useStore((s) => s.externalCommand)
  return useMemo(() => {
    if (text.trim() === '') return { text, error: 'Give the command line of your worker program.' }
    try {
      return { text, external: parseCommandLine(text) }
    } catch (err) {
      return { text, error: (err as Error).message }
    }
  }, [text])
}

/**
 * The command line of an external worker: any program, run once per worker with the lab's
 * placeholders filled in, judged only from what it writes to ZooKeeper and to the sink.
 */
export function ExternalCommandField({ id }: { id: string }) {
  const { text, external, error } = useExternalCommand()
  const shownError = text.trim() === '' ? undefined : error
  return (
    <div className="external-field">
      <label className="small muted" htmlFor={id}>
        Command line
      </label>
      <input
        id={id}
        className={`input mono ${shownError ? 'input-invalid' : ''}`}
        placeholder={EXAMPLE}
        value={text}
        spellCheck={false}
        autoComplete="off"
        aria-invalid={shownError ? true : undefined}
        aria-describedby={`${id}-help`}
        onChange={(e) => saveExternalCommand(e.target.value)}
      />
      {shownError ? (
        <p id={`${id}-help`} className="field-error" role="alert">
          {shownError}
        </p>
      ) : (
        <p id={`${id}-help`} className="small muted external-help">
          {external ? (
            <>
              runs <span className="mono">{external.command}</span>
              {external.args && external.args.length > 0 && (
                <>
                  {' '}
                  with {external.args.length} argument{external.args.length === 1 ? '' : 's'}
                </>
              )}
              {external.env && Object.keys(external.env).length > 0 && (
                <>, env {Object.keys(external.env).join(', ')}</>
              )}{' '}
              ·{' '}
            </>
          ) : null}
          filled in per worker: <span className="mono">{PLACEHOLDERS}</span> (also as ZKLAB_* env) ·{' '}
          <span className="mono">NAME=value</span> words first set its env · a relative path starts from the folder the
          lab runs in
        </p>
      )}
    </div>
  )
}
