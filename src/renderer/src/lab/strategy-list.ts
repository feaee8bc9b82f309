import { useEffect } from 'react'
import type { Strategy, StrategyInfo } from '../../../shared/api.js'
import { unavailableHint } from '../../../shared/strategies.js'
import { useStore } from '../app/store.js'
import { errorText } from './actions.js'
import { lab } from './connection.js'

/** One call for every picker of the window: the toolchains do not change while the lab runs. */
let loading: Promise<void> | undefined

/** The strategies with their availability (listStrategies), loaded once per window; undefined until then. */
export function useStrategyList(): StrategyInfo[] | undefined {
  const connected = useStore((s) => s.connection === 'open')
  const strategies = useStore((s) => s.strategies)
  useEffect(() => {
    if (!connected || strategies || loading) return
    loading = lab()
      .listStrategies()
      .then((list) => useStore.setState({ strategies: list, strategiesError: undefined }))
      .catch((err: unknown) => {
        // Pickers then offer every strategy; the lab itself refuses one that cannot run, saying why.
        useStore.setState({ strategiesError: errorText(err) })
      })
      .finally(() => {
        loading = undefined
      })
  }, [connected, strategies])
  return strategies
}

/** Why a strategy cannot be picked, or undefined when it can (or while the list is loading). */
export function strategyProblem(strategies: StrategyInfo[] | undefined, name: Strategy): string | undefined {
  const info = strategies?.find((s) => s.name === name)
  return info && !info.available ? unavailableHint(info) : undefined
}
