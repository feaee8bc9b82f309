import type { LabState } from '../../../shared/lab-state.js'
import type { NetworkFaultApplied } from '../../../shared/events.js'
import type { Slice } from '../app/store.js'

/** The latest four-letter-word figures of one server (the `zk.stats` event). */
export interface ZkStats {
  server: number
  name: string
  nodeCount?: number
  connections?: number
  mode?: string
  zxid?: string
  latencyAvg?: number
  outstanding?: number
  time: number
}

/** The lab state the cluster panel shows; each part gets a new reference only when it changed. */
export interface ClusterSlice {
  session?: LabState['session']
  zookeeper: LabState['zookeeper']
  processes: LabState['processes']
  workers: LabState['workers']
  tasks: LabState['tasks']
  alerts: LabState['alerts']
  zkStats: Record<string, ZkStats>
  /** Network faults in force on a worker's link to ZooKeeper (until healed), as recorded, oldest first. */
  workerNet: Record<string, { faults: Array<Omit<NetworkFaultApplied, 'name'>>; since: number }>
  /** The latest watch graph and server sessions the lab polled (zookeeper.watches, zookeeper.sessions). */
  zkWatches?: LabState['watches']
  zkSessions?: LabState['sessions']
  /** The binlog workload's MariaDB source, once the session started one. */
  source?: LabState['source']
}

/** Before a session's first event: no servers, processes, workers or tasks. */
export function emptySessionCluster(): ClusterSlice {
  return {
    session: undefined,
    zookeeper: { servers: [] },
    processes: {},
    workers: {},
    tasks: {},
    alerts: [],
    zkStats: {},
    workerNet: {},
    zkWatches: undefined,
    zkSessions: undefined,
    source: undefined,
  }
}

export const createClusterSlice: Slice<ClusterSlice> = () => emptySessionCluster()
