import { contextBridge } from 'electron'

/**
 * The renderer's only door to the lab. It will expose the typed Lab API as `window.lab`; until the
 * app is wired, it exposes the versions the placeholder window shows.
 */
contextBridge.exposeInMainWorld('labInfo', {
  versions: { electron: process.versions.electron, chrome: process.versions.chrome, node: process.versions.node },
})
