/**
 * Task-name rules shared by the publisher, the workers and the lab core. A task name becomes one znode
 * name under `<root>/tasks` and one sink file name, so it must be a single safe path segment.
 * Pure: no Node or ZooKeeper import, so any side (core, CLI, renderer) can use it.
 */
export const TASK_NAME_MAX_LENGTH = 64
export const TASK_NAME_PATTERN = /^[A-Za-z0-9._-]+$/

/** Returns the first rule the name breaks, or null when it is a valid task name. */
export function taskNameProblem(name: string): string | null {
  if (name.length === 0) return 'task name must not be empty'
  if (name.length > TASK_NAME_MAX_LENGTH) {
    return `task name must be at most ${TASK_NAME_MAX_LENGTH} characters (got ${name.length})`
  }
  if (name.includes('/')) return 'task name must not contain "/"'
  if (name === '.' || name === '..') return 'task name must not be "." or ".."'
  // \p{Cc}: the C0 and C1 control characters, U+0000–U+001F and U+007F–U+009F.
  if (/\p{Cc}/u.test(name)) return 'task name must not contain control characters'
  if (!TASK_NAME_PATTERN.test(name)) {
    return `task name may only contain letters, digits, ".", "_" and "-" (must match ${TASK_NAME_PATTERN})`
  }
  return null
}

export function isValidTaskName(name: string): boolean {
  return taskNameProblem(name) === null
}
