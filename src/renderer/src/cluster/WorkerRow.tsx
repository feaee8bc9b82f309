import { useCallback } from 'react'
import { isPeerStrategy, type NetworkFaultInput, type ProcessAction } from '../../../shared/api.js'
import { describeClock } from '../../../shared/worker-launch/index.js'
import type { WorkerView } from '../../../shared/lab-state.js'
import { describeNetworkFault } from '../../../shared/network-faults.js'
import { useNow } from '../app/clock.js'
import { formatDuration, formatSessionId, formatTime } from '../app/format.js'
import { useStore } from '../app/store.js'
import { lab } from '../lab/connection.js'
import { useLabAction } from '../lab/actions.js'
import { Menu, MenuItem } from '../ui/Menu.js'
import { capitalize, Fact } from './ZooKeeperSection.js'

export function WorkerRow({ name }: { name: string }) {
  const w = useStore((s) => s.workers[name])
  const act = useCallback(
    (action: ProcessAction | 'remove') =>
      action === 'remove' ? lab().removeWorker({ name }) : lab().processAction({ name, action }),
    [name],
  )
  const { run, busy } = useLabAction(name, act)
  const net = useStore((s) => s.workerNet[name])
  if (!w) return null
  const alive = w.status === 'running' || w.status === 'paused'
  // A dead worker's last role is history, not its role now.
  const role = alive ? w.role : 'down'
  const actions: Array<ProcessAction | 'remove'> = !alive
    ? ['restart']
    : [w.status === 'paused' ? 'resume' : 'pause', 'stop', 'kill', 'restart', 'remove']
  return (
    <li
      className={`row worker-row ${alive ? '' : 'is-down'}`}
      data-worker={name}
      data-role={w.role}
      data-status={w.status}
      data-task={w.task}
      data-strategy={w.strategy}
    >
      <div className="row-main">
        <span className={`role-badge role-${role}`} title={alive ? `role: ${w.role}` : `was ${w.role}`}>
          {role}
        </span>
        <span className="mono strong nowrap" title={name}>
          {name}
        </span>
        <span className={`state-badge state-${w.status}`}>
          <span className="dot" aria-hidden="true" />
          {w.status}
        </span>
        {w.connection && w.connection !== 'connected' && alive && <span className="tag tag-warn">{w.connection}</span>}
        {net && (
          <span
            className="tag tag-bad"
            title="Faults on the worker's link to ZooKeeper (↑ worker → ZooKeeper only, ↓ ZooKeeper → worker only)"
          >
            {net.faults.map(describeNetworkFault).join(', ')}
          </span>
        )}
        <span className="row-actions">
          {actions.map((action) => (
            <button
              key={action}
              type="button"
              className={`btn btn-small ${action === 'kill' ? 'btn-danger' : ''} ${action === 'remove' ? 'btn-icon' : ''}`}
              disabled={busy}
              aria-label={`${capitalize(action)} ${name}`}
              title={ACTION_HINT[action]}
              onClick={() => void run(action)}
            >
              {action === 'remove' ? '✕' : capitalize(action)}
            </button>
          ))}
        </span>
      </div>
      <div className="row-sub">
        <dl className="facts mono">
          <Fact label="pid" value={w.pid} />
          <Fact
            label="runs"
            value={w.strategy || undefined}
            title={
              w.strategy === 'external'
                ? 'Your program: its role is read off ZooKeeper (the smallest instance node), not from what it prints'
                : isPeerStrategy(w.strategy)
                  ? 'A well-known program run as it is: its role is read off ZooKeeper, like an external program'
                  : "The lab's own worker"
            }
          />
          <Fact
            label={w.sessions.length > 1 ? `sessions (${w.sessions.length})` : 'session'}
            value={formatSessionId(w.sessionId)}
            title={sessionsHint(w)}
          />
          <Fact label="last commit" value={w.lastCommit} title={`${w.commits} commits by this worker`} />
          <Uptime startedAt={alive ? w.startedAt : undefined} />
          <Fact label="node" value={w.node} />
          {w.clock && (
            <Fact
              label="clock"
              value={describeClock(w.clock)}
              title="Its wall clock is set apart (libfaketime): what it reads as now is off by this; its timers run on real time. The lab times its events on its own clock."
            />
          )}
        </dl>
        {alive && <NetworkMenu name={name} faulted={net !== undefined} />}
      </div>
    </li>
  )
}

/**
 * Every session the worker's proxy saw it open, oldest first, and the one holding its election node:
 * a worker that comes back on a new session after an expiry shows both.
 */
function sessionsHint(w: WorkerView): string | undefined {
  if (w.sessions.length === 0) return undefined
  return w.sessions
    .map((s) => {
      const parts = [`${formatSessionId(s.sessionId)} ${s.how} at ${formatTime(s.time)}`]
      if (s.timeoutMs > 0) parts.push(`timeout ${s.timeoutMs} ms`)
      if (s.resumes > 0) parts.push(`resumed ${s.resumes}×`)
      if (s.expiredAt !== undefined) parts.push(`expired by ${formatTime(s.expiredAt)}`)
      else if (w.node && s.sessionId === w.sessionId) parts.push(`holds ${w.node}`)
      return parts.join(', ')
    })
    .join('\n')
}

const ACTION_HINT: Record<string, string> = {
  pause: 'SIGSTOP: a long GC pause',
  resume: 'SIGCONT',
  stop: 'SIGTERM (the seed worker exits without closing its session)',
  kill: 'SIGKILL: a crash; its session expires after the timeout',
  restart: 'Start it again; it registers as a new instance',
  remove: 'Remove: stop it for good',
}

type FaultWithoutWorker = Omit<NetworkFaultInput, 'name'>
const NETWORK_FAULTS: Array<{ input: FaultWithoutWorker; label: string; hint: string }> = [
  {
    input: { fault: 'partition' },
    label: 'Partition',
    hint: 'Drop all traffic to ZooKeeper: the session expires after its timeout',
  },
  {
    input: { fault: 'partition', direction: 'upstream' },
    label: 'Partition ↑ only',
    hint: 'The worker cannot reach ZooKeeper but still hears it: its session expires, and it is not told',
  },
  {
    input: { fault: 'partition', direction: 'downstream' },
    label: 'Partition ↓ only',
    hint: 'ZooKeeper hears the worker, the worker hears nothing back',
  },
  { input: { fault: 'slow', latencyMs: 500 }, label: 'Slow +500 ms', hint: 'Add 500 ms each way' },
  { input: { fault: 'slow', latencyMs: 2000 }, label: 'Slow +2 s', hint: 'Add 2 s each way' },
  {
    input: { fault: 'loss', probability: 0.2 },
    label: 'Loss 20 %',
    hint: 'One chunk in five waits a TCP retransmission timeout (200 ms, doubling while losses follow each other)',
  },
  {
    input: { fault: 'bandwidth', bytesPerSecond: 1000 },
    label: 'Bandwidth 1 kB/s',
    hint: 'At most 1000 bytes per second each way, paced, in order',
  },
  {
    input: { fault: 'reset' },
    label: 'Reset connection',
    hint: 'Close the TCP connection; the client reconnects with the same session',
  },
  { input: { fault: 'heal' }, label: 'Heal', hint: 'Back to a clean link: clears every fault' },
]

/** Faults on the worker's TCP path to ZooKeeper, through its proxy. */
function NetworkMenu({ name, faulted }: { name: string; faulted: boolean }) {
  const call = useCallback((input: FaultWithoutWorker) => lab().networkFault({ name, ...input }), [name])
  const { run, busy } = useLabAction(`Network fault on ${name}`, call)
  return (
    <Menu
      label="Network ▾"
      ariaLabel={`Network faults for ${name}`}
      align="right"
      className={faulted ? 'btn-danger' : ''}
    >
      {NETWORK_FAULTS.map((f) => (
        <MenuItem
          key={f.label}
          label={f.label}
          hint={f.hint}
          ariaLabel={`${f.label} ${name}`}
          disabled={busy}
          onClick={() => void run(f.input)}
        />
      ))}
    </Menu>
  )
}

function Uptime({ startedAt }: { startedAt?: number }) {
  const now = useNow()
  return <Fact label="uptime" value={startedAt ? formatDuration(Math.max(0, now - startedAt)) : undefined} />
}
