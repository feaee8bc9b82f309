import { describe, expect, it } from 'vitest'
import { isValidTaskName, TASK_NAME_MAX_LENGTH, taskNameProblem } from '../../src/shared/task-name.js'

describe('task-name validation', () => {
  it.each(['task01', 'a', 'A-b_c.d', '0', '..a', 'a..', '-', '_', 'x'.repeat(TASK_NAME_MAX_LENGTH)])(
    'accepts %j',
    (name) => {
      expect(taskNameProblem(name)).toBeNull()
      expect(isValidTaskName(name)).toBe(true)
    },
  )

  it.each([
    ['', /must not be empty/],
    ['x'.repeat(TASK_NAME_MAX_LENGTH + 1), /at most 64 characters \(got 65\)/],
    ['a/b', /must not contain "\/"/],
    ['/', /must not contain "\/"/],
    ['.', /must not be "\." or "\.\."/],
    ['..', /must not be "\." or "\.\."/],
    ['a\nb', /control characters/],
    ['nul\u0000', /control characters/],
    ['del\u007f', /control characters/],
    ['a b', /may only contain letters, digits/],
    ['tâche', /may only contain letters, digits/],
    ['a:b', /may only contain letters, digits/],
    ['任务', /may only contain letters, digits/],
  ])('rejects %j naming the rule', (name, rule) => {
    expect(taskNameProblem(name)).toMatch(rule)
    expect(isValidTaskName(name)).toBe(false)
  })

  it('is importable without loading ZooKeeper (pure module)', async () => {
    const { readFileSync } = await import('node:fs')
    const source = readFileSync(new URL('../../src/shared/task-name.ts', import.meta.url), 'utf8')
    expect(source).not.toMatch(/^import /m)
  })
})
