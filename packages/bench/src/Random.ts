/** A small seeded random source (mulberry32): the same seed gives the same campaign and the same load. */

/** A deterministic stream of numbers in [0, 1). */
export interface Random {
  /** The next number in [0, 1). */
  readonly next: () => number
  /** An integer in [min, max]. */
  readonly int: (min: number, max: number) => number
  /** True with probability `p`. */
  readonly chance: (p: number) => boolean
}

/** A random source from a seed; `derive` gives independent streams (one per unit, say) from one seed. */
export const random = (seed: number): Random => {
  let state = seed >>> 0
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  return {
    next,
    int: (min, max) => min + Math.floor(next() * (max - min + 1)),
    chance: (p) => next() < p,
  }
}

/** A seed for a named stream under a run's seed (FNV-1a of the name, mixed with the seed). */
export const derive = (seed: number, name: string): number => {
  let hash = 0x811c9dc5 ^ seed
  for (let i = 0; i < name.length; i++) {
    hash ^= name.charCodeAt(i)
    hash = Math.imul(hash, 0x01000193)
  }
  return hash >>> 0
}
