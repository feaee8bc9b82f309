#!/usr/bin/env node
// The zklab command: runs the lab's TypeScript sources through tsx, so it needs no build step.
import { register } from 'tsx/esm/api'

register()
const { main } = await import('../src/cli/index.ts')
await main()
