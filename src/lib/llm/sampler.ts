/**
 * Token sampling for our own decode loop: a seeded PRNG and `sample()` over a logits row
 * with temperature, top-k, top-p and an optional grammar mask, returning logprobs.
 *
 * PRNG choice: xoshiro128** (Blackman & Vigna, 2018), seeded through splitmix32. It uses
 * only 32-bit integer operations (`Math.imul`, shifts), so the same seed gives the same
 * draws bit for bit in Node, every browser and a Worker; it is fast, passes BigCrush, and
 * its 128-bit state is small enough to checkpoint (`getState`/`fromState`). PCG32 would
 * need 64-bit multiplies (BigInt or emulation); `Math.random` cannot be seeded.
 *
 * Logprob semantics (decided here, used by every engine on this loop):
 * - `logprob` is the token's log-probability under the MODEL's distribution: log-softmax
 *   of the raw logits at temperature 1, over the whole vocabulary, before any mask or
 *   truncation. This is what RL (policy ratios), reranking and search scores need, it does
 *   not change when a user moves the temperature slider, and it matches what
 *   OpenAI-compatible servers report by default. `topLogprobs` use the same distribution.
 * - `samplingLogprob` is the log-probability of the draw under the distribution actually
 *   sampled from (temperature, mask, top-k, top-p, renormalised): 0 for greedy. Use it
 *   when you need the exact proposal probability (importance weights).
 */

// ---------------------------------------------------------------------------------------
// PRNG
// ---------------------------------------------------------------------------------------

export interface Rng {
  /** A uniform integer in [0, 2^32). */
  nextUint32(): number;
  /** A uniform float in [0, 1) with 32 bits of resolution. */
  nextFloat(): number;
}

const TWO_POW_MINUS_32 = 1 / 4294967296;

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/** xoshiro128**: see the module comment for why this generator. */
export class Xoshiro128StarStar implements Rng {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;

  /** Seeds from any finite number (integers up to 2^53 keep all their bits). */
  constructor(seed = 0) {
    const value = Number.isFinite(seed) ? Math.trunc(seed) : 0;
    const low = value >>> 0;
    const high = Math.floor(value / 4294967296) >>> 0;
    // splitmix32 expands the seed into four well-mixed words (never all zero).
    let state = low ^ Math.imul(high, 0x9e3779b1);
    const next = (): number => {
      state = (state + 0x9e3779b9) | 0;
      let t = state ^ (state >>> 16);
      t = Math.imul(t, 0x21f0aaad);
      t ^= t >>> 15;
      t = Math.imul(t, 0x735a2d97);
      return (t ^ (t >>> 15)) >>> 0;
    };
    this.s0 = next();
    this.s1 = next();
    this.s2 = next();
    this.s3 = next();
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1;
  }

  /** A generator with exactly this state (e.g. from a checkpoint). */
  static fromState(state: readonly number[]): Xoshiro128StarStar {
    if (state.length !== 4 || state.every((w) => w >>> 0 === 0)) {
      throw new RangeError('xoshiro128** state must be four 32-bit words, not all zero');
    }
    const rng = new Xoshiro128StarStar(0);
    [rng.s0, rng.s1, rng.s2, rng.s3] = state.map((w) => w >>> 0);
    return rng;
  }

  getState(): [number, number, number, number] {
    return [this.s0 >>> 0, this.s1 >>> 0, this.s2 >>> 0, this.s3 >>> 0];
  }

  /** An independent copy that continues the same sequence. */
  clone(): Xoshiro128StarStar {
    return Xoshiro128StarStar.fromState(this.getState());
  }

  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5), 7), 9) >>> 0;
    const t = this.s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  nextFloat(): number {
    return this.nextUint32() * TWO_POW_MINUS_32;
  }
}

/** The project's seeded generator. Same seed → same draws everywhere. */
export function createRng(seed = 0): Xoshiro128StarStar {
  return new Xoshiro128StarStar(seed);
}

// ---------------------------------------------------------------------------------------
// Sampling
// ---------------------------------------------------------------------------------------

/**
 * Which tokens may be sampled (grammar constraints): a predicate, or a bitmask with bit
 * `id & 31` of word `id >> 5` set for allowed ids (the layout xgrammar uses). Ids past the
 * end of a bitmask are not allowed.
 */
export type TokenMask = ((tokenId: number) => boolean) | Uint32Array;

export interface SampleOptions {
  /** 0 (or less than 1e-6) = greedy argmax, ties to the lowest id. Default 1. */
  temperature?: number;
  /** Keep the k most likely tokens; 0 or absent = all. */
  topK?: number;
  /**
   * Keep the smallest set of most likely tokens whose probability reaches `topP` (after
   * top-k, renormalised); the token that crosses the threshold is kept. 1 or absent = all;
   * at most 0 = only the most likely token.
   */
  topP?: number;
  /** Required unless greedy. */
  rng?: Rng;
  mask?: TokenMask;
  /** Also return this many most likely alternatives (model distribution). */
  topLogprobs?: number;
}

export interface TokenAlternative {
  tokenId: number;
  logprob: number;
}

export interface SampledToken {
  tokenId: number;
  /** Log-probability under the model's distribution (temperature 1, no mask). */
  logprob: number;
  /** Log-probability under the distribution actually sampled from. */
  samplingLogprob: number;
  topLogprobs?: TokenAlternative[];
}

/** Below this a temperature means greedy: dividing by it would overflow. */
const GREEDY_TEMPERATURE = 1e-6;
/** Float slack when a cumulative probability is compared with `topP`. */
const TOP_P_EPSILON = 1e-9;
/** First candidate count tried for top-p without top-k; grows ×4 until the nucleus fits. */
const TOP_P_FIRST_GUESS = 64;
/** Beyond this many candidates, top-p sorts weights natively instead of growing the heap. */
const TOP_P_HEAP_LIMIT = 4096;

/** Reused between calls (sampling is synchronous, so one buffer per realm suffices). */
let scratch = new Float64Array(0);

function scratchOf(size: number): Float64Array {
  if (scratch.length < size) scratch = new Float64Array(size);
  return scratch;
}

/** Draws one token from a logits row. Throws only on bad arguments or a mask allowing nothing. */
export function sample(
  logits: Float32Array | Float64Array,
  options: SampleOptions = {},
): SampledToken {
  const vocab = logits.length;
  if (vocab === 0) throw new RangeError('sample: empty logits');
  const temperature = options.temperature ?? 1;
  if (Number.isNaN(temperature) || temperature < 0) {
    throw new RangeError(`sample: temperature must be >= 0, got ${temperature}`);
  }
  const allowed = allowedPredicate(options.mask);
  const rawLogZ = logSumExp(logits);
  const result = (tokenId: number, samplingLogprob: number): SampledToken => {
    const sampled: SampledToken = {
      tokenId,
      logprob: logits[tokenId] - rawLogZ,
      samplingLogprob,
    };
    const alternatives = Math.floor(options.topLogprobs ?? 0);
    if (alternatives > 0) {
      const top = selectTop(logits, Math.min(alternatives, vocab), undefined);
      sampled.topLogprobs = Array.from(top, (id) => ({
        tokenId: id,
        logprob: logits[id] - rawLogZ,
      }));
    }
    return sampled;
  };

  if (temperature < GREEDY_TEMPERATURE) {
    return result(argmax(logits, allowed), 0);
  }
  const rng = options.rng;
  if (!rng)
    throw new TypeError('sample: pass `rng` (e.g. createRng(seed)) unless temperature is 0');

  const inverseT = 1 / temperature;
  const topK = Math.floor(options.topK ?? 0);
  const topP = options.topP ?? 1;
  const truncateK = topK > 0 && topK < vocab;
  const truncateP = topP < 1;

  if (!truncateK && !truncateP) {
    // The whole (masked) distribution: one pass for weights, one to walk them; no sorting.
    const maxScaled = maxAllowed(logits, allowed) * inverseT;
    const weights = scratchOf(vocab);
    let total = 0;
    for (let i = 0; i < vocab; i++) {
      const l = logits[i];
      const w = l === l && (!allowed || allowed(i)) ? Math.exp(l * inverseT - maxScaled) : 0;
      weights[i] = w;
      total += w;
    }
    const target = rng.nextFloat() * total;
    let cumulative = 0;
    let chosen = -1;
    for (let i = 0; i < vocab; i++) {
      if (weights[i] === 0) continue;
      chosen = i;
      cumulative += weights[i];
      if (cumulative > target) break;
    }
    return result(chosen, Math.log(weights[chosen] / total));
  }

  // Truncated: work on the most likely candidates only, sorted by logit (ties: lower id).
  let candidates: Int32Array;
  let weights: Float64Array;
  let total: number;
  if (truncateK) {
    candidates = selectTop(logits, topK, allowed);
    if (candidates.length === 0) throw noAllowedToken();
    ({ weights, total } = candidateWeights(logits, candidates, inverseT));
  } else {
    // Top-p alone: the nucleus is nearly always small, so grow a partial selection until
    // it covers `topP` of the full masked mass instead of sorting the whole vocabulary.
    const maxScaled = maxAllowed(logits, allowed) * inverseT;
    let fullMass = 0;
    let allowedCount = 0;
    for (let i = 0; i < vocab; i++) {
      const l = logits[i];
      if (l === l && (!allowed || allowed(i))) {
        fullMass += Math.exp(l * inverseT - maxScaled);
        allowedCount++;
      }
    }
    let k = Math.min(TOP_P_FIRST_GUESS, allowedCount);
    for (;;) {
      if (k > TOP_P_HEAP_LIMIT) {
        // A flat distribution: a heap this large is slower than sorting weights natively.
        ({ candidates, weights, total } = nucleusBySort(
          logits,
          allowed,
          inverseT,
          maxScaled,
          topP,
          fullMass,
        ));
        break;
      }
      candidates = selectTop(logits, k, allowed);
      ({ weights, total } = candidateWeights(logits, candidates, inverseT));
      if (total >= (Math.max(topP, 0) - TOP_P_EPSILON) * fullMass || k >= allowedCount) {
        ({ candidates, weights, total } = truncateToNucleus(candidates, weights, fullMass, topP));
        break;
      }
      k = Math.min(k * 4, allowedCount);
    }
  }

  if (truncateK && truncateP) {
    ({ candidates, weights, total } = truncateToNucleus(candidates, weights, total, topP));
  }

  const target = rng.nextFloat() * total;
  let cumulative = 0;
  let pick = candidates.length - 1; // Float slack: fall back to the last kept token.
  for (let j = 0; j < candidates.length; j++) {
    cumulative += weights[j];
    if (cumulative > target) {
      pick = j;
      break;
    }
  }
  return result(candidates[pick], Math.log(weights[pick] / total));
}

/**
 * The shortest best-first prefix of `candidates` whose share of `mass` reaches `topP`
 * (the crossing token kept, at least one token).
 */
function truncateToNucleus(
  candidates: Int32Array,
  weights: Float64Array,
  mass: number,
  topP: number,
): { candidates: Int32Array; weights: Float64Array; total: number } {
  const threshold = (Math.max(topP, 0) - TOP_P_EPSILON) * mass;
  let cumulative = 0;
  let keep = 0;
  while (keep < candidates.length) {
    cumulative += weights[keep++];
    if (cumulative >= threshold) break;
  }
  return {
    candidates: candidates.subarray(0, keep),
    weights: weights.subarray(0, keep),
    total: cumulative,
  };
}

/**
 * The top-p nucleus without a heap, for flat distributions: sort the weights natively to
 * find the cut-off weight, then collect ids above it (and ties at it, lowest ids first,
 * until the mass is reached). Candidates come out in id order, which samples the same
 * distribution.
 */
function nucleusBySort(
  logits: Float32Array | Float64Array,
  allowed: ((id: number) => boolean) | undefined,
  inverseT: number,
  maxScaled: number,
  topP: number,
  fullMass: number,
): { candidates: Int32Array; weights: Float64Array; total: number } {
  const vocab = logits.length;
  const all = scratchOf(vocab);
  let count = 0;
  for (let i = 0; i < vocab; i++) {
    const l = logits[i];
    if (l === l && l !== -Infinity && (!allowed || allowed(i))) {
      all[count++] = Math.exp(l * inverseT - maxScaled);
    }
  }
  const sorted = all.subarray(0, count).sort();
  const threshold = (Math.max(topP, 0) - TOP_P_EPSILON) * fullMass;
  let cumulative = 0;
  let cutoff = sorted[count - 1];
  for (let j = count - 1; j >= 0; j--) {
    cumulative += sorted[j];
    cutoff = sorted[j];
    if (cumulative >= threshold) break;
  }
  const ids: number[] = [];
  const kept: number[] = [];
  let total = 0;
  for (let i = 0; i < vocab; i++) {
    const l = logits[i];
    if (l !== l || l === -Infinity || (allowed && !allowed(i))) continue;
    const w = Math.exp(l * inverseT - maxScaled);
    if (w > cutoff) {
      ids.push(i);
      kept.push(w);
      total += w;
    }
  }
  // Ties at the cut-off weight: lowest ids first, until the nucleus has its mass.
  for (let i = 0; i < vocab && (total < threshold || ids.length === 0); i++) {
    const l = logits[i];
    if (l !== l || l === -Infinity || (allowed && !allowed(i))) continue;
    const w = Math.exp(l * inverseT - maxScaled);
    if (w === cutoff) {
      ids.push(i);
      kept.push(w);
      total += w;
    }
  }
  return { candidates: Int32Array.from(ids), weights: Float64Array.from(kept), total };
}

/** Relative weights exp((l - max) / T) of sorted candidates; the first is the largest. */
function candidateWeights(
  logits: Float32Array | Float64Array,
  candidates: Int32Array,
  inverseT: number,
): { weights: Float64Array; total: number } {
  const weights = new Float64Array(candidates.length);
  const top = logits[candidates[0]] * inverseT;
  let total = 0;
  for (let j = 0; j < candidates.length; j++) {
    weights[j] = Math.exp(logits[candidates[j]] * inverseT - top);
    total += weights[j];
  }
  return { weights, total };
}

function allowedPredicate(mask: TokenMask | undefined): ((id: number) => boolean) | undefined {
  if (mask === undefined) return undefined;
  if (typeof mask === 'function') return mask;
  return (id) => (id >>> 5 < mask.length ? ((mask[id >>> 5] >>> (id & 31)) & 1) === 1 : false);
}

function noAllowedToken(): Error {
  return new RangeError('sample: the mask allows no token with a finite logit');
}

/** Largest allowed, non-NaN logit (may be -Infinity only if nothing is allowed). */
function maxAllowed(
  logits: Float32Array | Float64Array,
  allowed?: (id: number) => boolean,
): number {
  let max = -Infinity;
  let any = false;
  for (let i = 0; i < logits.length; i++) {
    const l = logits[i];
    if (l === l && (!allowed || allowed(i))) {
      any = true;
      if (l > max) max = l;
    }
  }
  if (!any || max === -Infinity) throw noAllowedToken();
  return max;
}

/** Index of the largest allowed logit; ties go to the lowest id. NaN counts as -Infinity. */
export function argmax(
  logits: Float32Array | Float64Array,
  allowed?: (id: number) => boolean,
): number {
  let best = -1;
  let bestValue = -Infinity;
  for (let i = 0; i < logits.length; i++) {
    const l = logits[i];
    if (l > bestValue && (!allowed || allowed(i))) {
      best = i;
      bestValue = l;
    }
  }
  if (best < 0) throw noAllowedToken();
  return best;
}

/** log Σ exp(x), stable (shifted by the max); NaN entries are ignored. */
export function logSumExp(values: Float32Array | Float64Array): number {
  let max = -Infinity;
  for (let i = 0; i < values.length; i++) if (values[i] > max) max = values[i];
  if (max === -Infinity || max === Infinity) return max;
  let sum = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v === v) sum += Math.exp(v - max);
  }
  return max + Math.log(sum);
}

/** log-softmax of a row, stable; NaN entries become -Infinity. */
export function logSoftmax(values: Float32Array | Float64Array): Float64Array {
  const logZ = logSumExp(values);
  const out = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) {
    out[i] = values[i] === values[i] ? values[i] - logZ : -Infinity;
  }
  return out;
}

/**
 * Ids of the k largest allowed, non-NaN logits, sorted descending (ties: lower id first).
 * A size-k min-heap over one pass: O(V log k) worst case, O(V) typical, no full sort.
 */
export function selectTop(
  logits: Float32Array | Float64Array,
  k: number,
  allowed?: (id: number) => boolean,
): Int32Array {
  const capacity = Math.max(0, Math.min(Math.floor(k), logits.length));
  const heapIds = new Int32Array(capacity);
  const heapValues = new Float64Array(capacity);
  let size = 0;
  // "a is worse than b": smaller logit, or equal logit and larger id.
  const worse = (va: number, ia: number, vb: number, ib: number): boolean =>
    va < vb || (va === vb && ia > ib);
  const siftDown = (start: number): void => {
    let i = start;
    for (;;) {
      const left = 2 * i + 1;
      const right = left + 1;
      let smallest = i;
      if (
        left < size &&
        worse(heapValues[left], heapIds[left], heapValues[smallest], heapIds[smallest])
      ) {
        smallest = left;
      }
      if (
        right < size &&
        worse(heapValues[right], heapIds[right], heapValues[smallest], heapIds[smallest])
      ) {
        smallest = right;
      }
      if (smallest === i) return;
      [heapValues[i], heapValues[smallest]] = [heapValues[smallest], heapValues[i]];
      [heapIds[i], heapIds[smallest]] = [heapIds[smallest], heapIds[i]];
      i = smallest;
    }
  };
  if (capacity === 0) return heapIds;
  for (let id = 0; id < logits.length; id++) {
    const value = logits[id];
    if (value !== value || value === -Infinity) continue;
    if (size === capacity && !worse(heapValues[0], heapIds[0], value, id)) continue;
    if (allowed && !allowed(id)) continue;
    if (size < capacity) {
      // Sift up.
      let i = size++;
      heapValues[i] = value;
      heapIds[i] = id;
      while (i > 0) {
        const parent = (i - 1) >> 1;
        if (!worse(heapValues[i], heapIds[i], heapValues[parent], heapIds[parent])) break;
        [heapValues[i], heapValues[parent]] = [heapValues[parent], heapValues[i]];
        [heapIds[i], heapIds[parent]] = [heapIds[parent], heapIds[i]];
        i = parent;
      }
    } else {
      heapValues[0] = value;
      heapIds[0] = id;
      siftDown(0);
    }
  }
  // Pop the worst repeatedly, filling from the back: result is best-first.
  const sorted = new Int32Array(size);
  for (let out = size - 1; out >= 0; out--) {
    sorted[out] = heapIds[0];
    size--;
    heapValues[0] = heapValues[size];
    heapIds[0] = heapIds[size];
    siftDown(0);
  }
  return sorted;
}
