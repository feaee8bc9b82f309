/**
 * The seeded random numbers a run draws from (fault schedules, `random` targets), behind a tiny
 * interface so the generator can be swapped (for pure-rand, say) without touching its users.
 */

/** A source of numbers in [0, 1). */
export interface Random {
  next(): number
}

/** Seeds are unsigned 32-bit integers: what a scenario's `seed:` and `zklab run --seed` take. */
export const MAX_SEED = 2 ** 32 - 1

/**
 * mulberry32 (Tommy Ettinger's 32-bit generator): one add and three multiply-xorshift rounds per
 * number, a period of 2^32, and plenty for choosing faults. Not for anything secret.
 */
export function mulberry32(seed: number): Random {
  let state = seed >>> 0
  return {
    next() {
      state = (state + 0x6d2b79f5) >>> 0
      let t = state
      t = Math.imul(t ^ (t >>> 15), t | 1)
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
      return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32
    },
  }
}

/** A seed typed by a person (`--seed 12345`), or undefined when it is not a whole number in range. */
export function parseSeed(text: string): number | undefined {
  const seed = Number(text)
  return /^\d+$/.test(text.trim()) && seed <= MAX_SEED ? seed : undefined
}

/** The generator a run uses for a seed. */
export const seededRandom = mulberry32

/** A fresh seed for a run that was given none (recorded, so the run can be replayed). */
export function drawSeed(): number {
  return crypto.getRandomValues(new Uint32Array(1))[0]
}

/**
 * A seed of its own for one part of a run (a nemesis step, by its path in the scenario), so adding a
 * `random` step elsewhere does not shift its schedule: the run's seed and the label through FNV-1a.
 */
export function deriveSeed(seed: number, label: string): number {
  const fnv = (hash: number, byte: number) => Math.imul(hash ^ byte, 0x01000193) >>> 0
  let hash = 0x811c9dc5
  for (const shift of [0, 8, 16, 24]) hash = fnv(hash, (seed >>> shift) & 0xff)
  for (const char of label) hash = fnv(hash, char.charCodeAt(0) & 0xff)
  return hash
}

/** An integer in [min, max], both included. */
export function between(random: Random, min: number, max: number): number {
  return min + Math.floor(random.next() * (max - min + 1))
}

/** One item of a non-empty list. */
export function pick<T>(random: Random, items: readonly T[]): T {
  return items[Math.floor(random.next() * items.length)]
}
