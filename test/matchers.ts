/**
 * Vitest's asymmetric matchers for the patterns a test writes (`toMatchObject({ time: anyNumber() })`).
 * Vitest types each one `any`, which lets an unchecked value into every pattern that holds one; these
 * are `unknown`: a stand-in that only a matcher reads, never a value the test uses.
 */
import { expect } from 'vitest'

export const anyNumber = (): unknown => expect.any(Number)
export const anyString = (): unknown => expect.any(String)
export const stringMatching = (pattern: RegExp): unknown => expect.stringMatching(pattern)
export const stringContaining = (part: string): unknown => expect.stringContaining(part)
