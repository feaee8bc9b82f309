import { useCallback, useEffect } from 'react'
import { Strategy, type ExternalWorker, type ScenarioSummary } from '../../../shared/api.js'
import { STRATEGY_DESCRIPTIONS } from '../../../shared/strategies.js'
import { useNow } from '../app/clock.js'
import { formatDuration, formatTime } from '../app/format.js'
import { useStore } from '../app/store.js'
import { errorText, useLabAction } from '../lab/actions.js'
import { lab } from '../lab/connection.js'
import { strategyProblem, useStrategyList } from '../lab/strategy-list.js'
import { ExternalCommandField, useExternalCommand } from '../external/ExternalCommandField.js'
import type { RunRecord, StrategyChoice } from './experiments-slice.js'
import { Table, type Column } from '../ui/Table.js'
import { OUTCOME_LABEL, formatStepMs, runOutcome, sinceStart, verdictsLine, type RunOutcome } from './checker-model.js'

/** The strategy override of a run: none (each task's own), one strategy for every task, or a program of yours. */
const STRATEGIES: Array<{ id: StrategyChoice; label: string; hint: string }> = [
  { id: 'default', label: 'scenario default', hint: "Each task's own strategy, as the scenario file sets it" },
  ...Strategy.options.map((id) => ({ id, label: id, hint: STRATEGY_DESCRIPTIONS[id] })),
  {
    id: 'external',
    label: 'external…',
    hint: "Every task's workers run a program of yours, judged only from what it writes to ZooKeeper and the sink",
  },
]

/** How long a run may take to open its session before the view gives up waiting for it. */
const PENDING_RUN_TIMEOUT_MS = 30_000

/** Steps listed under the current run. */
const STEPS_SHOWN = 8

export function ExperimentsPanel() {
  useScenarioList()
  return (
    <div className="pane experiments-pane">
      <div className="pane-body">
        <CurrentRun />
        <ScenarioPicker />
        <PastRuns />
      </div>
    </div>
  )
}

/** Loads the bundled scenarios once per window (they do not change while the lab runs). */
function useScenarioList(): void {
  const connected = useStore((s) => s.connection === 'open')
  const loaded = useStore((s) => s.scenarios !== undefined)
  useEffect(() => {
    if (!connected || loaded) return
    let cancelled = false
    lab()
      .listScenarios()
      .then((scenarios) => {
        if (!cancelled) useStore.setState({ scenarios, scenariosError: undefined })
      })
      .catch((err: unknown) => {
        if (!cancelled) useStore.setState({ scenariosError: errorText(err) })
      })
    return () => {
      cancelled = true
    }
  }, [connected, loaded])
}

function ScenarioPicker() {
  const scenarios = useStore((s) => s.scenarios)
  const error = useStore((s) => s.scenariosError)
  const running = useStore((s) => s.scenario?.running === true || s.pendingRun !== undefined)
  const selected = useStore((s) => s.chosenScenario)
  const strategy = useStore((s) => s.runStrategy)
  const replaying = useStore((s) => s.replay !== undefined)
  const { chooseScenario: setSelected, setRunStrategy: setStrategy } = useStore.getState()
  const chosen = scenarios?.find((s) => s.name === selected) ?? scenarios?.[0]
  const command = useExternalCommand()
  const strategies = useStrategyList()
  const start = useCallback(async (name: string, choice: StrategyChoice, external?: ExternalWorker) => {
    const strategy = choice === 'default' ? undefined : choice
    const pending = { name, ...(strategy ? { strategy } : {}), since: Date.now() }
    useStore.getState().setPendingRun(pending)
    try {
      await lab().runScenario({ name, ...(strategy === 'external' ? { external } : strategy ? { strategy } : {}) })
    } catch (err) {
      useStore.getState().setPendingRun(undefined)
      throw err
    }
    // The run reports itself with scenario.started in its new session; if that never comes (it could
    // not open the session), say so rather than wait forever.
    setTimeout(() => {
      if (useStore.getState().pendingRun !== pending) return
      useStore.getState().setPendingRun(undefined)
      useStore.getState().pushToast({
        kind: 'error',
        title: 'Run scenario',
        message: `${name} did not start; see the lab's output.`,
        time: Date.now(),
      })
    }, PENDING_RUN_TIMEOUT_MS)
  }, [])
  const { run, busy } = useLabAction('Run scenario', start)
  const defaultStrategies = chosen?.strategies.join(', ') || 'seed'
  return (
    <section className="card" aria-labelledby="scenarios-title">
      <header className="card-head">
        <h2 className="card-title" id="scenarios-title">
          Scenarios
        </h2>
        <span className="muted small">
          bundled with the lab · each run gets a session of its own; the open one is closed and graded first
        </span>
      </header>
      {error ? (
        <p className="field-error" role="alert">
          Could not list the scenarios: {error}
        </p>
      ) : !scenarios ? (
        <p className="empty small">Loading the scenarios…</p>
      ) : scenarios.length === 0 ? (
        <p className="empty small">No bundled scenarios found.</p>
      ) : (
        <>
          <Table
            label="Bundled scenarios"
            className="scenario-table"
            columns={scenarioColumns(chosen?.name, setSelected)}
            rows={scenarios}
            rowKey={(sc) => sc.name}
            rowAttributes={(sc) => ({ className: 'scenario-row', 'data-scenario': sc.name })}
            onRowClick={(sc) => setSelected(sc.name)}
            selected={(sc) => sc.name === chosen?.name}
          />
          <div className="run-bar">
            <span className="small muted" id="strategy-label">
              Strategy
            </span>
            <div className="chips" role="radiogroup" aria-labelledby="strategy-label">
              {STRATEGIES.map((st) => {
                // A peer whose toolchain is missing is shown, greyed, with what installs it.
                const problem = Strategy.safeParse(st.id).success
                  ? strategyProblem(strategies, st.id as Strategy)
                  : undefined
                return (
                  <button
                    key={st.id}
                    type="button"
                    role="radio"
                    aria-checked={strategy === st.id}
                    className="chip"
                    disabled={problem !== undefined}
                    title={problem ? `${st.hint}. Not available here: ${problem}` : st.hint}
                    onClick={() => setStrategy(st.id)}
                  >
                    {st.id === 'default' ? `${st.label} (${defaultStrategies})` : st.label}
                  </button>
                )
              })}
            </div>
            <span className="spacer" />
            <button
              type="button"
              className="btn btn-primary"
              disabled={busy || running || replaying || !chosen || (strategy === 'external' && !command.external)}
              aria-label={chosen ? `Run ${chosen.name}` : 'Run scenario'}
              title={
                replaying
                  ? 'Read-only replay: go back to live to run a scenario'
                  : running
                    ? 'A scenario is running: stop it first'
                    : strategy === 'external'
                      ? command.error
                      : undefined
              }
              onClick={() => chosen && void run(chosen.name, strategy, command.external)}
            >
              ▶ Run {chosen?.name}
              {strategy !== 'default' && <span className="run-strategy">with {strategy}</span>}
            </button>
          </div>
          {strategy === 'external' && <ExternalCommandField id="scenario-external" />}
        </>
      )}
    </section>
  )
}

/** The scenario picker: a radio button per row, the row itself chooses too. */
function scenarioColumns(chosen: string | undefined, onChoose: (name: string) => void): Column<ScenarioSummary>[] {
  return [
    {
      header: <span className="sr-only">chosen</span>,
      className: 'radio-cell',
      cell: (sc) => (
        <input
          type="radio"
          id={`scenario-${sc.name}`}
          name="scenario"
          checked={sc.name === chosen}
          onChange={() => onChoose(sc.name)}
          aria-label={sc.name}
        />
      ),
    },
    {
      header: 'scenario',
      cell: (sc) => (
        <>
          <label htmlFor={`scenario-${sc.name}`} className="mono strong scenario-name">
            {sc.name}
          </label>
          {sc.workloads?.includes('binlog') && (
            <>
              {' '}
              <span className="tag mono" title="Its primaries back up a MariaDB binlog; the run starts a source">
                binlog
              </span>
            </>
          )}
        </>
      ),
    },
    { header: 'what it does', className: 'wrap description', cell: (sc) => sc.description || '—' },
    {
      header: 'workers',
      numeric: true,
      className: 'mono',
      cell: (sc) => (
        <>
          {sc.workers}
          {sc.tasks > 1 && <span className="muted"> in {sc.tasks} tasks</span>}
        </>
      ),
    },
    { header: 'ZooKeeper', className: 'mono', cell: (sc) => sc.zookeeper },
    { header: 'strategy', className: 'mono', cell: (sc) => sc.strategies.join(', ') || 'seed' },
  ]
}

/** The session's scenario: where it is, how long it has run, and how it ended. */
function CurrentRun() {
  const scenario = useStore((s) => s.scenario)
  const pending = useStore((s) => s.pendingRun)
  const verdicts = useStore((s) => s.verdicts)
  const phase = useStore((s) => s.sessionPhase)
  const steps = useStore((s) => s.scenarioSteps)
  const violations = useStore((s) => s.violations.length)
  const session = useStore((s) => s.session)
  const folder = useStore((s) => s.replay?.dir ?? s.session?.dir)
  const endedAt = useStore((s) => s.scenarioEndedAt)
  const setTab = useStore((s) => s.setMainTab)
  const replaying = useStore((s) => s.replay !== undefined)
  const now = useNow()
  const stop = useCallback(() => lab().stopScenario(), [])
  const stopping = useLabAction('Stop scenario', stop)
  if (!scenario && !pending) {
    return (
      <section className="card" aria-labelledby="run-title" data-testid="current-run" data-outcome="none">
        <header className="card-head">
          <h2 className="card-title" id="run-title">
            Current run
          </h2>
        </header>
        <p className="empty small">
          No scenario in this session. Pick one below and run it: its steps show here as they run, its violations and
          verdicts under Verdicts.
        </p>
      </section>
    )
  }
  const outcome: RunOutcome =
    pending && !scenario?.running ? 'starting' : (runOutcome(scenario, verdicts, phase === 'closed') ?? 'starting')
  const name = pending && outcome === 'starting' ? pending.name : scenario?.name
  const strategy = pending && outcome === 'starting' ? pending.strategy : scenario?.strategy
  const startedAt = outcome === 'starting' ? pending?.since : scenario?.startedAt
  const elapsed =
    startedAt === undefined
      ? undefined
      : (outcome === 'running' || outcome === 'starting' ? now : (endedAt ?? now)) - startedAt
  const current = steps[steps.length - 1]
  return (
    <section
      className={`card run-card run-${outcome}`}
      aria-labelledby="run-title"
      data-testid="current-run"
      data-outcome={outcome}
    >
      <header className="card-head run-head">
        <h2 className="card-title" id="run-title">
          Current run
        </h2>
        <span
          className={`outcome outcome-${outcome}`}
          role="status"
          aria-label={`Run ${OUTCOME_LABEL[outcome]}`}
          data-testid="run-outcome"
        >
          {(outcome === 'running' || outcome === 'starting' || outcome === 'grading') && (
            <span className="dot" aria-hidden="true" />
          )}
          {OUTCOME_LABEL[outcome]}
        </span>
        <span className="mono strong run-name" data-testid="run-scenario">
          {name}
        </span>
        <span
          className="tag"
          title={
            scenario?.command ? `Every task's workers ran: ${scenario.command}` : 'Strategy of every task in this run'
          }
        >
          {strategy ? `strategy ${strategy}` : 'scenario default strategy'}
        </span>
        {scenario?.seed !== undefined && outcome !== 'starting' && (
          <span
            className="tag mono"
            data-testid="run-seed"
            title={`The seed of this run's random choices (nemesis schedules, random targets): zklab run --seed ${scenario.seed} replays them`}
          >
            seed {scenario.seed}
          </span>
        )}
        {scenario?.command && outcome !== 'starting' && (
          <span
            className="mono small muted run-command"
            data-testid="run-command"
            title="The command line every task's workers ran"
          >
            {scenario.command}
          </span>
        )}
        <span className="spacer" />
        {elapsed !== undefined && (
          <span className="mono small" title="Elapsed" data-testid="run-elapsed">
            <span className="muted">elapsed </span>
            {formatDuration(Math.max(0, elapsed))}
          </span>
        )}
        {outcome === 'running' && !replaying && (
          <button
            type="button"
            className="btn btn-small btn-danger"
            disabled={stopping.busy}
            aria-label="Stop scenario"
            onClick={() => void stopping.run()}
          >
            {stopping.busy ? 'Stopping…' : '■ Stop'}
          </button>
        )}
      </header>

      {outcome === 'starting' ? (
        <p className="small muted">Closing the current session and starting a new one for {name}…</p>
      ) : (
        <>
          <div className="run-facts">
            <div className="run-fact">
              <span className="label">step</span>
              <span className="mono" data-testid="run-step">
                {current ? current.path : '—'}
              </span>
              {current?.text && <span className="mono muted">{current.text}</span>}
            </div>
            <div className="run-fact">
              <span className="label">violations</span>
              <span className={`mono strong ${violations ? 'text-bad' : ''}`}>{violations}</span>
            </div>
            <div className="run-fact">
              <span className="label">steps done</span>
              <span className="mono">{steps.length}</span>
            </div>
          </div>
          {steps.length > 0 && (
            <ol className="step-trail mono small" aria-label="Steps reached">
              {steps.slice(-STEPS_SHOWN).map((st, i, shown) => (
                <li
                  key={`${st.path}-${st.time}`}
                  className={i === shown.length - 1 && outcome === 'running' ? 'is-current' : ''}
                >
                  <span className="muted">{sinceStart(st.time, scenario?.startedAt)}</span>
                  <span>{st.path}</span>
                  <span className="muted">{st.text}</span>
                </li>
              ))}
            </ol>
          )}
        </>
      )}

      {(outcome === 'passed' || outcome === 'failed' || outcome === 'stopped' || outcome === 'grading') && (
        <div className={`run-result result-${outcome}`} data-testid="run-result">
          <div className="run-result-head">
            <strong>{resultHeadline(outcome, name)}</strong>
            {verdicts ? (
              <span className="small">{verdictsLine(verdicts.verdicts)}</span>
            ) : (
              <span className="small muted">
                {phase === 'closed' ? 'no final verdicts' : 'grading from the sinks…'}
              </span>
            )}
            <span className="spacer" />
            <button type="button" className="btn btn-small" onClick={() => setTab('verdicts')}>
              Show verdicts
            </button>
          </div>
          {scenario?.error && scenario.error !== 'interrupted' && (
            <p className="run-error mono" data-testid="run-error">
              {scenario.error}
            </p>
          )}
          {session && (
            <p className="small muted run-folder">
              Session folder <span className="mono folder">{folder}</span>
              {phase === 'closed' && ' · closed: start a new session (top) to go on by hand, or run another scenario.'}
            </p>
          )}
        </div>
      )}
    </section>
  )
}

function resultHeadline(outcome: RunOutcome, name: string | undefined): string {
  switch (outcome) {
    case 'passed':
      return `${name} passed`
    case 'failed':
      return `${name} failed`
    case 'stopped':
      return `${name} was stopped`
    default:
      return `${name} finished its steps`
  }
}

/** Runs of this window, newest first: seed against recipe at a glance. */
function PastRuns() {
  const runs = useStore((s) => s.runs)
  if (runs.length === 0) return null
  return (
    <section className="card" aria-labelledby="runs-title">
      <header className="card-head">
        <h2 className="card-title" id="runs-title">
          Runs
        </h2>
        <span className="muted small">in this window, newest first</span>
      </header>
      <Table
        label="Runs"
        className="mono"
        columns={RUN_COLUMNS}
        rows={runs}
        rowKey={(r) => r.sessionDir}
        rowAttributes={(r) => ({ 'data-testid': 'run-row', 'data-ok': r.ok })}
      />
    </section>
  )
}

const RUN_COLUMNS: Column<RunRecord>[] = [
  { header: 'started', cell: (r) => formatTime(r.startedAt).slice(0, 8) },
  { header: 'scenario', className: 'strong', cell: (r) => r.scenario },
  { header: 'strategy', cell: (r) => r.strategy ?? 'default' },
  { header: 'seed', className: 'mono', cell: (r) => r.seed ?? '—' },
  {
    header: 'result',
    cell: (r) => (
      <span className={`tag ${r.ok ? 'tag-ok' : r.error === 'interrupted' ? 'tag-muted' : 'tag-bad'}`} title={r.error}>
        {r.ok ? 'PASSED' : r.error === 'interrupted' ? 'STOPPED' : 'FAILED'}
      </span>
    ),
  },
  {
    header: 'checks',
    numeric: true,
    cell: (r) => (
      <>
        {r.verdicts - r.failedVerdicts}/{r.verdicts}
      </>
    ),
  },
  {
    header: 'violations',
    numeric: true,
    className: (r) => (r.violations ? 'text-bad strong' : undefined),
    cell: (r) => r.violations,
  },
  { header: 'failovers', numeric: true, cell: (r) => r.failovers },
  {
    header: 'new primary',
    hint: 'Median time from the fault to the new primary',
    numeric: true,
    cell: (r) => formatStepMs(r.medianNewPrimaryMs),
  },
  { header: 'took', numeric: true, cell: (r) => (r.durationMs !== undefined ? formatDuration(r.durationMs) : '—') },
  {
    header: 'session folder',
    className: 'truncate-cell',
    title: (r) => r.sessionDir,
    cell: (r) => r.sessionDir.split(/[\\/]/).pop(),
  },
]
