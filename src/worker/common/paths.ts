/** The seed's znode layout, in one place: `<root>/tasks/<task>/{instance,lastCommit,status}` (the root's default is in src/shared/worker-launch). */

/** Name prefix of a worker's EPHEMERAL_SEQUENTIAL registration; ZooKeeper appends 10 digits. */
export const instancePrefix = (workerId: number | string): string => `server_${workerId}_`

export interface TaskPaths {
  root: string
  tasks: string
  task: string
  instance: string
  lastCommit: string
  status: string
}

export function tasksPath(root: string): string {
  return `${root}/tasks`
}

export function taskPaths(root: string, task: string): TaskPaths {
  const taskPath = `${tasksPath(root)}/${task}`
  return {
    root,
    tasks: tasksPath(root),
    task: taskPath,
    instance: `${taskPath}/instance`,
    lastCommit: `${taskPath}/lastCommit`,
    status: `${taskPath}/status`,
  }
}

/** Every ancestor of an absolute path, shortest first, the path itself last: /a/b → [/a, /a/b]. */
export function pathPrefixes(path: string): string[] {
  const parts = path.split('/').filter((p) => p !== '')
  return parts.map((_, i) => '/' + parts.slice(0, i + 1).join('/'))
}

export function parentPath(path: string): string {
  const i = path.lastIndexOf('/')
  return i <= 0 ? '/' : path.slice(0, i)
}

export function joinPath(parent: string, child: string): string {
  return parent === '/' ? `/${child}` : `${parent}/${child}`
}
