import { describe, expect, it } from 'vitest'
import type { ZkServerView } from '../../src/shared/lab-state.js'
import { findLeader, quorumState, summarizeCuts } from '../../src/renderer/src/cluster/zk-model.js'

const server = (id: number, state: ZkServerView['state'], mode?: string, epoch?: number): ZkServerView => ({
  id,
  name: `zk-${id}`,
  state,
  ...(mode ? { mode } : {}),
  ...(epoch !== undefined ? { epoch } : {}),
})

describe('quorumState', () => {
  it('is undefined for a standalone server', () => {
    expect(quorumState([server(1, 'running', 'standalone')])).toBeUndefined()
  })

  it('counts the servers that serve against a majority of the ensemble', () => {
    const servers = [
      server(1, 'running', 'follower'),
      server(2, 'running', 'leader', 3),
      server(3, 'crashed', 'follower'),
    ]
    expect(quorumState(servers)).toEqual({ size: 3, serving: 2, majority: 2, hasQuorum: true })
    expect(findLeader(servers)?.epoch).toBe(3)
  })

  it('says no quorum when fewer than a majority serve (not-serving, paused, stopped)', () => {
    const servers = [
      server(1, 'running', 'not-serving'),
      server(2, 'paused', 'leader'),
      server(3, 'stopped'),
      server(4, 'running', 'follower'),
      server(5, 'running', 'follower'),
    ]
    expect(quorumState(servers)).toEqual({ size: 5, serving: 2, majority: 3, hasQuorum: false })
  })

  it("takes a server's mode from its latest srvr when the state has none", () => {
    const servers = [server(1, 'running'), server(2, 'running'), server(3, 'running')]
    const stats = {
      'zk-1': { server: 1, name: 'zk-1', mode: 'leader', time: 1 },
      'zk-2': { server: 2, name: 'zk-2', mode: 'follower', time: 1 },
    }
    expect(quorumState(servers, stats)?.serving).toBe(2)
  })
})

describe('summarizeCuts', () => {
  it('writes a pair cut both ways once, and a lost direction as one way', () => {
    expect(
      summarizeCuts([
        { from: 'zk-2', to: 'zk-1' },
        { from: 'zk-1', to: 'zk-2' },
        { from: 'zk-3', to: 'zk-1' },
      ]),
    ).toEqual(['zk-2 ✕ zk-1 (both ways)', 'zk-3 → zk-1 lost (one way)'])
  })

  it('lists an isolated server against each other server', () => {
    const cuts = ['zk-1', 'zk-3'].flatMap((other) => [
      { from: 'zk-2', to: other },
      { from: other, to: 'zk-2' },
    ])
    expect(summarizeCuts(cuts)).toEqual(['zk-2 ✕ zk-1 (both ways)', 'zk-2 ✕ zk-3 (both ways)'])
  })

  it('is empty when nothing is cut', () => {
    expect(summarizeCuts([])).toEqual([])
  })
})
