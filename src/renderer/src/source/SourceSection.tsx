import { useCallback, useMemo, useState } from 'react'
import { DEFAULT_SOURCE_RATE, type SourceAction, type SourceLoadInput } from '../../../shared/api.js'
import type { SourceView } from '../../../shared/lab-state.js'
import { useStore } from '../app/store.js'
import { lab } from '../lab/connection.js'
import { useLabAction } from '../lab/actions.js'
import { capitalize, Fact } from '../cluster/ZooKeeperSection.js'
import { backupPositions, loadRequest } from './source-model.js'

/** The actions each state of the source offers (restart keeps its port and datadir). */
const SOURCE_ACTIONS: Record<SourceView['state'], SourceAction[]> = {
  running: ['stop', 'kill', 'pause', 'restart'],
  paused: ['resume', 'kill'],
  stopped: ['start'],
  crashed: ['start'],
}

/**
 * The binlog workload's MariaDB source: its state and position, its load, and where each binlog
 * task's backup stands against it, live.
 */
export function SourceSection() {
  const source = useStore((s) => s.source)
  const zkUp = useStore(
    (s) => s.zookeeper.servers.some((srv) => srv.state === 'running') || s.zookeeper.connectString !== undefined,
  )
  // Nothing to show before ZooKeeper is there (a binlog task needs both); then it offers to start one.
  if (!source && !zkUp) return null
  return (
    <section className="card" aria-labelledby="source-title" data-testid="source-panel">
      <header className="card-head">
        <h2 className="card-title" id="source-title">
          MariaDB source
        </h2>
        <span className="muted small">the binlog workload's</span>
      </header>
      {source ? (
        <>
          <SourceRow source={source} />
          <LoadControl />
          <Backups />
        </>
      ) : (
        <StartSource />
      )}
    </section>
  )
}

function StartSource() {
  const [rateText, setRateText] = useState(String(DEFAULT_SOURCE_RATE))
  const check = loadRequest('rate', rateText)
  const start = useCallback((rate: number) => lab().startSource({ rate }), [])
  const { run, busy } = useLabAction('Start the MariaDB source', start)
  return (
    <div className="empty-row">
      <span className="muted">No source in this session (a binlog task needs one).</span>
      <span className="start-zk">
        <RateInput id="source-start-rate" value={rateText} valid={check.ok} onChange={setRateText} />
        <span className="small muted">tx/s</span>
        <button
          type="button"
          className="btn btn-primary"
          disabled={busy || !check.ok}
          title={check.ok ? 'A private MariaDB server in the session folder, and its load generator' : check.problem}
          onClick={() => void run(Number(rateText))}
        >
          {busy ? 'Starting…' : 'Start source'}
        </button>
      </span>
      {!check.ok && (
        <p className="field-error small" role="alert">
          {check.problem}
        </p>
      )}
    </div>
  )
}

/** Transactions/s for the load generator, within the API's bounds. */
function RateInput(props: { id: string; value: string; valid: boolean; onChange(text: string): void }) {
  return (
    <>
      <label className="small muted" htmlFor={props.id}>
        rate
      </label>
      <input
        id={props.id}
        className={`input input-timeout mono ${props.valid ? '' : 'input-invalid'}`}
        type="number"
        min={0}
        max={10_000}
        value={props.value}
        aria-invalid={props.valid ? undefined : true}
        onChange={(e) => props.onChange(e.target.value)}
      />
    </>
  )
}

function SourceRow({ source }: { source: SourceView }) {
  const act = useCallback((action: SourceAction) => lab().sourceAction({ action }), [])
  const { run, busy } = useLabAction('MariaDB source', act)
  const live = source.state === 'running' || source.state === 'paused'
  const load = source.load
  const files = source.binlogFiles
  const last = files[files.length - 1]
  return (
    <ul className="rows">
      <li className="row server-row" data-testid="source-row" data-state={source.state}>
        <div className="row-main">
          <span className={`state-badge state-${source.state}`} data-testid="source-state">
            <span className="dot" aria-hidden="true" />
            {source.state}
          </span>
          <span className="mono strong">mariadb</span>
          {load?.rate !== undefined && (
            <span className="tag mono" data-testid="source-rate" title="Transactions/s the load generator commits now">
              {load.rate} tx/s{load.stopped ? ' (stopped)' : ''}
            </span>
          )}
          <span className="row-actions">
            {SOURCE_ACTIONS[source.state].map((action) => (
              <button
                key={action}
                type="button"
                className={`btn btn-small ${action === 'kill' ? 'btn-danger' : ''}`}
                disabled={busy}
                aria-label={`${capitalize(action)} the MariaDB source`}
                onClick={() => void run(action)}
              >
                {capitalize(action)}
              </button>
            ))}
          </span>
        </div>
        <dl className="facts mono">
          <Fact label="port" value={source.port} />
          <Fact label="pid" value={live ? source.pid : undefined} />
          <div className="fact" title="@@gtid_current_pos, as last recorded (at most once a second)">
            <dt>GTID</dt>
            <dd data-testid="source-gtid">{source.gtid || '—'}</dd>
          </div>
          <Fact
            label="binlog"
            value={last ? `${last.name} ${kib(last.size)}` : undefined}
            title={files.map((f) => `${f.name} ${kib(f.size)}`).join('\n')}
          />
          <Fact label="files" value={files.length || undefined} title="Binlog files the source keeps" />
          <Fact label="committed" value={load?.committed} title="Transactions whose COMMIT the source acknowledged" />
          <Fact
            label="failed"
            value={load?.failed}
            title="Attempts that failed before or at COMMIT: not in the binlog, retried"
          />
          <Fact label="unknown" value={load?.unknown} title="COMMIT sent, never answered: in the binlog or not" />
          {source.stopReason && source.state !== 'running' && <Fact label="stopped by" value={source.stopReason} />}
        </dl>
      </li>
    </ul>
  )
}

const kib = (bytes: number) => (bytes < 10_240 ? `${bytes} B` : `${Math.round(bytes / 1024)} KiB`)

/** A new steady rate (or one for a while), or a burst of extra transactions. */
function LoadControl() {
  // Shows the rate in force until edited.
  const current = useStore((s) => s.source?.load?.rate)
  const [edited, setRateText] = useState<string>()
  const rateText = edited ?? String(current ?? DEFAULT_SOURCE_RATE)
  const [forText, setForText] = useState('')
  const [burstText, setBurstText] = useState('500')
  const change = useCallback((input: SourceLoadInput) => lab().sourceLoad(input), [])
  const { run, busy } = useLabAction('Change the source load', change)
  const rate = loadRequest('rate', rateText, forText)
  const burst = loadRequest('burst', burstText)
  const problem = (!rate.ok && rate.problem) || (!burst.ok && burst.problem) || undefined
  return (
    <div className="task-controls" data-testid="source-load">
      <RateInput id="source-rate-input" value={rateText} valid={rate.ok} onChange={setRateText} />
      <label className="small muted" htmlFor="source-rate-for">
        for s
      </label>
      <input
        id="source-rate-for"
        className={`input input-narrow mono ${rate.ok ? '' : 'input-invalid'}`}
        type="number"
        min={0}
        placeholder="∞"
        title="Hold the rate this many seconds, then go back (empty: for good)"
        value={forText}
        onChange={(e) => setForText(e.target.value)}
      />
      <button
        type="button"
        className="btn btn-small"
        disabled={busy || !rate.ok}
        aria-label="Set the source's rate"
        onClick={() => rate.ok && void run(rate.input)}
      >
        Set rate
      </button>
      <span className="spacer" />
      <label className="sr-only" htmlFor="source-burst">
        Burst size
      </label>
      <input
        id="source-burst"
        className={`input input-timeout mono ${burst.ok ? '' : 'input-invalid'}`}
        type="number"
        min={1}
        value={burstText}
        aria-invalid={burst.ok ? undefined : true}
        onChange={(e) => setBurstText(e.target.value)}
      />
      <button
        type="button"
        className="btn btn-small"
        disabled={busy || !burst.ok}
        aria-label="Burst of extra transactions"
        title="This many extra transactions, as fast as the source takes them"
        onClick={() => burst.ok && void run(burst.input)}
      >
        Burst
      </button>
      {problem && (
        <p className="field-error small" role="alert">
          {problem}
        </p>
      )}
    </div>
  )
}

/** Each binlog task's backup against the source: lastCommit, what its primary last wrote, how far behind. */
function Backups() {
  const tasks = useStore((s) => s.tasks)
  const workers = useStore((s) => s.workers)
  const processes = useStore((s) => s.processes)
  const source = useStore((s) => s.source)
  const rows = useMemo(
    () => backupPositions({ tasks, workers, processes, source }),
    [tasks, workers, processes, source],
  )
  if (rows.length === 0) return <p className="empty small">No binlog task yet: add workers with workload binlog.</p>
  return (
    <ul className="rows" aria-label="Backups of the source">
      {rows.map((r) => (
        <li key={r.task} className="row" data-testid={`backup-${r.task}`}>
          <div className="row-main">
            <span className="mono strong">{r.task}</span>
            <span className="muted small">backup</span>
            {r.behind !== undefined && (
              <span
                className={`tag mono ${r.behind === 0 ? 'tag-ok' : ''}`}
                data-testid={`backup-behind-${r.task}`}
                title="Source transactions not yet in lastCommit, against the source's GTID as last recorded (up to a second old)"
              >
                {r.behind} behind
              </span>
            )}
          </div>
          <dl className="facts mono">
            <Fact label="lastCommit" value={r.lastCommit} title="The GTID a new primary resumes from" />
            <Fact
              label="written"
              value={r.written}
              title={r.writtenBy ? `The last transaction ${r.writtenBy} appended to the sink` : undefined}
            />
          </dl>
        </li>
      ))}
    </ul>
  )
}
