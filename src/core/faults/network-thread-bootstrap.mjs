// Starts the network thread from its TypeScript source when no fresh bundle exists: tsx registered
// in the lab's main thread does not reach a worker thread, so the thread registers its own.
import { workerData } from 'node:worker_threads'
import { register } from 'tsx/esm/api'

register()
await import(workerData.entry)
