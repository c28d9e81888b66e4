/**
 * Random draws for the search algorithms: uniform, normal, gamma and beta.
 *
 * Algorithms take a `Random`. By default it is `SeededRandom` over the tree's own PRNG
 * state (`tree.rng`), so the tree alone decides what comes next: a run resumed from a JSON
 * checkpoint continues exactly where it stopped. Tests inject `scriptedRandom(...)` to fix
 * what each draw returns.
 *
 * - uniform: xoshiro128** (Blackman & Vigna), seeded through splitmix32; only 32-bit
 *   integer operations, so the same seed gives the same draws in every JS engine.
 * - normal: Box–Muller (one value per pair of uniforms; the spare is not cached, so the
 *   whole generator state stays the four words in `tree.rng`).
 * - gamma: Marsaglia & Tsang (2000), "A simple method for generating gamma variables";
 *   shape < 1 via the boost gamma(shape) = gamma(shape + 1) · U^(1/shape).
 * - beta: X / (X + Y) with X ~ gamma(a), Y ~ gamma(b).
 */

export interface Random {
  /** Uniform in [0, 1). */
  uniform(): number;
  /** Normal with the given mean and standard deviation (defaults 0 and 1). */
  normal(mean?: number, sd?: number): number;
  /** Gamma with the given shape and scale (default scale 1; mean shape · scale). */
  gamma(shape: number, scale?: number): number;
  /** Beta(a, b). */
  beta(a: number, b: number): number;
}

/** Four uint32 words. */
export type RngState = number[];

/** Expands a seed into a xoshiro128** state with splitmix32 (never all zero). */
export function seedState(seed = 0): RngState {
  const value = Number.isFinite(seed) ? Math.trunc(seed) : 0;
  let x = (value >>> 0) ^ Math.imul(Math.floor(value / 4294967296) >>> 0, 0x85ebca6b);
  const words: number[] = [];
  for (let i = 0; i < 4; i++) {
    x = (x + 0x9e3779b9) | 0;
    let z = x ^ (x >>> 16);
    z = Math.imul(z, 0x21f0aaad);
    z ^= z >>> 15;
    z = Math.imul(z, 0x735a2d97);
    words.push((z ^ (z >>> 15)) >>> 0);
  }
  if (!words.some((w) => w !== 0)) words[0] = 1;
  return words;
}

/**
 * A seeded `Random`. It reads and advances `state` in place, so passing `tree.rng` keeps
 * the generator state inside the (JSON) tree.
 */
export class SeededRandom implements Random {
  readonly state: RngState;

  constructor(seedOrState: number | RngState = 0) {
    if (typeof seedOrState === 'number') {
      this.state = seedState(seedOrState);
    } else {
      if (seedOrState.length !== 4 || seedOrState.every((w) => w === 0)) {
        throw new RangeError('A xoshiro128** state is four uint32 words, not all zero.');
      }
      this.state = seedOrState;
    }
  }

  /** The next uint32 of xoshiro128**. */
  nextUint32(): number {
    const s = this.state;
    const result = Math.imul(rotl(Math.imul(s[1], 5), 7), 9) >>> 0;
    const t = s[1] << 9;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 11);
    for (let i = 0; i < 4; i++) s[i] >>>= 0;
    return result;
  }

  uniform(): number {
    return this.nextUint32() / 4294967296;
  }

  normal(mean = 0, sd = 1): number {
    const u1 = 1 - this.uniform(); // (0, 1]: log stays finite
    const u2 = this.uniform();
    return mean + sd * Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
  }

  gamma(shape: number, scale = 1): number {
    if (!(shape > 0) || !(scale > 0)) {
      throw new RangeError(`gamma needs shape > 0 and scale > 0, got ${shape} and ${scale}`);
    }
    if (shape < 1) {
      const u = 1 - this.uniform();
      return this.gamma(shape + 1, scale) * Math.pow(u, 1 / shape);
    }
    const d = shape - 1 / 3;
    const c = 1 / Math.sqrt(9 * d);
    for (;;) {
      let x: number;
      let v: number;
      do {
        x = this.normal();
        v = 1 + c * x;
      } while (v <= 0);
      v = v * v * v;
      const u = this.uniform();
      if (u < 1 - 0.0331 * x * x * x * x) return d * v * scale;
      if (Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) return d * v * scale;
    }
  }

  beta(a: number, b: number): number {
    const x = this.gamma(a);
    const y = this.gamma(b);
    return x / (x + y);
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/** Values each kind of draw returns, in order. */
export interface Script {
  uniform?: number[];
  normal?: number[];
  gamma?: number[];
  beta?: number[];
}

/**
 * A `Random` whose draws come from `script`, in order, per kind; the arguments of the call
 * are ignored (a scripted normal IS the draw, already scaled). When a kind runs out it
 * falls back to `fallback`, or throws if there is none, so a test notices draws it did not
 * expect. `remaining()` tells what was not used.
 */
export function scriptedRandom(
  script: Script,
  fallback?: Random,
): Random & { remaining(): Required<Script> } {
  const queues: Required<Script> = {
    uniform: [...(script.uniform ?? [])],
    normal: [...(script.normal ?? [])],
    gamma: [...(script.gamma ?? [])],
    beta: [...(script.beta ?? [])],
  };
  const take = (kind: keyof Script, orElse: (f: Random) => number): number => {
    const queue = queues[kind];
    if (queue.length > 0) return queue.shift() as number;
    if (fallback) return orElse(fallback);
    throw new Error(`scriptedRandom: no ${kind} draw left in the script`);
  };
  return {
    uniform: () => take('uniform', (f) => f.uniform()),
    normal: (mean, sd) => take('normal', (f) => f.normal(mean, sd)),
    gamma: (shape, scale) => take('gamma', (f) => f.gamma(shape, scale)),
    beta: (a, b) => take('beta', (f) => f.beta(a, b)),
    remaining: () => ({
      uniform: [...queues.uniform],
      normal: [...queues.normal],
      gamma: [...queues.gamma],
      beta: [...queues.beta],
    }),
  };
}

/** A uniform integer in [0, n). */
export function randomInt(random: Random, n: number): number {
  return Math.min(n - 1, Math.floor(random.uniform() * n));
}
