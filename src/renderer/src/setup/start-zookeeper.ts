import { useStore } from '../app/store.js'
import { lab } from '../lab/connection.js'

/**
 * Runs a call that starts ZooKeeper. When it fails, the lab is asked whether Java and ZooKeeper are
 * there at all: if not, the set-up panel shows what is missing and the command that installs it (and
 * this resolves false, so no error toast repeats it); any other failure is thrown as it came.
 */
export async function startZooKeeperOrExplain(start: () => Promise<unknown>): Promise<boolean> {
  const { setSetup } = useStore.getState()
  setSetup(undefined)
  try {
    await start()
    return true
  } catch (err) {
    const setup = await lab()
      .checkZooKeeperSetup()
      .catch(() => undefined)
    if (setup && !setup.ok) {
      setSetup(setup)
      return false
    }
    throw err
  }
}
