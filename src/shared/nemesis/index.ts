export * from './fault-kinds.js'
export * from './random.js'
export * from './schedule.js'
