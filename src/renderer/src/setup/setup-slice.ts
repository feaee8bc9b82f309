import type { ZooKeeperSetup } from '../../../shared/api.js'
import type { Slice } from '../app/store.js'

export type SetupProblem = Extract<ZooKeeperSetup, { ok: false }>

export interface SetupSlice {
  /** What a failed ZooKeeper start found missing (Java, ZooKeeper), shown by the set-up panel until found. */
  setupProblem?: SetupProblem
  /** What "Check again" found once the problem was fixed: shown until the next start. */
  setupFound?: Extract<ZooKeeperSetup, { ok: true }>
  setSetup(setup: ZooKeeperSetup | undefined): void
}

export const createSetupSlice: Slice<SetupSlice> = (set) => ({
  setupProblem: undefined,
  setupFound: undefined,
  setSetup: (setup) =>
    set(
      setup === undefined
        ? { setupProblem: undefined, setupFound: undefined }
        : setup.ok
          ? { setupProblem: undefined, setupFound: setup }
          : { setupProblem: setup, setupFound: undefined },
    ),
})
