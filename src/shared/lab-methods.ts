/**
 * The Lab API's method and channel names, and nothing else. They live apart from the zod schemas in
 * api.ts because the sandboxed preload imports them: a sandboxed preload can require only 'electron',
 * so whatever it imports must be plain constants the bundler inlines.
 */

const NAMES = [
  'createSession',
  'startZooKeeper',
  'checkZooKeeperSetup',
  'zooKeeperAction',
  'startSource',
  'sourceAction',
  'sourceLoad',
  'publishTask',
  'deleteTask',
  'addWorkers',
  'removeWorker',
  'processAction',
  'networkFault',
  'partitionServers',
  'healServers',
  'listScenarios',
  'listStrategies',
  'listSessions',
  'setSessionsDir',
  'chooseSessionsFolder',
  'readSession',
  'renameSession',
  'deleteSession',
  'exportReport',
  'compareSessions',
  'runScenario',
  'stopScenario',
  'snapshot',
  'recentEvents',
  'closeSession',
] as const

export type LabMethod = (typeof NAMES)[number]

/** Every callable Lab method (api.ts checks at compile time that this list and `LabMethods` agree). */
export const LAB_METHOD_NAMES: LabMethod[] = [...NAMES]

/** Electron IPC channel names: one per method, and one for event batches from main to renderer. */
export const ipcChannel = (method: LabMethod) => `lab:${method}` as const
export const IPC_EVENTS_CHANNEL = 'lab:events'
