import { useCallback, useState } from 'react'
import { Strategy, type ExternalWorker } from '../../../shared/api.js'
import { DEFAULT_WORKLOAD, Workload } from '../../../shared/binlog.js'
import { DEFAULT_SESSION_TIMEOUT_MS } from '../../../shared/worker-launch/index.js'
import { useShallow } from 'zustand/react/shallow'
import { useStore } from '../app/store.js'
import { lab } from '../lab/connection.js'
import { useLabAction } from '../lab/actions.js'
import { strategyProblem, useStrategyList } from '../lab/strategy-list.js'
import { ExternalCommandField, useExternalCommand } from '../external/ExternalCommandField.js'
import { WorkerRow } from './WorkerRow.js'
import { SessionTimeoutHelp, SessionTimeoutInput, useSessionTimeout } from './SessionTimeoutField.js'

const STATUS_TEXT: Record<string, string> = { '1': 'running', '0': 'stopped' }

export function TaskCard({ task }: { task: string }) {
  const view = useStore((s) => s.tasks[task])
  const workerNames = useStore(
    useShallow((s) =>
      Object.values(s.workers)
        .filter((w) => w.task === task)
        .sort((a, b) => a.workerId - b.workerId)
        .map((w) => w.name),
    ),
  )
  const primaries = useStore(
    useShallow((s) =>
      Object.values(s.workers)
        .filter((w) => w.task === task && w.role === 'primary' && (w.status === 'running' || w.status === 'paused'))
        .map((w) => w.name),
    ),
  )
  // What the task's workers run, as their labels say (the lab's strategy, a peer's, or external).
  const runs = useStore(
    useShallow((s) => [
      ...new Set(
        Object.values(s.workers)
          .filter((w) => w.task === task && w.strategy)
          .map((w) => w.strategy),
      ),
    ]),
  )
  const strategies = useStrategyList()
  const [count, setCount] = useState(1)
  // `external`: the workers run the program typed below instead of the lab's own worker.
  const [strategy, setStrategy] = useState<Strategy | 'external'>('seed')
  const [workload, setWorkload] = useState<Workload>(DEFAULT_WORKLOAD)
  const command = useExternalCommand()
  const timeout = useSessionTimeout(DEFAULT_SESSION_TIMEOUT_MS)
  const add = useCallback(
    (n: number, s: Strategy | 'external', sessionTimeoutMs: number, w: Workload, external?: ExternalWorker) =>
      lab().addWorkers({
        task,
        count: n,
        ...(s === 'external' ? { external } : { strategy: s }),
        commitIntervalMs: 500,
        sessionTimeoutMs,
        ...(w === DEFAULT_WORKLOAD ? {} : { workload: w }),
      }),
    [task],
  )
  const remove = useCallback(() => lab().deleteTask({ task }), [task])
  const adding = useLabAction(`Add workers to ${task}`, add)
  const deleting = useLabAction(`Delete ${task}`, remove)
  const status = view?.status === undefined ? undefined : (STATUS_TEXT[view.status] ?? view.status)
  return (
    <article className="task" aria-label={`Task ${task}`} data-task={task}>
      <header className="task-head">
        <span className="mono strong">{task}</span>
        {!view && <span className="tag tag-muted">not in ZooKeeper</span>}
        {status && (
          <span
            className={`tag ${status === 'running' ? 'tag-ok' : 'tag-warn'}`}
            title={`status znode = "${view?.status}"`}
          >
            status {status}
          </span>
        )}
        <span
          className={`tag ${primaries.length > 1 ? 'tag-bad' : primaries.length === 0 ? 'tag-muted' : ''}`}
          data-testid={`primary-count-${task}`}
        >
          {primaries.length === 1
            ? `primary ${primaries[0].replace(`worker-${task}-`, '#')}`
            : primaries.length === 0
              ? 'no primary'
              : `${primaries.length} primaries!`}
        </span>
        {runs.length > 0 && (
          <span
            className="tag mono"
            data-testid={`strategy-${task}`}
            title={runs.length > 1 ? 'Its workers run different strategies' : "The strategy of the task's workers"}
          >
            {runs.join(' + ')}
          </span>
        )}
        <span className="spacer" />
        <span className="muted small mono" title="lastCommit znode">
          lastCommit {view?.lastCommitGtid ?? view?.lastCommit ?? '—'}
        </span>
      </header>
      <div className="task-controls">
        <label className="small muted" htmlFor={`count-${task}`}>
          workers
        </label>
        <input
          id={`count-${task}`}
          className="input input-narrow mono"
          type="number"
          min={1}
          max={50}
          value={count}
          onChange={(e) => setCount(Math.max(1, Math.min(50, Number(e.target.value) || 1)))}
        />
        <SessionTimeoutInput id={`timeout-${task}`} choice={timeout} />
        <label className="sr-only" htmlFor={`strategy-${task}`}>
          Strategy
        </label>
        <select
          id={`strategy-${task}`}
          className="input mono"
          value={strategy}
          data-strategies={strategies ? 'listed' : 'listing'}
          onChange={(e) => setStrategy(e.target.value as Strategy | 'external')}
          title="seed or recipe: the lab's own worker; seed-go, kazoo, curator: well-known programs, run as they are; external: a program of yours"
        >
          {Strategy.options.map((s) => {
            const problem = strategyProblem(strategies, s)
            return (
              <option key={s} value={s} disabled={problem !== undefined} title={problem}>
                {problem ? `${s} (not installed)` : s}
              </option>
            )
          })}
          <option value="external">external…</option>
        </select>
        <label className="sr-only" htmlFor={`workload-${task}`}>
          Workload
        </label>
        <select
          id={`workload-${task}`}
          className="input mono"
          value={workload}
          onChange={(e) => setWorkload(Workload.parse(e.target.value))}
          title="counter: the primary backs up the next id; binlog: it backs up the MariaDB source's binlog (start the source first)"
        >
          {Workload.options.map((w) => (
            <option key={w} value={w}>
              {w}
            </option>
          ))}
        </select>
        <button
          type="button"
          className="btn btn-small"
          disabled={adding.busy || (strategy === 'external' && !command.external) || timeout.value === undefined}
          aria-label={`Add workers to ${task}`}
          title={timeout.problem ?? (strategy === 'external' ? command.error : undefined)}
          onClick={() =>
            timeout.value !== undefined && void adding.run(count, strategy, timeout.value, workload, command.external)
          }
        >
          Add
        </button>
        <span className="spacer" />
        <button
          type="button"
          className="btn btn-small btn-danger-ghost"
          disabled={deleting.busy || !view}
          aria-label={`Delete task ${task}`}
          onClick={() => void deleting.run()}
          title="Stops the task's workers, then deletes its znodes"
        >
          {deleting.busy ? 'Deleting…' : 'Delete task'}
        </button>
      </div>
      <SessionTimeoutHelp id={`timeout-${task}`} choice={timeout} />
      {strategy === 'external' && <ExternalCommandField id={`external-${task}`} />}
      {workerNames.length === 0 ? (
        <p className="empty small">No workers. Add some to elect a primary.</p>
      ) : (
        <ul className="rows workers" aria-label={`Workers of ${task}`}>
          {workerNames.map((name) => (
            <WorkerRow key={name} name={name} />
          ))}
        </ul>
      )}
    </article>
  )
}
