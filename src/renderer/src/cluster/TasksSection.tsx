import { useCallback, useState, type FormEvent } from 'react'
import { useShallow } from 'zustand/react/shallow'
import { useStore } from '../app/store.js'
import { lab } from '../lab/connection.js'
import { useLabAction } from '../lab/actions.js'
import { TaskCard } from './TaskCard.js'

/** Tasks without workers shown before the rest fold away: a lab with thousands of tasks stays usable. */
const IDLE_TASKS_SHOWN = 12

export function TasksSection() {
  // Tasks in ZooKeeper, plus tasks that only have workers left (e.g. deleted under them).
  const names = useStore(
    useShallow((s) =>
      [...new Set([...Object.keys(s.tasks), ...Object.values(s.workers).map((w) => w.task)])].sort(natural),
    ),
  )
  const staffed = useStore(useShallow((s) => [...new Set(Object.values(s.workers).map((w) => w.task))].sort(natural)))
  const zkRunning = useStore((s) => s.zookeeper.servers.some((srv) => srv.state === 'running'))
  const [showAll, setShowAll] = useState(false)
  const idle = names.filter((n) => !staffed.includes(n))
  const shown = showAll ? names : [...staffed, ...idle.slice(0, IDLE_TASKS_SHOWN)].sort(natural)
  const hidden = names.length - shown.length
  return (
    <section className="card" aria-labelledby="tasks-title">
      <header className="card-head">
        <h2 className="card-title" id="tasks-title">
          Tasks
        </h2>
        <span className="muted small">
          {names.length === 0 ? 'none yet' : `${names.length} task${names.length === 1 ? '' : 's'}`}
        </span>
      </header>
      <PublishForm disabled={!zkRunning} />
      {shown.map((name) => (
        <TaskCard key={name} task={name} />
      ))}
      {(hidden > 0 || showAll) && idle.length > IDLE_TASKS_SHOWN && (
        <button type="button" className="btn btn-ghost btn-small more" onClick={() => setShowAll(!showAll)}>
          {showAll ? 'Show fewer tasks' : `Show ${hidden.toLocaleString('en')} more tasks without workers`}
        </button>
      )}
    </section>
  )
}

const natural = new Intl.Collator('en', { numeric: true }).compare

function PublishForm({ disabled }: { disabled: boolean }) {
  const [name, setName] = useState('')
  const publish = useCallback((task: string) => lab().publishTask({ task }), [])
  // The API's validation message is shown under the field, not as a toast.
  const { run, busy, error, clearError } = useLabAction('Publish task', publish, { toast: false })
  const submit = async (e: FormEvent) => {
    e.preventDefault()
    if (await run(name.trim() === '' ? name : name.trim())) setName('')
  }
  return (
    <form className="publish-form" onSubmit={(e) => void submit(e)}>
      <label className="sr-only" htmlFor="publish-task">
        Task name
      </label>
      <input
        id="publish-task"
        className={`input mono ${error ? 'input-invalid' : ''}`}
        placeholder="task name, e.g. task01"
        value={name}
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? 'publish-error' : undefined}
        onChange={(e) => {
          setName(e.target.value)
          clearError()
        }}
      />
      <button
        type="submit"
        className="btn"
        disabled={busy}
        aria-label="Publish task"
        title={disabled ? 'Start ZooKeeper first' : undefined}
      >
        {busy ? 'Publishing…' : 'Publish'}
      </button>
      {error && (
        <p id="publish-error" className="field-error" role="alert">
          {error}
        </p>
      )}
    </form>
  )
}
