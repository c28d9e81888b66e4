/**
 * A small seeded generator for puzzle generation (mulberry32: 32-bit state, integer
 * operations only), so the same seed gives the same puzzles in Node, a Worker and the page.
 * Not for sampling tokens: the decode loop has its own (`lib/llm/sampler.ts`).
 */
export interface SeededRandom {
  /** Uniform in [0, 1). */
  next(): number;
  /** Uniform integer in [min, max], both included. */
  int(min: number, max: number): number;
}

export function createSeededRandom(seed: number): SeededRandom {
  let state = (Number.isFinite(seed) ? Math.trunc(seed) : 0) >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int(min, max) {
      if (!Number.isInteger(min) || !Number.isInteger(max) || max < min) {
        throw new RangeError(`int(${min}, ${max}): expected integers with min <= max`);
      }
      return min + Math.floor(next() * (max - min + 1));
    },
  };
}
