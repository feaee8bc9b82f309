/**
 * The watch graph and the herd on a real ZooKeeper (standalone, tickTime 500) with the lab's own
 * workers, in one session: a seed task, whose standbys all wait on the whole instance list, and a
 * recipe task, whose standbys each watch one predecessor. The graph must show both shapes, and killing
 * each primary must wake every seed standby but one recipe standby.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { LabEventTypes, WorkerEventTypes, type LabEvent } from '../../src/shared/events.js'
import { LAB_ROOT, primariesOf } from '../../src/shared/lab-state.js'
import { Lab } from '../../src/core/lab.js'
import { checkSession } from '../../src/core/checker/index.js'
import { isAlive, waitFor } from './helpers/wait.js'

/** Workers per task. */
const N = 10
const SEED = 'herd-seed'
const RECIPE = 'herd-recipe'
const SESSION_TIMEOUT = 2000

describe('watch graph and herd (real ZooKeeper, seed and recipe workers)', () => {
  let base: string
  let lab: Lab
  const events: LabEvent[] = []
  const instance = (task: string) => `${LAB_ROOT}/tasks/${task}/instance`
  const running = (task: string) =>
    Object.values(lab.state.workers).filter((w) => w.task === task && w.status === 'running')
  const settled = (task: string) =>
    primariesOf(lab.state, task).length === 1 && running(task).filter((w) => w.role === 'standby').length === N - 1
  const edges = () => lab.state.watches?.edges ?? []

  beforeAll(async () => {
    base = mkdtempSync(join(tmpdir(), 'zklab-watches-'))
    lab = new Lab()
    lab.onEvent((e) => events.push(e))
    await lab.createSession({ name: 'watch-graph-test', dir: join(base, 'session') })
    await lab.startZooKeeper({ tickTimeMs: 500 })
    for (const [task, strategy] of [
      [SEED, 'seed'],
      [RECIPE, 'recipe'],
    ] as const) {
      await lab.publishTask({ task })
      await lab.addWorkers({ task, count: N, strategy, commitIntervalMs: 300, sessionTimeoutMs: SESSION_TIMEOUT })
    }
  }, 60_000)

  afterAll(async () => {
    const pids = events.flatMap((e) => (e.type === LabEventTypes.processSpawned ? [e.pid] : []))
    await lab?.dispose()
    expect(pids.filter(isAlive)).toEqual([])
    rmSync(base, { recursive: true, force: true })
  })

  it("shows the seed's standbys all on the instance list and the recipe's standbys in a chain", async () => {
    const seedChildWatches = () =>
      edges().filter((e) => e.path === instance(SEED) && e.kind === 'child' && e.worker?.startsWith(`worker-${SEED}-`))
    /** Each recipe standby's watch on another worker's node: its predecessor. */
    const predecessorWatches = () => {
      const owners = new Map(running(RECIPE).map((w) => [`${instance(RECIPE)}/${w.node}`, w.name]))
      // The lab's observer watches every node too: only the workers' own watches count here.
      const recipeWorker = (name: string | undefined) => name?.startsWith(`worker-${RECIPE}-`)
      return edges().filter(
        (e) => e.kind === 'data' && recipeWorker(e.worker) && owners.has(e.path) && owners.get(e.path) !== e.worker,
      )
    }
    await waitFor(
      () =>
        settled(SEED) &&
        settled(RECIPE) &&
        seedChildWatches().length === N - 1 &&
        predecessorWatches().length === N - 1,
      40_000,
    ).catch(() => console.log(JSON.stringify(lab.state.watches, null, 1)))
    expect(settled(SEED) && settled(RECIPE)).toBe(true)

    // Seed: one child watch per standby on the whole list (inferred: ZooKeeper 3.8 does not list them).
    expect(
      seedChildWatches()
        .map((e) => e.worker)
        .sort(),
    ).toEqual(
      running(SEED)
        .filter((w) => w.role === 'standby')
        .map((w) => w.name)
        .sort(),
    )
    // Counts count every watch on a path: the standbys' and the lab observer's own data watch.
    expect(lab.state.watches?.counts[instance(SEED)]).toBe(edges().filter((e) => e.path === instance(SEED)).length)

    // Recipe: as ZooKeeper lists them, one standby per node but the last, each on a different one.
    const chain = predecessorWatches()
    expect(chain).toHaveLength(N - 1)
    expect(new Set(chain.map((e) => e.path)).size).toBe(N - 1)
    expect(new Set(chain.map((e) => e.worker)).size).toBe(N - 1)
    for (const e of chain) expect([e.server, e.inferred]).toEqual(['zk-1', undefined])
    // The node nobody watches as a predecessor is the last registration's.
    const last = running(RECIPE).sort((a, b) => (a.node ?? '').slice(-10).localeCompare((b.node ?? '').slice(-10)))
    expect(chain.map((e) => e.path)).not.toContain(`${instance(RECIPE)}/${last.at(-1)?.node}`)

    // Every worker's session is mapped, in the sessions snapshot too.
    const sessions = lab.state.sessions?.connections ?? []
    expect(sessions.filter((c) => c.worker?.startsWith('worker-'))).toHaveLength(2 * N)
  }, 60_000)

  it('wakes every seed standby and one recipe standby when each primary is killed', async () => {
    const faultSeq = lab.state.lastSeq
    const old = [SEED, RECIPE].map((task) => primariesOf(lab.state, task)[0])
    await Promise.all(old.map((w) => lab.processAction({ name: w.name, action: 'kill' })))
    const committedAfter = (task: string, from: string) =>
      events.some(
        (e) =>
          e.seq > faultSeq &&
          e.type === WorkerEventTypes.commit &&
          e.source !== from &&
          e.source.startsWith(`worker-${task}-`),
      )
    await waitFor(() => committedAfter(SEED, old[0].name) && committedAfter(RECIPE, old[1].name), 30_000)

    const { failovers } = checkSession({ events })
    const herdOf = (task: string) => failovers.find((f) => f.task === task)?.herd
    expect(herdOf(SEED)).toMatchObject({ woken: N - 1, source: 'workers' })
    expect(herdOf(RECIPE)).toMatchObject({ woken: 1, source: 'workers' })
    // The recipe's one woken standby watched the killed primary's node, and went on to take over.
    expect(herdOf(RECIPE)?.workers[0]).toMatchObject({ path: `${instance(RECIPE)}/${old[1].node}`, did: 'primary' })
    for (const w of herdOf(SEED)!.workers) expect(w.reactedMs).toBeGreaterThanOrEqual(0)
  }, 60_000)
})
